"""Modal dialogs: the flag comment and the help (guidelines and key map)."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Markdown, Static

from annotator.schema.keys import ANNOTATE
from annotator.schema.model import Schema
from annotator.tui.keymap import help_table
from annotator.tui.linebreak import join_soft_breaks
from annotator.tui.safe_text import display_text


class FlagScreen(ModalScreen[str | None]):
    """Ask for an optional comment; enter flags, escape cancels (dismiss None)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, comment: str = "") -> None:
        super().__init__()
        self.comment = comment

    def compose(self) -> ComposeResult:
        with Vertical(id="flag-box", classes="dialog"):
            yield Static("Flag this unit for the lead", classes="dialog-title")
            yield Input(value=self.comment, placeholder="optional comment", id="flag-comment")
            yield Static("enter: flag · escape: cancel", classes="dialog-hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


def key_map(schema: Schema, screen: Screen, which: str = ANNOTATE) -> Table:
    """The key table's actions for screen `which` (as the user remapped them), then the
    schema's label keys."""
    app = screen.app
    config = getattr(app, "config", None)
    hidden = [] if schema.document_tasks else ["document"]
    ann = getattr(screen, "ann", None)
    if which == ANNOTATE and not getattr(ann, "assisted", False):
        hidden.append("accept")  # suggestions are off for this project
    table = help_table(app, which, getattr(config, "keys", None) or {}, hidden)
    for task in schema.tasks:
        for label in task.labels:
            if label.key:
                table.add_row(
                    label.key,
                    Text(f"{display_text(task.name)}: {display_text(label.text)}"),
                )
        if task.type == "span" and which == ANNOTATE:
            table.add_row(
                "a-z",
                f"{task.name}: the letters before a word mark it (again: unmark); in capitals, "
                "stretch the span to that word. A click marks a word, a drag several.",
            )
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("question_mark", "close", show=False),
        Binding("q", "close", show=False),
    ]

    def __init__(self, schema: Schema, screen: Screen, which: str = ANNOTATE) -> None:
        super().__init__()
        self.schema = schema
        self.table = key_map(schema, screen, which)

    def compose(self) -> ComposeResult:
        # The keys first: they are what one opens help for mid-task; the guidelines follow.
        # Their Markdown is joined across source line breaks, which between two hanzi
        # would show as a space or a break.
        with VerticalScroll(id="help-box", classes="dialog"):
            yield Static(Text(display_text(self.schema.name), style="bold"), classes="dialog-title")
            yield Static(Text("Keys", style="bold"))
            yield Static(self.table, id="keymap")
            if self.schema.guidelines:
                yield Markdown(join_soft_breaks(self.schema.guidelines), id="guidelines")
            yield Static("escape: close", classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)
