"""Single choice, scale (an ordered single choice) and multi choice panels."""

from __future__ import annotations

from rich.text import Text

from annotator.schema.model import Label
from annotator.tui.widgets.base import TaskPanel


class ChoicePanel(TaskPanel):
    """single and scale: a label key picks that label (again: clears it) and moves on."""

    def body(self) -> Text:
        chips = [self.label_chip(lab, lab.value == self._value) for lab in self.schema_task.labels]
        sep = " → " if self.schema_task.type == "scale" else "   "
        return Text(sep).join(chips)

    def press_label(self, label: Label) -> bool:
        if label.value == self._value:
            return self.change(None)
        return self.change(label.value, advance=True)


class MultiPanel(TaskPanel):
    """multi: label keys toggle labels; the value is the list of chosen values, schema order."""

    def body(self) -> Text:
        chosen = set(self._value or ())
        chips = [
            self.label_chip(lab, lab.value in chosen, mark="■ " if lab.value in chosen else "□ ")
            for lab in self.schema_task.labels
        ]
        return Text("   ").join(chips)

    def press_label(self, label: Label) -> bool:
        chosen = set(self._value or ())
        chosen ^= {label.value}
        return self.change([v for v in self.schema_task.values if v in chosen] or None)
