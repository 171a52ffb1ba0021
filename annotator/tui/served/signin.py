"""The served app's first screens: the token sign-in, and a lead's choice of what to open.

The token is checked in a thread (a store round trip, plus a pause after a wrong token so
guessing is slow); the screen only ever learns who the token belongs to, never keeps it.
"""

from __future__ import annotations

import time
from typing import ClassVar

from rich.text import Text
from sqlalchemy.exc import SQLAlchemyError
from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from annotator.errors import failure
from annotator.store.tokens import TokenHolder
from annotator.tui.launch import StoreContext

WRONG_TOKEN_DELAY = 1.0  # seconds before a wrong token is answered
MAX_ATTEMPTS = 5  # wrong tokens in one session before it ends


class SignInScreen(Screen):
    BINDINGS: ClassVar[list[BindingType]] = [("escape", "app.quit", "Quit")]

    class SignedIn(Message):
        def __init__(self, holder: TokenHolder) -> None:
            super().__init__()
            self.holder = holder

    def __init__(
        self,
        context: StoreContext,
        *,
        delay: float = WRONG_TOKEN_DELAY,
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        super().__init__()
        self.ctx = context
        self.delay = delay
        self.max_attempts = max_attempts
        self.wrong = 0

    def compose(self) -> ComposeResult:
        with Vertical(id="signin-box", classes="dialog"):
            title = Text(f"Sign in to project {self.ctx.project_name}")
            yield Static(title, classes="dialog-title")
            yield Static("Your personal token (from your lead):")
            yield Input(password=True, placeholder="token", id="token")
            yield Static("", id="signin-error", markup=False)
            yield Static("enter: sign in · escape: quit", classes="dialog-hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        box = self.query_one("#token", Input)
        token = event.value
        box.value = ""
        if not token.strip():
            self.say("Please paste or type your token.")
            return
        box.disabled = True
        self.say("Checking…")
        self.check(token)

    @work(thread=True, exclusive=True, group="sign-in")
    def check(self, token: str) -> None:
        from annotator.store.engine import StoreError, session_scope
        from annotator.store.tokens import find_by_token

        try:
            with session_scope(self.ctx.engine) as session:
                holder = find_by_token(session, token=token)
        except (StoreError, SQLAlchemyError) as exc:
            reason = failure(exc, 120)
            self.app.call_from_thread(
                self.refused, f"Could not reach the store ({reason}): try again.", False
            )
            return
        if holder is None:
            time.sleep(self.delay)  # slows guessing down; a right token is not held up
            self.app.call_from_thread(self.refused, "", True)
            return
        self.app.call_from_thread(self.post_message, self.SignedIn(holder))

    def refused(self, message: str, wrong: bool) -> None:
        box = self.query_one("#token", Input)
        if wrong:
            self.wrong += 1
            if self.wrong >= self.max_attempts:
                self.say("Too many wrong tokens: this session ends. Reload the page to try again.")
                self.set_timer(2, self.app.exit)
                return
            message = (
                "That token is not valid: check it and try again, or ask your lead for a new one."
            )
        self.say(message)
        box.disabled = False
        box.focus()

    def say(self, message: str) -> None:
        self.query_one("#signin-error", Static).update(Text(message))


CHOICES = (
    ("annotate", "Annotate: label your next sentences"),
    ("review", "Review: settle disagreements between annotators"),
    ("dashboard", "Dashboard: progress and agreement, per annotator"),
)


class LeadMenu(Screen):
    """What a lead opens: annotate, review or the dashboard (an annotator gets annotate only)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        ("a", "choose('annotate')", "Annotate"),
        ("r", "choose('review')", "Review"),
        ("d", "choose('dashboard')", "Dashboard"),
        ("escape,q", "app.quit", "Quit"),
    ]

    class Chosen(Message):
        def __init__(self, what: str) -> None:
            super().__init__()
            self.what = what

    def __init__(self, name: str) -> None:
        super().__init__()
        self.person = name

    def compose(self) -> ComposeResult:
        with Vertical(id="menu-box", classes="dialog"):
            yield Static(Text(f"Signed in as {self.person} (lead)"), classes="dialog-title")
            yield OptionList(*(Option(Text(label), id=key) for key, label in CHOICES), id="menu")
            yield Static("a r d or enter: open · q: quit", classes="dialog-hint")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.Chosen(event.option.id))

    def action_choose(self, what: str) -> None:
        self.post_message(self.Chosen(what))
