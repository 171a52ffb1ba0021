"""The review screen's pieces: the opinions side by side, the value picker, the filter box."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.keys import _character_to_key
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from annotator.schema.model import Schema, Task
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
) -> Group:
    """One row per annotator, numbered (the key that accepts their value), one column per
    task to decide; the current task's column stands out, a value equal to the decision is
    ticked. Comments follow the table, one line each."""
    table = Table(box=None, padding=(0, 1), expand=True, show_edge=False)
    table.add_column("#", style="bold cyan", no_wrap=True, width=2)
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
            cell = Text(display_text(value_text(schema.task(name), value)))
            cell.stylize("bold" if name == current else "dim")
            dec = decided.get(name)
            if dec is not None and used(value) and canonical(dec.value) == canonical(value):
                cell.append(" ✓", style="green")
            cells.append(cell)
        status = Text(STATUS.get(o.status, o.status), style="bold yellow")
        table.add_row(str(n) if n < 10 else "", Text(display_text(o.annotator)), *cells, status)
        if o.comment:
            note = Text(f"{n} {display_text(o.annotator)}: ", style="bold")
            note.append(display_text(o.comment), style="italic")
            notes.append(note)
    return Group(table, *notes)


class ValuePicker(ModalScreen[tuple[Any] | None]):
    """Set a task's value directly with the schema's label keys.

    Single and scale tasks: a key picks the value at once. Multi: keys toggle labels,
    enter confirms. Escape cancels (dismiss None); a picked value comes back as ``(value,)``.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("enter", "confirm", "Confirm", show=False),
    ]

    def __init__(self, task: Task, current: Any = None) -> None:
        super().__init__()
        self.schema_task = task
        self.multi = task.type == "multi"
        self.chosen: list[str] = list(current) if self.multi and isinstance(current, list) else []
        for label in task.labels:
            if label.key:
                key = _character_to_key(label.key) if len(label.key) == 1 else label.key
                self._bindings.bind(key, f"pick({label.value!r})", show=False)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="pick-box"):
            yield Static(
                Text(f"Set {display_text(self.schema_task.name)}", style="bold"),
                classes="dialog-title",
            )
            yield Static(self._labels(), id="pick-labels")
            hint = (
                "keys toggle labels · enter: save · escape: cancel"
                if self.multi
                else ("a label's key saves it · escape: cancel")
            )
            yield Static(hint, classes="dialog-hint")

    def _labels(self) -> Text:
        out = Text()
        for label in self.schema_task.labels:
            chosen = label.value in self.chosen
            out.append(f"{label.key or ' '} ", style="bold cyan")
            line = Text(f"{display_text(label.text)}  ({display_text(label.value)})")
            if chosen:
                line.stylize("reverse")
            out.append_text(line)
            out.append("\n")
        out.rstrip()
        return out

    def action_pick(self, value: str) -> None:
        if not self.multi:
            self.dismiss((value,))
            return
        if value in self.chosen:
            self.chosen.remove(value)
        else:
            self.chosen.append(value)
        self.query_one("#pick-labels", Static).update(self._labels())

    def action_confirm(self) -> None:
        if self.multi:
            order = {v: i for i, v in enumerate(self.schema_task.values)}
            self.dismiss((sorted(self.chosen, key=lambda v: order.get(v, 0)),))

    def action_cancel(self) -> None:
        self.dismiss(None)


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
