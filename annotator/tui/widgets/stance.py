"""Stance: one row per target; up/down pick the row, a label key sets it and moves down.

Targets the unit does not mention stay empty, so an empty stance never blocks a save.
"""

from __future__ import annotations

from rich.text import Text

from annotator.schema.model import Label, Task
from annotator.tui.safe_text import display_text
from annotator.tui.widgets.base import TaskPanel


class StancePanel(TaskPanel):
    """Its keys arrive through the screen's bindings while it is the active task."""

    def __init__(self, task: Task, targets: tuple[str, ...]) -> None:
        super().__init__(task)
        self.targets = targets or ("target",)
        self.row = 0

    def has_value(self) -> bool:
        return True  # "no stance on any target" is an answer

    def set_value(self, value) -> None:
        if self.row:
            self.row = 0
            self.refresh()
        super().set_value(value)

    def body(self) -> Text:
        values = self._value or {}
        width = max(len(display_text(t)) for t in self.targets)
        rows = []
        for i, target in enumerate(self.targets):
            row = Text("▸ " if i == self.row and self.active else "  ")
            row.append(display_text(target).ljust(width), style="bold")
            row.append("  ")
            row.append_text(
                Text("  ").join(
                    self.label_chip(lab, values.get(target) == lab.value)
                    for lab in self.schema_task.labels
                )
            )
            rows.append(row)
        return Text("\n").join(rows)

    def action_row(self, step: int) -> None:
        self.row = (self.row + step) % len(self.targets)
        self.refresh()

    def press_label(self, label: Label) -> bool:
        values = dict(self._value or {})
        target = self.targets[self.row]
        if values.get(target) == label.value:
            values.pop(target)
        else:
            values[target] = label.value
        last = self.row == len(self.targets) - 1
        if not last:
            self.row += 1
        return self.change(values or None, advance=last)
