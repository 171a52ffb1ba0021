"""Plain label data for the agreement figures, aggregation and the report.

One pass over a project's annotations, returned column-wise (parallel lists, one entry per
annotation) so the analysis layer can turn a task into a value matrix with numpy in one go,
without ORM objects. Nothing here computes a figure: ``annotator.analysis`` does, on these
plain lists.

Speed (`annotator agreement` on 100k units x 5 annotators): on SQLite the annotations arrive
in one row of ``group_concat`` columns (numbers parsed by numpy, statuses as digits), not half
a million row tuples; each distinct stored value text is decoded once, and the annotations
that share it share one dict. ``ProjectLabels.packed`` keeps those arrays for the analysis
layer, which then works once per distinct value rather than once per annotation.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, select

from annotator.schema.values import STATUSES
from annotator.store.annotators import ROLES, get_or_create_annotator
from annotator.store.engine import StoreError
from annotator.store.models import Annotator

# `IN (subquery)`, not a join: SQLite then walks the (unit_id, annotator_id) index once
# (a third of the time of probing unit per annotation), already in the order wanted.
_ANNOTATIONS = text(
    'SELECT a.unit_id, a.annotator_id, a.status, a.seconds, a."values" '
    "FROM annotation a WHERE a.unit_id IN (SELECT id FROM unit WHERE project_id = :p) "
    "AND NOT a.is_check ORDER BY a.unit_id, a.annotator_id"
)
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
_MADE_GENERIC = text(
    "SELECT a.id FROM annotation a WHERE a.unit_id IN (SELECT id FROM unit WHERE project_id = :p) "
    "AND NOT a.is_check ORDER BY a.created_at, a.id"
)
# Answers to check items are scored on their own (store.checks), never counted here.
_ORDINARY = " WHERE NOT is_check"
_IN_PROJECT = _ORDINARY + " AND unit_id IN (SELECT id FROM unit WHERE project_id = ?)"
_ADJUDICATIONS = text(
    "SELECT j.unit_id, j.task, j.value FROM adjudication j JOIN unit u ON u.id = j.unit_id "
    "WHERE u.project_id = :p"
)
_UNITS = text("SELECT count(*) FROM unit WHERE project_id = :p")


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
        out: dict[int, dict[str, Any]] = defaultdict(dict)
        for u, a, s, v in zip(self.unit, self.annotator, self.status, self.values, strict=True):
            if s in statuses and task in v:
                out[u][self.annotators[a]] = v[task]
        return dict(out)


def _json(value: Any, sqlite: bool) -> Any:
    # Raw text() rows give JSON as text on SQLite and already decoded on PostgreSQL (where a
    # JSON string arrives as a Python str and must not be parsed again).
    return json.loads(value) if sqlite and isinstance(value, str | bytes) else value


def _decode(texts: list[str]) -> tuple[Any, list[dict[str, Any]]]:
    """Each text's index among the distinct texts (an int64 array), and those decoded once."""
    import numpy as np

    index = {t: i for i, t in enumerate(dict.fromkeys(texts))}
    ids = np.fromiter(map(index.__getitem__, texts), np.int64, len(texts))
    loads = json.loads
    return ids, [(loads(t) if t else {}) or {} for t in index]


def _sqlite_rows(session: Session, project_id: int, order: bool) -> tuple[Any, ...] | None:
    """(unit, annotator id, status code, seconds, value id[, creation rank]) arrays and the
    distinct values."""
    import numpy as np

    raw = session.connection().connection.dbapi_connection
    assert raw is not None
    # Every annotation is some project's: with one project in the store, no filter is needed.
    (projects,) = raw.execute("SELECT count(*) FROM project").fetchone()
    where, params = (_ORDINARY, ()) if projects == 1 else (_IN_PROJECT, (project_id,))
    extra = ", group_concat(id)" if order else ""
    n, units, who, status, seconds, values, *ids = raw.execute(
        _PACKED.format(where=where, extra=extra), params
    ).fetchone()
    if not n:
        return None
    texts = values.split("\x1e")
    out: list[Any] = [
        np.fromstring(units, sep=",", dtype=np.int64),
        np.fromstring(who, sep=",", dtype=np.int64),
        np.frombuffer(status.encode(), dtype=np.int8) - ord("0"),
        np.fromstring(seconds, sep=",", dtype=np.float64),
    ]
    if order:
        (made,) = raw.execute(_MADE.format(where=where), params).fetchone()
        made_ids = np.fromstring(made, sep=",", dtype=np.int64)
        out.append(_ranks(np.fromstring(ids[0], sep=",", dtype=np.int64), made_ids))
    if not all(len(col) == n for col in [*out, texts]):
        raise StoreError("annotations could not be read back in one piece: please report this")
    value_ids, distinct = _decode(texts)
    out.insert(4, value_ids)
    # In (unit, annotator) order, as the query on other databases gives them.
    key = out[0] * (int(out[1].max()) + 1) + out[1]
    if (key[1:] < key[:-1]).any():
        rows = np.argsort(key, kind="stable")
        out = [col[rows] for col in out]
    return (*out, distinct)


def _ranks(ids: Any, made: Any) -> Any:
    """Each annotation's place (0, 1, ...) in `made`, the ids in the order they were made."""
    import numpy as np

    made = np.asarray(made, dtype=np.int64)
    sorter = np.argsort(made)
    return sorter[np.searchsorted(made, ids, sorter=sorter)]


def _generic_rows(session: Session, project_id: int, order: bool) -> tuple[Any, ...] | None:
    import numpy as np

    # The value as JSON text, decoded here once per distinct text (PostgreSQL would decode
    # every row; and `->>`/casts are not needed for text equality).
    query = text(
        _ANNOTATIONS.text.replace('a."values"', 'CAST(a."values" AS TEXT), a.id'),
    )
    rows = session.execute(query, {"p": project_id}).all()
    if not rows:
        return None
    units, who, status, seconds, values, ids = zip(*rows, strict=True)
    codes = {s: i for i, s in enumerate(STATUSES)}
    value_ids, distinct = _decode(list(values))
    out = [
        np.array(units, dtype=np.int64),
        np.array(who, dtype=np.int64),
        np.array([codes.get(s, 3) for s in status], dtype=np.int8),
        np.array(seconds, dtype=np.float64),
        value_ids,
    ]
    if order:
        made = session.execute(_MADE_GENERIC, {"p": project_id}).scalars().all()
        out.append(_ranks(np.array(ids, dtype=np.int64), made))
    return (*out, distinct)


def fetch_labels(
    session: Session, project_id: int, *, lists: bool = True, order: bool = False
) -> ProjectLabels:
    """All ordinary annotations (any status; answers to check items are not) and the
    adjudications of a project, as plain columns.

    `lists` False leaves the per-annotation lists empty and fills only ``packed``: enough for
    the analysis layer (``compute_agreement``), which reads nothing else per annotation.
    `order` adds ``packed.made``: each annotation's place in the order they were made."""
    import numpy as np

    people = session.execute(
        select(Annotator.id, Annotator.name, Annotator.role).order_by(Annotator.name)
    ).all()
    data = ProjectLabels()
    params = {"p": project_id}
    sqlite = session.get_bind().dialect.name == "sqlite"
    got = (_sqlite_rows if sqlite else _generic_rows)(session, project_id, order)
    if got is not None:
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
        if lists:
            data.status = _status_texts(session, status, params)
            data.unit = units.tolist()
            data.annotator = who.tolist()
            data.seconds = [None if x != x else x for x in seconds.tolist()]
            data.values = [distinct[i] for i in ids.tolist()]
    for uid, task, value in session.execute(_ADJUDICATIONS, params):
        data.adjudications.setdefault(task, {})[uid] = _json(value, sqlite)
    data.total_units = session.execute(_UNITS, params).scalar_one()
    return data


def _status_texts(session: Session, codes: Any, params: dict[str, Any]) -> list[str]:
    if (codes == 3).any():
        # A status this code does not know: read the texts (in the same order).
        rows = session.execute(text(_ANNOTATIONS.text.replace('a."values"', "1")), params)
        return [r[2] for r in rows]
    return [STATUSES[c] for c in codes.tolist()]


# --- annotators and roles (for `annotator annotators ...` and the lead check) -----------


@dataclass(frozen=True)
class AnnotatorRow:
    name: str
    role: str
    done: int
    skipped: int
    flagged: int
    token: bool = False  # can sign in to `annotator serve`


def list_annotators(session: Session) -> list[AnnotatorRow]:
    """Every annotator in the store with their role and counts of annotations by status."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for aid, st, n in session.execute(
        text("SELECT annotator_id, status, count(*) FROM annotation GROUP BY annotator_id, status")
    ):
        counts[aid][st] = n
    rows = session.execute(
        select(
            Annotator.id,
            Annotator.name,
            Annotator.role,
            Annotator.token_hash.is_not(None),  # type: ignore[union-attr]
        ).order_by(Annotator.name)
    ).all()
    return [
        AnnotatorRow(
            name,
            role,
            counts[aid].get("done", 0),
            counts[aid].get("skipped", 0),
            counts[aid].get("flagged", 0),
            bool(has_token),
        )
        for aid, name, role, has_token in rows
    ]


def set_role(session: Session, name: str, role: str) -> tuple[Annotator, bool]:
    """Create `name` with `role`, or change an existing annotator's role.

    Returns the annotator and whether anything changed."""
    if role not in ROLES:
        raise StoreError(f"unknown role {role!r} (roles: {', '.join(ROLES)})")
    existing = session.exec(select(Annotator).where(Annotator.name == name.strip())).first()
    if existing is None:
        return get_or_create_annotator(session, name, role), True
    if existing.role == role:
        return existing, False
    existing.role = role
    session.add(existing)
    session.flush()
    return existing, True


def role_of(session: Session, name: str) -> str | None:
    """The role of the annotator called `name`, or None when there is none."""
    return session.exec(select(Annotator.role).where(Annotator.name == name.strip())).first()


def has_lead(session: Session) -> bool:
    return session.exec(select(Annotator.id).where(Annotator.role == "lead")).first() is not None


def lead_view(session: Session, as_name: str | None) -> tuple[bool, str]:
    """May `as_name` see per-annotator figures? And if not, the one line that says why.

    Raises LookupError when `as_name` names nobody.

    Yes for a lead, and for anyone while the store has no lead and nobody is named (a
    researcher alone, or imported data); otherwise annotators stay blind to each other.
    """
    role = role_of(session, as_name) if as_name else None
    if as_name and role is None:
        raise LookupError(f"{as_name}: no annotator of that name (see `annotator annotators list`)")
    if role == "lead" or (as_name is None and not has_lead(session)):
        return True, ""
    if as_name:
        return False, f"{as_name} is not a lead: per-annotator figures are hidden"
    return False, "per-annotator figures are for leads: add --as LEAD"
