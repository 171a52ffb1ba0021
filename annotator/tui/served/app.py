"""`ServedApp`: one browser session of `annotator serve`.

The token decides who is annotating: there is no name prompt and no way to become someone
else. An annotator goes straight to their own annotate screen (its dashboard, from the
command palette, hides per-annotator figures by the usual lead rule); a lead chooses
annotate, review or the dashboard. Nothing is written to the server user's ~/.config.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from sqlalchemy.exc import SQLAlchemyError
from textual import events, on, work

from annotator.store.tokens import TokenHolder
from annotator.tui.app import AnnotatorApp
from annotator.tui.launch import StoreContext
from annotator.tui.served.signin import WRONG_TOKEN_DELAY, LeadMenu, SignInScreen

if TYPE_CHECKING:
    from annotator.assist.lexicon import Matcher

RECHECK_SECONDS = 30.0  # how soon a revoked or replaced token ends an open session


class ServedApp(AnnotatorApp):
    CSS_PATH: ClassVar = [
        "../annotate.tcss",
        "../dialogs.tcss",
        "../review/review.tcss",  # same look as annotate.tcss where the two name the same ids
        "served.tcss",
    ]
    TITLE = "annotator"

    def __init__(
        self,
        context: StoreContext,
        *,
        wrong_token_delay: float = WRONG_TOKEN_DELAY,
        recheck_seconds: float = RECHECK_SECONDS,
        lease_seconds: float | None = None,
        hints: Matcher | None = None,
    ) -> None:
        super().__init__(context, remember=False, lease_seconds=lease_seconds, hints=hints)
        self.holder: TokenHolder | None = None
        self.wrong_token_delay = wrong_token_delay
        self.recheck_seconds = recheck_seconds

    @on(events.Mount)
    def sign_in_first(self, event: events.Mount) -> None:
        # Textual runs the Mount handlers of every class in the MRO; stopping here keeps
        # AnnotatorApp's (a name prompt, the server user's config) from running.
        event.prevent_default()
        self.push_screen(SignInScreen(self.context, delay=self.wrong_token_delay))

    def on_sign_in_screen_signed_in(self, message: SignInScreen.SignedIn) -> None:
        holder = message.holder
        self.holder = holder
        self.annotator_name = holder.name  # what show_dashboard's lead rule reads
        self.sub_title = f"{self.context.project_name} · {holder.name}"
        self.set_interval(self.recheck_seconds, self.recheck)
        if holder.role == "lead":
            self.switch_screen(LeadMenu(holder.name))
        else:
            self.pop_screen()
            self.begin(holder.name)

    def on_lead_menu_chosen(self, message: LeadMenu.Chosen) -> None:
        holder = self.holder
        if holder is None or holder.role != "lead":  # the menu is only ever shown to a lead
            return
        if message.what == "annotate":
            self.begin(holder.name)
        elif message.what == "review":
            self.open_review(holder.name)
        elif message.what == "dashboard":
            self.show_dashboard()

    def open_review(self, name: str) -> None:
        from annotator.store.adjudications import lead_id
        from annotator.store.engine import StoreError, session_scope
        from annotator.tui.review.model import Filters
        from annotator.tui.review.screen import ReviewScreen

        try:  # the role is checked again now: it may have changed since sign-in
            with session_scope(self.context.engine) as session:
                lead = lead_id(session, name)
        except (StoreError, SQLAlchemyError) as exc:
            self.notify(str(exc).splitlines()[0], severity="error", markup=False)
            return
        self.push_screen(ReviewScreen(self.context, lead=name, lead_id=lead, filters=Filters()))

    @work(thread=True, exclusive=True, group="recheck")
    def recheck(self) -> None:
        """End the session once the token is revoked or replaced."""
        from annotator.store.engine import StoreError, session_scope
        from annotator.store.tokens import still_valid

        holder = self.holder
        if holder is None:
            return
        try:
            with session_scope(self.context.engine) as session:
                valid = still_valid(session, holder=holder)
        except (StoreError, SQLAlchemyError):
            return  # a store hiccup is not a revocation: the next check decides
        if not valid:
            self.call_from_thread(self.signed_out)

    def signed_out(self) -> None:
        self.notify(
            "Your sign-in token was revoked or replaced: this session ends.",
            severity="error",
            markup=False,
        )
        self.set_timer(3, self.exit)
