"""The start screen: who is annotating? The last name used is offered."""

from __future__ import annotations

import gc
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Static


class StartScreen(Screen):
    BINDINGS: ClassVar[list[BindingType]] = [("escape", "app.quit", "Quit")]

    class Chosen(Message):
        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name

    def __init__(self, project: str, last: str | None) -> None:
        super().__init__()
        self.project = project
        self.last = last

    def compose(self) -> ComposeResult:
        with Vertical(id="start-box", classes="dialog"):
            yield Static(f"Annotate project {self.project}", classes="dialog-title", markup=False)
            yield Static("Your name as an annotator:")
            yield Input(value=self.last or "", placeholder="name", id="name")
            yield Static("", id="start-error", markup=False)
            yield Static("enter: start · escape: quit", classes="dialog-hint")

    def on_mount(self) -> None:
        gc.enable()  # off while the command started (cli/annotate.py): a person types here

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        name = event.value.strip()
        if not name:
            self.query_one("#start-error", Static).update("Please type a name.")
            return
        if len(name) > 200:
            self.query_one("#start-error", Static).update("That name is too long (200 max).")
            return
        self.post_message(self.Chosen(name))
