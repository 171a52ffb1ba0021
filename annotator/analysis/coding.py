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
    return _shown(list(task.show_if.items()), values)


@dataclass
class Coded:
    """One task's labels as codes: annotators x units, -1 where no value."""

    name: str  # the task, or "task[target]" for a stance target
    categories: list[str]  # code -> value as stored
    domain: list[float]  # code -> number for the ordinal/interval/ratio levels
    codes: np.ndarray
    unit_ids: np.ndarray  # column -> unit id
    annotators: list[int]  # row -> annotator index in the table
    sets: list[set[str]] | None = None  # multi: code -> the set of labels it stands for

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


def done_rows(table: LabelTable, who: set[int] | None) -> list[int]:
    """Indexes of the done annotations (by the chosen annotators)."""
    status, people = table.status, table.annotator
    if who is None:
        return [i for i, s in enumerate(status) if s == DONE]
    return [i for i, s in enumerate(status) if s == DONE and people[i] in who]


def rows_for(
    table: LabelTable, task: str, who: set[int] | None, done: list[int] | None = None
) -> tuple[list[int], list[int], list[Any]]:
    """(units, annotators, values) of the done annotations giving `task` a value."""
    rows = done_rows(table, who) if done is None else done
    vals, unit, person = table.values, table.unit, table.annotator
    # `v or v == 0`: a value, or the number 0; not None, "", [] or {} (no function call:
    # this runs once per annotation and task).
    keep = [i for i in rows if (v := vals[i].get(task)) or v == 0]
    return [unit[i] for i in keep], [person[i] for i in keep], [vals[i][task] for i in keep]


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
    values = list(values)
    for v in dict.fromkeys(values):
        if v not in index:
            index[v] = len(cats)
            cats.append(v)
    codes_flat = [index[v] for v in values]
    unit_ids, col = np.unique(np.asarray(units, dtype=np.int64), return_inverse=True)
    rows = sorted(set(people))
    row_of = np.full(max(rows, default=-1) + 1, -1, dtype=np.int64)
    row_of[rows] = np.arange(len(rows))
    codes = np.full((len(rows), len(unit_ids)), -1, dtype=np.int64)
    if codes_flat:
        codes[row_of[np.asarray(people)], col] = np.asarray(codes_flat, dtype=np.int64)
    return Coded(name, cats, _numbers(cats, level), codes, unit_ids, rows)


def code_task(
    table: LabelTable,
    task: Task,
    level: str,
    who: set[int] | None,
    done: list[int] | None = None,
) -> list[Coded]:
    """A single/scale/multi task as one matrix; a stance task as one per target.

    A multi task is coded by its exact set of labels (so alpha asks "same set?"); the
    per-label binary figures come from `binary_per_label`.
    """
    units, people, values = rows_for(table, task.name, who, done)
    if task.type in ("single", "scale"):
        return [encode(task.name, units, people, values, list(task.values), level)]
    if task.type == "multi":
        keys = [tuple(sorted(map(str, v))) if isinstance(v, list) else (str(v),) for v in values]
        coded = encode(task.name, units, people, keys, [], "nominal")
        coded.categories = ["+".join(c) for c in coded.categories]
        coded.sets = [set(k) for k in dict.fromkeys(keys)]
        return [coded]
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


def binary_per_label(coded: Coded, task: Task) -> dict[str, Coded]:
    """Multi task: per label, 1/0 for chosen/not by each annotator who answered the task
    (from the exact-set codes of `code_task`, one lookup per label)."""
    sets = coded.sets or []
    labels = list(task.values) + sorted({x for s in sets for x in s} - set(task.values))
    out = {}
    given = coded.codes >= 0
    for label in labels:
        lookup = np.array([label in s for s in sets] or [False], dtype=np.int64)
        bits = np.where(given, lookup[np.where(given, coded.codes, 0)], -1)
        out[label] = Coded(
            f"{task.name}:{label}", ["0", "1"], [0.0, 1.0], bits, coded.unit_ids, coded.annotators
        )
    return out


def span_sets(
    table: LabelTable, task: Task, who: set[int] | None, done: list[int] | None = None
) -> tuple[dict[int, dict[int, frozenset[Any]]], dict[int, set[int]]]:
    """Per annotator: unit -> marked (token, label) pairs, and the units where the task was
    on their screen (done, and its show_if met) — where marking nothing is an answer."""
    marked: dict[int, dict[int, frozenset[Any]]] = {}
    seen: dict[int, set[int]] = {}
    name, vals, unit, person = task.name, table.values, table.unit, table.annotator
    conditions = list(task.show_if.items())
    for i in done_rows(table, who) if done is None else done:
        v = vals[i]
        if conditions and not _shown(conditions, v):
            continue
        a, u = person[i], unit[i]
        seen.setdefault(a, set()).add(u)
        value = v.get(name)
        if value:
            members = _members(value)
            if members:
                marked.setdefault(a, {})[u] = frozenset(members)
    return marked, seen


def _shown(conditions: list[tuple[str, tuple[str, ...]]], values: dict[str, Any]) -> bool:
    for other, accepted in conditions:
        given = values.get(other)
        if isinstance(given, list):
            if not any(x in accepted for x in given):
                return False
        elif given not in accepted:
            return False
    return True


def _members(value: Any) -> set[Any]:
    """`span_members`, with a fast path for the annotate screen's token_start/end dicts."""
    if not isinstance(value, list):
        return set()
    out: set[Any] = set()
    for item in value:
        if type(item) is not dict or "tokens" in item or "label" in item:
            return _slow_members(value)
        start, end = item.get("token_start"), item.get("token_end")
        if type(start) is not int or type(end) is not int:
            return _slow_members(value)
        out.update(range(start, end))
    # Unlabelled spans as bare token indices (the same comparisons as (token, None) pairs).
    return out


def _slow_members(value: Any) -> set[Any]:
    return {t if label is None else (t, label) for t, label in span_members(value)}
