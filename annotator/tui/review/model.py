"""What the review screen decides with, free of Textual: filters, suggestions, value text.

The suggestion for a unit and task: Dawid-Skene (single and scale tasks, once computed over
the whole project: it weighs each annotator by how reliable they have been) unless it ties,
else the majority vote unless it ties, else none.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from annotator.analysis.aggregate import TIE, Gold, gold_for_task
from annotator.analysis.dawid_skene import DAWID_SKENE, gold_for_units
from annotator.schema.model import Schema, Task
from annotator.store.adjudications import SHOWS, Opinion, canonical, used

FILTER_KEYS = ("task", "doc", "who", "show")


@dataclass(frozen=True)
class Filters:
    show: str = "disagreements"
    task: str | None = None
    document: str | None = None  # an id or a piece of the title / source path
    who: tuple[str, ...] = ()  # units labelled by any of these annotators

    def describe(self) -> str:
        parts = [f"show:{self.show}"]
        if self.task:
            parts.append(shlex.quote(f"task:{self.task}"))
        if self.document:
            parts.append(shlex.quote(f"doc:{self.document}"))
        if self.who:
            parts.append(shlex.quote(f"who:{','.join(self.who)}"))
        return " ".join(parts)


def parse_filters(line: str, base: Filters | None = None) -> Filters:
    """``task:bias doc:12 who:alice,bob show:flagged``; ``task:`` (empty) drops a filter.

    Raises ValueError with one line for a person."""
    out = base or Filters()
    try:
        words = shlex.split(line)
    except ValueError as exc:
        raise ValueError(f"filter: {exc}") from None
    for word in words:
        key, sep, value = word.partition(":")
        if not sep or key not in FILTER_KEYS:
            raise ValueError(f"filter {word!r}: use {' '.join(k + ':…' for k in FILTER_KEYS)}")
        value = value.strip()
        if key == "show":
            if value not in SHOWS:
                raise ValueError(f"show:{value}: use one of {', '.join(SHOWS)}")
            out = replace(out, show=value)
        elif key == "task":
            out = replace(out, task=value or None)
        elif key == "doc":
            out = replace(out, document=value or None)
        else:
            out = replace(out, who=tuple(p.strip() for p in value.split(",") if p.strip()))
    return out


@dataclass(frozen=True)
class Suggestion:
    value: Any  # None: nothing to suggest
    majority: Gold
    dawid_skene: Gold | None = None
    task: Task | None = None  # to say values as their labels

    def why(self) -> str:
        """Where the suggestion comes from: ``majority of 3: biased · Dawid-Skene: biased``."""
        m = self.majority
        if m.source == TIE:
            parts = [f"majority of {m.votes}: tie"]
        elif used(m.value):
            parts = [f"majority of {m.votes}: {value_text(self.task, m.value)}"]
        else:
            parts = ["no majority"]
        ds = self.dawid_skene
        if ds is not None and ds.value is not None and canonical(ds.value) == canonical(m.value):
            return f"majority of {m.votes} and Dawid-Skene agree"
        if ds is not None:
            parts.append(
                f"Dawid-Skene: {value_text(self.task, ds.value) if ds.value is not None else 'tie'}"
            )
        return " · ".join(parts)


def suggest(task: Task, opinions: Sequence[Opinion], ds: Gold | None = None) -> Suggestion:
    values = [o.values.get(task.name) for o in opinions if o.status == "done"]
    majority = gold_for_task(task.type, [v for v in values if used(v)])
    if ds is not None and ds.value is not None:
        return Suggestion(ds.value, majority, ds, task)
    value = majority.value if majority.source != TIE and used(majority.value) else None
    return Suggestion(value, majority, ds, task)


def dawid_skene_golds(schema: Schema, table: Any) -> dict[str, dict[int, Gold]]:
    """task -> unit -> Dawid-Skene gold, for every single/scale task (slow: run off the UI)."""
    out: dict[str, dict[int, Gold]] = {}
    for task in schema.tasks:
        if task.type in ("single", "scale"):
            golds = gold_for_units(table, task, DAWID_SKENE)
            # Adjudicated units come back as such: the suggestion is about the annotators.
            out[task.name] = {
                u: g for u, g in golds.items() if g.source == DAWID_SKENE or g.source == TIE
            }
    return out


def value_text(task: Task | None, value: Any) -> str:
    """A stored value as the annotators saw it: label text for label values, spans as their
    words, a stance per target."""
    if not used(value):
        return "–"
    names = {lab.value: lab.text for lab in task.labels} if task is not None else {}

    def label(v: Any) -> str:
        return names.get(v, str(v)) if isinstance(v, str) else str(v)

    if isinstance(value, list):
        if value and all(isinstance(v, dict) for v in value):
            return " | ".join(
                str(v.get("text") or f"{v.get('token_start')}-{v.get('token_end')}") for v in value
            )
        return ", ".join(label(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {label(v)}" for k, v in value.items())
    return label(value)
