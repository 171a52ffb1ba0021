"""Plain label columns -> numeric code matrices, one per task (or per stance target).

The input is anything shaped like ``annotator.store.labels_query.ProjectLabels`` (parallel
lists, one entry per annotation); this layer never imports the store, so it takes that shape
as a Protocol. Only ``done`` annotations carry labels into the figures; skipped and flagged
ones count as work, not as labels.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from annotator.analysis.aggregate import span_members
from annotator.schema.model import STANCE_VALUES, Task

DONE = "done"


class LabelTable(Protocol):
    annotators: list[str]
    roles: list[str]
    unit: list[int]
    annotator: list[int]
    status: list[str]
    seconds: list[float | None]
    values: list[dict[str, Any]]
    adjudications: dict[str, dict[int, Any]]
    total_units: int


def used(value: Any) -> bool:
    return value not in (None, "", [], {})


def visible(task: Task, values: dict[str, Any]) -> bool:
    """Whether `task` was on screen for an annotation with these values (its show_if)."""
    for other, accepted in task.show_if.items():
        given = values.get(other)
        chosen = given if isinstance(given, list) else [given]
        if not any(v in accepted for v in chosen):
            return False
    return True


@dataclass
class Coded:
    """One task's labels as codes: annotators x units, -1 where no value."""

    name: str  # the task, or "task[target]" for a stance target
    categories: list[str]  # code -> value as stored
    domain: list[float]  # code -> number for the ordinal/interval/ratio levels
    codes: np.ndarray
    unit_ids: np.ndarray  # column -> unit id
    annotators: list[int]  # row -> annotator index in the table

    @property
    def k(self) -> int:
        return len(self.categories)


def _numbers(categories: Sequence[str], level: str) -> list[float]:
    """Numeric values: the labels themselves when all are numbers (a 1-5 scale), else their
    position in the schema (0, 1, 2 ...; from 1 on the ratio level, where 0 is special)."""
    try:
        return [float(c) for c in categories]
    except (TypeError, ValueError):
        start = 1 if level == "ratio" else 0
        return [float(i + start) for i in range(len(categories))]


def rows_for(
    table: LabelTable, task: str, who: set[int] | None
) -> tuple[list[int], list[int], list[Any]]:
    """(units, annotators, values) of the done annotations giving `task` a value."""
    units, people, values = [], [], []
    for u, a, s, v in zip(table.unit, table.annotator, table.status, table.values, strict=True):
        if s != DONE or (who is not None and a not in who):
            continue
        value = v.get(task)
        if used(value):
            units.append(u)
            people.append(a)
            values.append(value)
    return units, people, values


def encode(
    name: str,
    units: list[int],
    people: list[int],
    values: Iterable[Any],
    categories: list[str],
    level: str,
) -> Coded:
    """Code matrix of hashable values; values outside `categories` are appended in order seen."""
    index = {c: i for i, c in enumerate(categories)}
    cats = list(categories)
    codes_flat = []
    for v in values:
        code = index.get(v)
        if code is None:
            code = index[v] = len(cats)
            cats.append(v)
        codes_flat.append(code)
    unit_ids, col = np.unique(np.asarray(units, dtype=np.int64), return_inverse=True)
    rows = sorted(set(people))
    row_of = np.full(max(rows, default=-1) + 1, -1, dtype=np.int64)
    row_of[rows] = np.arange(len(rows))
    codes = np.full((len(rows), len(unit_ids)), -1, dtype=np.int64)
    if codes_flat:
        codes[row_of[np.asarray(people)], col] = np.asarray(codes_flat, dtype=np.int64)
    return Coded(name, cats, _numbers(cats, level), codes, unit_ids, rows)


def code_task(table: LabelTable, task: Task, level: str, who: set[int] | None) -> list[Coded]:
    """A single/scale/multi task as one matrix; a stance task as one per target.

    A multi task is coded by its exact set of labels (so alpha asks "same set?"); the
    per-label binary figures come from `binary_per_label`.
    """
    units, people, values = rows_for(table, task.name, who)
    if task.type in ("single", "scale"):
        return [encode(task.name, units, people, values, list(task.values), level)]
    if task.type == "multi":
        sets = ["+".join(sorted(map(str, v))) if isinstance(v, list) else str(v) for v in values]
        return [encode(task.name, units, people, sets, [], "nominal")]
    if task.type == "stance":
        out = []
        targets = sorted({t for v in values if isinstance(v, dict) for t in v})
        for target in targets:
            keep = [
                (u, a, v[target])
                for u, a, v in zip(units, people, values, strict=True)
                if isinstance(v, dict) and used(v.get(target))
            ]
            out.append(
                encode(
                    f"{task.name}[{target}]",
                    [k[0] for k in keep],
                    [k[1] for k in keep],
                    [k[2] for k in keep],
                    list(STANCE_VALUES),
                    level,
                )
            )
        return out
    return []


def binary_per_label(table: LabelTable, task: Task, who: set[int] | None) -> dict[str, Coded]:
    """Multi task: per label, 1/0 for chosen/not by each annotator who answered the task."""
    units, people, values = rows_for(table, task.name, who)
    sets = [set(v) if isinstance(v, list) else {v} for v in values]
    labels = list(task.values) + sorted({x for s in sets for x in s} - set(task.values), key=str)
    out = {}
    for label in labels:
        bits = ["1" if label in s else "0" for s in sets]
        out[label] = encode(f"{task.name}:{label}", units, people, bits, ["0", "1"], "nominal")
    return out


def span_sets(
    table: LabelTable, task: Task, who: set[int] | None
) -> tuple[dict[int, dict[int, frozenset[Any]]], dict[int, set[int]]]:
    """Per annotator: unit -> marked (token, label) pairs, and the units where the task was
    on their screen (done, and its show_if met) — where marking nothing is an answer."""
    marked: dict[int, dict[int, frozenset[Any]]] = {}
    seen: dict[int, set[int]] = {}
    for u, a, s, v in zip(table.unit, table.annotator, table.status, table.values, strict=True):
        if s != DONE or (who is not None and a not in who) or not visible(task, v):
            continue
        seen.setdefault(a, set()).add(u)
        value = v.get(task.name)
        if used(value):
            members = span_members(value)
            if members:
                marked.setdefault(a, {})[u] = frozenset(members)
    return marked, seen
