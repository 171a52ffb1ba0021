"""The model's suggestion as a task's header shows it: ``model: Biased 82%``.

Label texts come from the schema (any language) and are made safe for display; a long one
(or a multi-choice guess of many labels) is cut to `WIDTH` cells, so the longest guess a task
can show is known in advance (`room`) and its panel keeps that height.
"""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len, set_cell_size

from annotator.schema.model import Task
from annotator.tui.safe_text import display_text

WIDTH = 28  # cells the guessed label(s) take at most


def _names(task: Task, value: Any) -> str:
    values = value if isinstance(value, list) else [value]
    names = []
    for v in values:
        label = task.label(str(v))
        names.append(display_text(label.text if label is not None else str(v)))
    text = ", ".join(names) or "none"
    if cell_len(text) > WIDTH:
        text = set_cell_size(text, WIDTH - 1) + "…"
    return text


def guess_line(task: Task, value: Any, confidence: float) -> str:
    return f"model: {_names(task, value)} {round(confidence * 100)}%"


def room(task: Task) -> str:
    """The longest line `guess_line` can give for `task` (its panel keeps the height)."""
    if task.type == "multi":
        candidates = [guess_line(task, list(task.values), 1.0)]
    else:
        candidates = [guess_line(task, v, 1.0) for v in task.values]
    return max(candidates, key=cell_len, default="")
