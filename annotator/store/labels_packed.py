"""A project's labels read from a SQLite store with the sqlite3 module alone: the columns
``labels_query.fetch_labels`` returns, for it and for `annotator agreement`'s direct path
(``agreement_direct``), which loads neither SQLAlchemy nor the models.

On SQLite the annotations arrive in one row of ``group_concat`` columns (numbers parsed by
numpy, statuses as digits), not half a million row tuples; each distinct stored value text is
decoded once, and the annotations that share it share one dict. ``ProjectLabels.packed``
keeps those arrays for the analysis layer, which then works once per distinct value rather
than once per annotation.

The SQL texts take named parameters (``:p``): the sqlite3 module and SQLAlchemy's ``text``
read them alike, so both paths run the same statements.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from annotator.store.errors import StoreError

# Every annotator, by name (the order of `ProjectLabels.annotators`).
PEOPLE = "SELECT id, name, role FROM annotator ORDER BY name"
ADJUDICATIONS = (
    "SELECT j.unit_id, j.task, j.value FROM adjudication j JOIN unit u ON u.id = j.unit_id "
    "WHERE u.project_id = :p"
)
UNITS = "SELECT count(*) FROM unit WHERE project_id = :p"
# One row: every annotation's columns joined into strings, in table order (a plain scan:
# a third of the time of walking the index and looking each row up). char(30) (record
# separator) never occurs in JSON text (control characters are escaped inside strings); NULL
# seconds become "nan", which numpy reads back as such. Seconds come back to 15 significant
# digits (SQLite's REAL -> text).
_PACKED = (
    "SELECT count(*), group_concat(unit_id), group_concat(annotator_id), "
    "group_concat(CASE status WHEN 'done' THEN 0 WHEN 'skipped' THEN 1 WHEN 'flagged' THEN 2 "
    "ELSE 3 END, ''), group_concat(ifnull(seconds, 'nan')), group_concat(\"values\", char(30))"
    "{extra} FROM annotation NOT INDEXED{where}"
)
# Annotation ids in the order they were first made (for figures "as annotation goes on").
_MADE = (
    "SELECT group_concat(id) FROM (SELECT id FROM annotation NOT INDEXED{where} "
    "ORDER BY created_at, id)"
)
# Answers to check items are scored on their own (store.checks), never counted here.
_ORDINARY = " WHERE NOT is_check"
_IN_PROJECT = _ORDINARY + " AND unit_id IN (SELECT id FROM unit WHERE project_id = :p)"


@dataclass
class Packed:
    """The annotations as numpy arrays (what `fetch_labels` read), for the analysis layer.

    ``value_id[r]`` indexes ``distinct``: annotations whose stored value is the same text
    share one decoded dict (so treat ``ProjectLabels.values`` as read-only)."""

    unit: Any  # np.ndarray int64
    annotator: Any  # np.ndarray int64: index into ProjectLabels.annotators
    status: Any  # np.ndarray int8: index into STATUSES, 3 for anything else
    seconds: Any  # np.ndarray float64, nan where none
    value_id: Any  # np.ndarray int64
    distinct: list[dict[str, Any]]
    made: Any = None  # with fetch_labels(order=True): np.ndarray, 0 for the first made, ...


@dataclass
class ProjectLabels:
    """Every annotation of a project as parallel columns.

    ``annotators[i]`` is the name behind annotator index ``i`` and ``roles[i]`` its role;
    ``unit[r]``, ``annotator[r]``, ``status[r]``, ``seconds[r]`` and ``values[r]``
    ({task: value}) describe annotation ``r``. ``adjudications`` maps task -> unit -> value.
    """

    annotators: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    unit: list[int] = field(default_factory=list)
    annotator: list[int] = field(default_factory=list)
    status: list[str] = field(default_factory=list)
    seconds: list[float | None] = field(default_factory=list)
    values: list[dict[str, Any]] = field(default_factory=list)
    adjudications: dict[str, dict[int, Any]] = field(default_factory=dict)
    total_units: int = 0
    packed: Packed | None = None  # set by fetch_labels; None for tables built by hand

    def by_unit(
        self, task: str, statuses: tuple[str, ...] = ("done",)
    ) -> dict[int, dict[str, Any]]:
        """unit -> annotator name -> value, for one task (the shape a review screen shows)."""
        from collections import defaultdict

        out: dict[int, dict[str, Any]] = defaultdict(dict)
        for u, a, s, v in zip(self.unit, self.annotator, self.status, self.values, strict=True):
            if s in statuses and task in v:
                out[u][self.annotators[a]] = v[task]
        return dict(out)


def decode(texts: list[str]) -> tuple[Any, list[dict[str, Any]]]:
    """Each text's index among the distinct texts (an int64 array), and those decoded once."""
    import numpy as np

    index = {t: i for i, t in enumerate(dict.fromkeys(texts))}
    ids = np.fromiter(map(index.__getitem__, texts), np.int64, len(texts))
    loads = json.loads
    return ids, [(loads(t) if t else {}) or {} for t in index]


def ranks(ids: Any, made: Any) -> Any:
    """Each annotation's place (0, 1, ...) in `made`, the ids in the order they were made."""
    import numpy as np

    made = np.asarray(made, dtype=np.int64)
    sorter = np.argsort(made)
    return sorter[np.searchsorted(made, ids, sorter=sorter)]


@dataclass
class PackedText:
    """What the packed query returned, not yet parsed (see `read_packed`, `parse_packed`)."""

    n: int
    units: str
    who: str
    status: str
    seconds: str
    values: str
    ids: str | None = None  # annotation ids, in the same order (with `order`)
    made: str | None = None  # annotation ids in the order they were made (with `order`)


def read_packed(raw: sqlite3.Connection, project_id: int, order: bool) -> PackedText | None:
    """The project's ordinary annotations as the packed query's strings (None: none).

    Only SQL runs here (the sqlite3 module lets other threads run meanwhile)."""
    # Every annotation is some project's: with one project in the store, no filter is needed.
    (projects,) = raw.execute("SELECT count(*) FROM project").fetchone()
    where = _ORDINARY if projects == 1 else _IN_PROJECT
    params = {} if projects == 1 else {"p": project_id}
    extra = ", group_concat(id)" if order else ""
    n, units, who, status, seconds, values, *ids = raw.execute(
        _PACKED.format(where=where, extra=extra), params
    ).fetchone()
    if not n:
        return None
    got = PackedText(n, units, who, status, seconds, values)
    if order:
        got.ids = ids[0]
        (got.made,) = raw.execute(_MADE.format(where=where), params).fetchone()
    return got


def parse_packed(got: PackedText) -> tuple[Any, ...]:
    """(unit, annotator id, status code, seconds, value id[, creation rank]) arrays and the
    distinct values, in (unit, annotator) order."""
    import numpy as np

    texts = got.values.split("\x1e")
    out: list[Any] = [
        np.fromstring(got.units, sep=",", dtype=np.int64),
        np.fromstring(got.who, sep=",", dtype=np.int64),
        np.frombuffer(got.status.encode(), dtype=np.int8) - ord("0"),
        np.fromstring(got.seconds, sep=",", dtype=np.float64),
    ]
    if got.ids is not None and got.made is not None:
        made_ids = np.fromstring(got.made, sep=",", dtype=np.int64)
        out.append(ranks(np.fromstring(got.ids, sep=",", dtype=np.int64), made_ids))
    if not all(len(col) == got.n for col in [*out, texts]):
        raise StoreError("annotations could not be read back in one piece: please report this")
    value_ids, distinct = decode(texts)
    out.insert(4, value_ids)
    # In (unit, annotator) order, as the query on other databases gives them.
    key = out[0] * (int(out[1].max()) + 1) + out[1]
    if (key[1:] < key[:-1]).any():
        rows = np.argsort(key, kind="stable")
        out = [col[rows] for col in out]
    return (*out, distinct)


def assemble(people: Sequence[Any], got: tuple[Any, ...] | None) -> ProjectLabels:
    """The labels from `people` (id, name, role; by name) and the parsed columns: annotator
    ids become indexes into ``annotators`` (those with an annotation, in name order)."""
    import numpy as np

    data = ProjectLabels()
    if got is None:
        return data
    units, who, status, seconds, ids, *made, distinct = got
    present = set(np.flatnonzero(np.bincount(who)).tolist())
    index = np.full(max(present) + 1, -1, dtype=np.int64)
    for aid, name, role in people:
        if aid in present:
            index[aid] = len(data.annotators)
            data.annotators.append(name)
            data.roles.append(role)
    who = index[who]
    if (who < 0).any():
        raise StoreError("annotations by an annotator the store does not list")
    data.packed = Packed(units, who, status, seconds, ids, distinct, *made)
    return data


@dataclass
class LabelsRead:
    """Everything `read_labels` read in its one read transaction, not yet parsed."""

    people: list[Any]
    packed: PackedText | None
    adjudications: list[Any]
    total_units: int


def read_labels(raw: sqlite3.Connection, project_id: int) -> LabelsRead:
    """The SQL of `fetch_labels(lists=False)` on a sqlite3 connection, in one read
    transaction (every figure from one snapshot); `labels_of` parses what it read."""
    raw.execute("BEGIN")
    try:
        people = raw.execute(PEOPLE).fetchall()
        packed = read_packed(raw, project_id, order=False)
        params = {"p": project_id}
        adjudications = raw.execute(ADJUDICATIONS, params).fetchall()
        (total,) = raw.execute(UNITS, params).fetchone()
    finally:
        # An error may have ended the transaction already (SQLite rolls back on a full disk or
        # an I/O error): a COMMIT then would raise "no transaction is active" in its place.
        if raw.in_transaction:
            raw.execute("COMMIT")
    return LabelsRead(people, packed, adjudications, total)


def labels_of(read: LabelsRead) -> ProjectLabels:
    """`read_labels`' rows as `ProjectLabels` (``packed`` only, as fetch_labels(lists=False))."""
    data = assemble(read.people, parse_packed(read.packed) if read.packed else None)
    for uid, task, value in read.adjudications:
        data.adjudications.setdefault(task, {})[uid] = json_value(value)
    data.total_units = read.total_units
    return data


def json_value(value: Any, sqlite: bool = True) -> Any:
    """A JSON column decoded: SQLite gives its text; PostgreSQL's drivers decode it
    themselves (where a JSON string arrives as a Python str and must not be parsed again)."""
    return json.loads(value) if sqlite and isinstance(value, str | bytes) else value
