"""How the assistance treats each task type: one table, one entry per type (a test fails on
a missing one, so a new type is never skipped silently)."""

from __future__ import annotations

from typing import Literal

Shape = Literal["classes", "labels"]

# classes: one value out of the task's labels (softmax over them); labels: any set of them
# (one yes/no model per label). None: not learnt, with the reason `model train` prints.
KINDS: dict[str, Shape | None] = {
    "single": "classes",
    "scale": "classes",  # its steps as classes: the order is not used (yet)
    "multi": "labels",
    "stance": None,
    "span": None,
    "text": None,
}
WHY_NOT = {
    "stance": "a value per target is not learnt yet",
    "span": "spans are not learnt, only whole-unit labels",
    "text": "free text is not learnt",
}


def shape_of(task_type: str) -> Shape | None:
    return KINDS[task_type]
