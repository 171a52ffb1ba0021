"""Plain label data for the agreement figures, aggregation and the report.

One pass over a project's annotations, returned column-wise (parallel lists, one entry per
annotation) so the analysis layer can turn a task into a value matrix with numpy in one go,
without ORM objects. Nothing here computes a figure: ``annotator.analysis`` does, on these
plain lists.

Speed (`annotator agreement` on 100k units x 5 annotators): on SQLite the annotations arrive
packed into one row (``labels_packed``, which `annotator agreement` also reads through the
sqlite3 module alone); each distinct stored value text is decoded once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, select

from annotator.schema.values import STATUSES
from annotator.store.annotators import ROLES, get_or_create_annotator
from annotator.store.errors import StoreError
from annotator.store.labels_packed import (
    ADJUDICATIONS,
    PEOPLE,
    UNITS,
    Packed,
    ProjectLabels,
    assemble,
    decode,
    json_value,
    parse_packed,
    ranks,
    read_packed,
)
from annotator.store.models import Annotator
from annotator.store.who_sees import lead_view_of

__all__ = ["Packed", "ProjectLabels", "fetch_labels", "lead_view"]

# `IN (subquery)`, not a join: SQLite then walks the (unit_id, annotator_id) index once
# (a third of the time of probing unit per annotation), already in the order wanted.
_ANNOTATIONS = text(
    'SELECT a.unit_id, a.annotator_id, a.status, a.seconds, a."values" '
    "FROM annotation a WHERE a.unit_id IN (SELECT id FROM unit WHERE project_id = :p) "
    "AND NOT a.is_check ORDER BY a.unit_id, a.annotator_id"
)
_MADE_GENERIC = text(
    "SELECT a.id FROM annotation a WHERE a.unit_id IN (SELECT id FROM unit WHERE project_id = :p) "
    "AND NOT a.is_check ORDER BY a.created_at, a.id"
)


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
    value_ids, distinct = decode(list(values))
    out = [
        np.array(units, dtype=np.int64),
        np.array(who, dtype=np.int64),
        np.array([codes.get(s, 3) for s in status], dtype=np.int8),
        np.array(seconds, dtype=np.float64),
        value_ids,
    ]
    if order:
        made = session.execute(_MADE_GENERIC, {"p": project_id}).scalars().all()
        out.append(ranks(np.array(ids, dtype=np.int64), made))
    return (*out, distinct)


def fetch_labels(
    session: Session, project_id: int, *, lists: bool = True, order: bool = False
) -> ProjectLabels:
    """All ordinary annotations (any status; answers to check items are not) and the
    adjudications of a project, as plain columns.

    `lists` False leaves the per-annotation lists empty and fills only ``packed``: enough for
    the analysis layer (``compute_agreement``), which reads nothing else per annotation.
    `order` adds ``packed.made``: each annotation's place in the order they were made."""
    people = session.execute(text(PEOPLE)).all()
    params = {"p": project_id}
    sqlite = session.get_bind().dialect.name == "sqlite"
    if sqlite:
        raw = session.connection().connection.dbapi_connection
        assert raw is not None
        packed = read_packed(raw, project_id, order)  # type: ignore[arg-type]
        got = parse_packed(packed) if packed is not None else None
    else:
        got = _generic_rows(session, project_id, order)
    data = assemble(people, got)
    if data.packed is not None and lists:
        p = data.packed
        data.status = _status_texts(session, p.status, params)
        data.unit = p.unit.tolist()
        data.annotator = p.annotator.tolist()
        data.seconds = [None if x != x else x for x in p.seconds.tolist()]
        data.values = [p.distinct[i] for i in p.value_id.tolist()]
    for uid, task, value in session.execute(text(ADJUDICATIONS), params):
        data.adjudications.setdefault(task, {})[uid] = json_value(value, sqlite)
    data.total_units = session.execute(text(UNITS), params).scalar_one()
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
    """May `as_name` see per-annotator figures? (``who_sees.lead_view_of``: the rule, and
    the LookupError when `as_name` names nobody.)"""
    return lead_view_of(as_name, lambda name: role_of(session, name), lambda: has_lead(session))
