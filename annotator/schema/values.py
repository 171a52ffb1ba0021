"""Small rules about stored values that every layer shares, defined once."""

from __future__ import annotations

from typing import Any

# An annotation's status; its position is the code packed label tables use.
STATUSES: tuple[str, ...] = ("done", "skipped", "flagged")


def is_empty(value: Any) -> bool:
    """Whether a task value says nothing: unanswered, blank text, no choice, no span."""
    return value is None or (isinstance(value, str | list | dict | tuple) and len(value) == 0)


def given(value: Any) -> bool:
    return not is_empty(value)


def is_blank(value: Any) -> bool:
    """`is_empty`, or a text of spaces only: what a cell of an imported file means by no value."""
    return is_empty(value.strip() if isinstance(value, str) else value)
