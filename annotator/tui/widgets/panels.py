"""The panel that asks each kind of task: one entry per kind in schema.kinds.KINDS (a kind
without one fails tests/test_kinds_registry.py, never falls back to a free-text box)."""

from __future__ import annotations

from collections.abc import Callable

from annotator.schema.model import Task
from annotator.tui.widgets.base import TaskPanel
from annotator.tui.widgets.choice import ChoicePanel, MultiPanel
from annotator.tui.widgets.span import SpanPanel
from annotator.tui.widgets.stance import StancePanel
from annotator.tui.widgets.text import TextPanel

PANELS: dict[str, Callable[[Task, tuple[str, ...]], TaskPanel]] = {
    "single": lambda task, _targets: ChoicePanel(task),
    "multi": lambda task, _targets: MultiPanel(task),
    "scale": lambda task, _targets: ChoicePanel(task),
    "span": lambda task, _targets: SpanPanel(task),
    "text": lambda task, _targets: TextPanel(task),
    "stance": StancePanel,
}


def make_panel(task: Task, targets: tuple[str, ...]) -> TaskPanel:
    return PANELS[task.type](task, targets)
