"""Small rules about stored values that every layer shares, defined once."""

from __future__ import annotations

from typing import Any

# An annotation's status; its position is the code packed label tables use.
STATUSES: tuple[str, ...] = ("done", "skipped", "flagged")


_SIZED = (str, list, dict, tuple)  # a tuple of types: isinstance takes it faster than a union


def is_empty(value: Any) -> bool:
    """Whether a task value says nothing: unanswered, blank text, no choice, no span."""
    return value is None or (isinstance(value, _SIZED) and len(value) == 0)


def given(value: Any) -> bool:
    return not is_empty(value)


def is_blank(value: Any) -> bool:
    """`is_empty`, or a text of spaces only: what a cell of an imported file means by no value."""
    if value is None:  # the usual case (a field the record does not have), first
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, _SIZED) and len(value) == 0
