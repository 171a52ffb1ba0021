"""Plain label columns -> numeric code matrices, one per task (or per stance target).

The input is anything shaped like ``annotator.store.labels_query.ProjectLabels`` (parallel
lists, one entry per annotation); this layer never imports the store, so it takes that shape
as a Protocol. Only ``done`` annotations carry labels into the figures; skipped and flagged
ones count as work, not as labels.

Speed: a project's annotations repeat a few value dicts many times over ({"bias":
"non_biased", ...}), so every per-value step (which label, which code, which tokens) runs once
per *distinct* value dict and reaches the annotations through numpy indexing. The store's
``fetch_labels`` says which annotations share a stored value (``packed``); for a table built
by hand, annotations that hold the same dict object share it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from annotator.analysis.aggregate import span_members
from annotator.schema.model import STANCE_VALUES, Task
from annotator.schema.values import STATUSES
from annotator.schema.values import given as used
from annotator.schema.visibility import shown

DONE = STATUSES[0]  # `Rows.status` codes are positions in STATUSES; 3: anything else


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


def _given(value: Any) -> bool:
    # A value, or the number 0; not None, "", [] or {}.
    return bool(value) or value == 0


def visible(task: Task, values: dict[str, Any]) -> bool:
    """Whether `task` was on screen for an annotation with these values (its show_if)."""
    return _shown(list(task.show_if.items()), values)


@dataclass
class Rows:
    """A label table as arrays: one entry per annotation, values by distinct-value index."""

    unit: np.ndarray  # int64 unit id
    annotator: np.ndarray  # int64 annotator index
    status: np.ndarray  # int8: index into STATUSES, 3 for anything else
    seconds: np.ndarray  # float64, nan where none
    value_id: np.ndarray  # int64 index into `distinct`
    distinct: list[dict[str, Any]]
    n_annotators: int

    @property
    def done(self) -> np.ndarray:
        return self.status == 0

    def chosen(self, who: set[int] | None) -> np.ndarray:
        """Mask of the done annotations (by the chosen annotators)."""
        done = self.done
        if who is None:
            return done
        return done & np.isin(self.annotator, np.fromiter(who, np.int64, len(who)))


def as_rows(table: LabelTable) -> Rows:
    """The table as `Rows` (from the store's packed arrays when it has them)."""
    packed = getattr(table, "packed", None)
    if packed is not None:
        return Rows(
            packed.unit,
            packed.annotator,
            packed.status,
            packed.seconds,
            packed.value_id,
            packed.distinct,
            len(table.annotators),
        )
    n = len(table.unit)
    codes = {s: i for i, s in enumerate(STATUSES)}
    status = np.fromiter((codes.get(s, 3) for s in table.status), np.int8, n)
    seconds = np.array(table.seconds, dtype=np.float64) if n else np.zeros(0)
    first: dict[int, int] = {}
    distinct: list[dict[str, Any]] = []
    ids = np.empty(n, dtype=np.int64)
    for r, v in enumerate(table.values):
        i = first.get(id(v))
        if i is None:
            i = first[id(v)] = len(distinct)
            distinct.append(v)
        ids[r] = i
    return Rows(
        np.fromiter(table.unit, np.int64, n),
        np.fromiter(table.annotator, np.int64, n),
        status,
        seconds,
        ids,
        distinct,
        len(table.annotators),
    )


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


@dataclass
class RowCodes:
    """One coded name's value per annotation (-1: none), before choosing annotations.

    Codes below `fixed` are the schema's values, always listed; the others were found in
    the data and are kept, in the order first seen, only where the chosen annotations use them.
    """

    name: str
    categories: list[Any]
    fixed: int
    codes: np.ndarray  # per annotation
    level: str
    sets: list[set[str]] | None = None


def _numbers(categories: Sequence[str], level: str) -> list[float]:
    """Numeric values: the labels themselves when all are numbers (a 1-5 scale), else their
    position in the schema (0, 1, 2 ...; from 1 on the ratio level, where 0 is special)."""
    try:
        return [float(c) for c in categories]
    except (TypeError, ValueError):
        start = 1 if level == "ratio" else 0
        return [float(i + start) for i in range(len(categories))]


def _per_distinct(
    distinct: list[Any], categories: list[Any], key=None
) -> tuple[np.ndarray, list[Any]]:
    """Code of each distinct value (-1 when none given), extending `categories` as needed."""
    index = {c: i for i, c in enumerate(categories)}
    cats = list(categories)
    out = np.full(len(distinct), -1, dtype=np.int64)
    for d, v in enumerate(distinct):
        if not _given(v):
            continue
        k = key(v) if key is not None else v
        i = index.get(k)
        if i is None:
            i = index[k] = len(cats)
            cats.append(k)
        out[d] = i
    return out, cats


def row_codes(rows: Rows, task: Task, level: str) -> list[RowCodes]:
    """A single/scale/multi task as one code column; a stance task as one per target.

    A multi task is coded by its exact set of labels (so alpha asks "same set?"); the
    per-label binary figures come from `binary_per_label`.
    """
    coder = CODERS[task.type]
    return coder([d.get(task.name) for d in rows.distinct], rows, task, level) if coder else []


def _code_one(values: list[Any], rows: Rows, task: Task, level: str) -> list[RowCodes]:
    fixed = list(task.values)
    per, cats = _per_distinct(values, fixed)
    return [RowCodes(task.name, cats, len(fixed), per[rows.value_id], level)]


def _code_many(values: list[Any], rows: Rows, task: Task, level: str) -> list[RowCodes]:
    per, keys = _per_distinct(
        values,
        [],
        key=lambda v: tuple(sorted(map(str, v))) if isinstance(v, list) else (str(v),),
    )
    cats = ["+".join(k) for k in keys]
    return [RowCodes(task.name, cats, 0, per[rows.value_id], "nominal", [set(k) for k in keys])]


def _code_stance(values: list[Any], rows: Rows, task: Task, level: str) -> list[RowCodes]:
    dicts = [v if isinstance(v, dict) else {} for v in values]
    targets = sorted({t for v in dicts for t, x in v.items() if used(x)})
    out = []
    for target in targets:
        # `used`, not `_given`: a stance of 0 is no stance.
        per_target = [v.get(target) if used(v.get(target)) else None for v in dicts]
        per, cats = _per_distinct(per_target, list(STANCE_VALUES))
        out.append(
            RowCodes(f"{task.name}[{target}]", cats, len(STANCE_VALUES), per[rows.value_id], level)
        )
    return out


Coder = Callable[[list[Any], Rows, Task, str], list[RowCodes]]
# Kind -> how its values become category codes; None: not categorical (spans have their own
# figures, free text none). Exhaustive over schema.kinds.KINDS (tests/test_kinds_registry.py).
CODERS: dict[str, Coder | None] = {
    "single": _code_one,
    "scale": _code_one,
    "multi": _code_many,
    "stance": _code_stance,
    "span": None,
    "text": None,
}


def to_matrix(rc: RowCodes, rows: Rows, mask: np.ndarray) -> Coded:
    """The code matrix (annotators x units) of the annotations in `mask`."""
    pick = np.flatnonzero(mask & (rc.codes >= 0))
    codes = rc.codes[pick]
    # Keep the schema's values, then the others these annotations use, in the order seen.
    extra = codes >= rc.fixed
    categories = list(rc.categories[: rc.fixed])
    sets = rc.sets
    if extra.any() or len(rc.categories) > rc.fixed:
        found, first = np.unique(codes[extra], return_index=True)
        found = found[np.argsort(first, kind="stable")]
        remap = np.full(len(rc.categories), -1, dtype=np.int64)
        remap[: rc.fixed] = np.arange(rc.fixed)
        remap[found] = rc.fixed + np.arange(len(found))
        codes = remap[codes]
        categories += [rc.categories[i] for i in found.tolist()]
        if sets is not None:
            sets = sets[: rc.fixed] + [sets[i] for i in found.tolist()]
    unit_ids, col = unique_inverse(rows.unit[pick])
    people = rows.annotator[pick]
    present = np.zeros(rows.n_annotators + 1, dtype=bool)
    present[people] = True
    order = np.flatnonzero(present)
    row_of = np.cumsum(present) - 1
    matrix = np.full((len(order), len(unit_ids)), -1, dtype=np.int64)
    matrix[row_of[people], col] = codes
    return Coded(
        rc.name,
        categories,
        _numbers(categories, rc.level),
        matrix,
        unit_ids,
        order.tolist(),
        [set(s) for s in sets] if sets is not None else None,
    )


def code_task(
    table: LabelTable | Rows,
    task: Task,
    level: str,
    who: set[int] | None,
) -> list[Coded]:
    """A single/scale/multi task as one matrix; a stance task as one per target."""
    rows = table if isinstance(table, Rows) else as_rows(table)
    mask = rows.chosen(who)
    return [to_matrix(rc, rows, mask) for rc in row_codes(rows, task, level)]


def given_units(rows: Rows, task: Task, mask: np.ndarray) -> int:
    """How many units have a value for `task` among the annotations in `mask`."""
    per = np.fromiter((_given(d.get(task.name)) for d in rows.distinct), bool, len(rows.distinct))
    return count_distinct(rows.unit[mask & per[rows.value_id]])


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


# --- spans ------------------------------------------------------------------------------


@dataclass
class SpanRows:
    """A span task's marks, flattened: one entry per marked token (or (token, label))."""

    people: list[int]  # annotator indexes who saw the task
    seen: dict[int, np.ndarray]  # annotator -> sorted units where the task was on screen
    keys: dict[int, np.ndarray]  # annotator -> sorted unit * members + member code
    members: int  # how many distinct members: the key's base
    marked_units: int  # units where someone marked something
    distribution: dict[str, int]  # label ("marked" when unlabelled) -> marks (unit, annotator)


def span_rows(rows: Rows, task: Task, mask: np.ndarray) -> SpanRows:
    """The annotations in `mask` where `task` was on screen (its show_if met), and what each
    marked: where marking nothing is an answer, and the tokens to compare."""
    conditions = list(task.show_if.items())
    member_code: dict[Any, int] = {}
    shown = np.ones(len(rows.distinct), dtype=bool)
    starts: list[int] = []
    lengths: list[int] = []
    flat: list[int] = []
    labels: list[set[str]] = []
    for d, values in enumerate(rows.distinct):
        if conditions and not _shown(conditions, values):
            shown[d] = False
        value = values.get(task.name)
        members = _members(value) if value and shown[d] else set()
        starts.append(len(flat))
        lengths.append(len(members))
        # Sorted codes: then each annotator's keys come out increasing (no sort needed).
        flat.extend(sorted(member_code.setdefault(m, len(member_code)) for m in members))
        labels.append({str(x[1]) if isinstance(x, tuple) else "marked" for x in members})
    on = np.flatnonzero(mask & shown[rows.value_id])
    unit, person, vid = rows.unit[on], rows.annotator[on], rows.value_id[on]
    length = np.asarray(lengths, dtype=np.int64)[vid] if len(on) else np.zeros(0, np.int64)
    # Expand each annotation into its members: position in `flat` = start + 0..length-1.
    total = int(length.sum())
    base = np.repeat(np.asarray(starts, dtype=np.int64)[vid] if len(on) else length, length)
    step = np.arange(total) - np.repeat(np.cumsum(length) - length, length)
    code = np.asarray(flat, dtype=np.int64)[base + step] if total else np.zeros(0, np.int64)
    m = max(len(member_code), 1)
    keys = np.repeat(unit, length) * m + code
    owner = np.repeat(person, length)
    people = np.unique(person).tolist()
    marks = np.bincount(vid[length > 0], minlength=len(rows.distinct))
    distribution: dict[str, int] = {}
    for d in np.flatnonzero(marks).tolist():
        for label in sorted(labels[d]):
            distribution[label] = distribution.get(label, 0) + int(marks[d])
    return SpanRows(
        people,
        {a: _sorted_set(unit[person == a]) for a in people},
        {a: _sorted_set(keys[owner == a]) for a in people},
        m,
        count_distinct(unit[length > 0]),
        distribution,
    )


def unique_inverse(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """np.unique(x, return_inverse=True), in one pass when `x` is already sorted (the store
    gives annotations in unit order)."""
    if len(x) and bool((x[1:] >= x[:-1]).all()):
        new = np.empty(len(x), dtype=bool)
        new[0] = True
        np.not_equal(x[1:], x[:-1], out=new[1:])
        return x[new], np.cumsum(new) - 1
    return np.unique(x, return_inverse=True)


def count_distinct(x: np.ndarray) -> int:
    return len(unique_inverse(x)[0])


def _sorted_set(x: np.ndarray) -> np.ndarray:
    """np.unique, skipping the sort when `x` is already strictly increasing (annotations come
    in unit order, one per unit and annotator)."""
    if len(x) < 2 or bool((x[1:] > x[:-1]).all()):
        return x
    return np.unique(x)


def _shown(conditions: list[tuple[str, tuple[str, ...]]], values: dict[str, Any]) -> bool:
    return shown(dict(conditions), values)


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
