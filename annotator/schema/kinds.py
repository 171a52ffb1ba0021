"""Task kinds, each declared once: what a value of that kind looks like and how the
schema treats it.

Every other layer keeps its own table keyed by kind (the annotate screen's widget, the
agreement coding, the vote, the export columns and features, the Label Studio and Prodigy
shapes); tests/test_kinds_registry.py fails when a kind lacks an entry in any of them, so
a new kind cannot fall through to some other kind's handling unnoticed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Shape = Literal["one", "many", "stance", "span", "text"]


@dataclass(frozen=True)
class Kind:
    name: str
    shape: Shape  # the stored value: one label value, a list of them, {target: stance},
    #               a list of span dicts, or free text. Kinds of one shape read each
    #               other's stored values (a single task may become a scale).
    labels: Literal["required", "optional", "fixed", "none"]  # listed by the schema (or
    #               may be: span labels), fixed by the kind (stance), or none
    categorical: bool  # agreement over label categories (else spans or nothing)
    required: bool  # a default: must a done label give a value?
    agreement: Literal["nominal", "ordinal"] = "nominal"  # the default level
    min_labels: int = 1
    show_if_parent: bool = False  # may other tasks' show_if depend on this one?


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("single", "one", "required", True, True, show_if_parent=True),
        Kind("multi", "many", "required", True, True, show_if_parent=True),
        Kind("scale", "one", "required", True, True, "ordinal", 2, show_if_parent=True),
        Kind("span", "span", "optional", False, False),
        Kind("text", "text", "none", False, False),
        Kind("stance", "stance", "fixed", True, True),
    )
}

CATEGORICAL: tuple[str, ...] = tuple(n for n, k in KINDS.items() if k.categorical)
SHOW_IF_PARENTS: tuple[str, ...] = tuple(n for n, k in KINDS.items() if k.show_if_parent)


def kind_of(type_name: str) -> Kind:
    """The kind of a task type; a KeyError here means a table was forgotten, not bad input
    (the schema loader refuses unknown types with a message first)."""
    return KINDS[type_name]
