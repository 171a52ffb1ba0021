"""Free text: a one-line input. Enter saves the unit (the screen handles Input.Submitted)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Input, Static

from annotator.schema.model import Task
from annotator.tui.widgets.base import TaskPanel


class TextPanel(TaskPanel):
    can_focus = False  # the input inside takes the focus

    def __init__(self, task: Task) -> None:
        super().__init__(task)
        self._value = ""

    def compose(self) -> ComposeResult:
        yield Static(self.header(), classes="task-header", markup=False)
        yield Input(placeholder="type, then enter to save", id=f"input-{self.schema_task.name}")

    @property
    def input(self) -> Input:
        return self.query_one(Input)

    @property
    def value(self) -> str | None:
        return self._value.strip() or None

    def set_value(self, value) -> None:
        self._value = value or ""
        if self.is_mounted:
            self.input.value = self._value

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._value = event.value
        self.post_message(self.Changed(self))

    def render(self):  # children draw themselves
        return ""
