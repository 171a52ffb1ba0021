"""The review screen's pieces: the opinions side by side and the filter box."""

from __future__ import annotations

from typing import ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from annotator.schema.model import Schema
from annotator.store.adjudications import Decision, Opinion, canonical, used
from annotator.tui.review.model import value_text
from annotator.tui.safe_text import display_text

STATUS = {"done": "", "skipped": "skip", "flagged": "flag"}


def opinions_table(
    schema: Schema,
    opinions: list[Opinion],
    tasks: tuple[str, ...],
    current: str | None,
    decided: dict[str, Decision],
    row: int | None = None,
) -> Group:
    """One row per annotator, one column per task to decide; the current task's column and
    the chosen row (↑ ↓; enter takes its value) stand out, a value equal to the decision is
    ticked. Comments and the annotators' free-text answers (a note) follow, one line each."""
    table = Table(box=None, padding=(0, 1), expand=True, show_edge=False)
    table.add_column("", style="bold cyan", no_wrap=True, width=1)
    table.add_column("annotator", no_wrap=True, overflow="ellipsis", max_width=14)
    for name in tasks:
        style = "bold reverse" if name == current else "dim"
        table.add_column(Text(display_text(name), style=style), overflow="fold", ratio=1)
    table.add_column("", no_wrap=True, width=4)
    notes: list[Text] = []
    for n, o in enumerate(opinions, start=1):
        cells: list[Text] = []
        for name in tasks:
            value = o.values.get(name)
            cell = Text(display_text(value_text(schema.any_task(name), value)))
            cell.stylize("bold" if name == current else "dim")
            dec = decided.get(name)
            if dec is not None and used(value) and canonical(dec.value) == canonical(value):
                cell.append(" ✓", style="green")
            cells.append(cell)
        status = Text(STATUS.get(o.status, o.status), style="bold yellow")
        chosen = row == n - 1
        table.add_row(
            "▶" if chosen else "",
            Text(display_text(o.annotator)),
            *cells,
            status,
            style="reverse" if chosen else None,
        )
        said = [("comment", o.comment)] if o.comment else []
        said += [
            (t.name, o.values[t.name])
            for t in schema.every_task
            if t.type == "text" and isinstance(o.values.get(t.name), str) and o.values[t.name]
        ]
        for what, words in said:
            note = Text(f"{display_text(o.annotator)} ({display_text(what)}): ", style="bold")
            note.append(display_text(words), style="italic")
            notes.append(note)
    return Group(table, *notes)


class FilterBox(ModalScreen[str | None]):
    """Type filters: ``task:bias doc:12 who:alice,bob show:flagged``."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, current: str) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="filter-box"):
            yield Static("Narrow the queue", classes="dialog-title")
            yield Input(value=self.current, id="filter-input")
            yield Static(
                "task:NAME  doc:ID-or-title  who:NAME,NAME  show:disagreements|flagged|all\n"
                "task: (empty) drops a filter · enter: apply · escape: cancel",
                classes="dialog-hint",
            )

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
