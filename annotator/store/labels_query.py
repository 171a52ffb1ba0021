"""Plain label data for the agreement figures, aggregation and the report.

One pass over a project's annotations, returned column-wise (parallel lists, one entry per
annotation) so the analysis layer can turn a task into a value matrix with numpy in one go,
without ORM objects. Nothing here computes a figure: ``annotator.analysis`` does, on these
plain lists.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, select

from annotator.store.annotators import ROLES, get_or_create_annotator
from annotator.store.engine import StoreError
from annotator.store.models import Annotator

_ANNOTATIONS = text(
    'SELECT a.unit_id, a.annotator_id, a.status, a.seconds, a."values" '
    "FROM annotation a JOIN unit u ON u.id = a.unit_id WHERE u.project_id = :p "
    "ORDER BY a.unit_id, a.annotator_id"
)
_ADJUDICATIONS = text(
    "SELECT j.unit_id, j.task, j.value FROM adjudication j JOIN unit u ON u.id = j.unit_id "
    "WHERE u.project_id = :p"
)
_UNITS = text("SELECT count(*) FROM unit WHERE project_id = :p")


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


def fetch_labels(session: Session, project_id: int) -> ProjectLabels:
    """All annotations (any status) and adjudications of a project, as plain columns."""
    people = session.execute(
        select(Annotator.id, Annotator.name, Annotator.role).order_by(Annotator.name)
    ).all()
    index: dict[int, int] = {}
    data = ProjectLabels()
    params = {"p": project_id}
    who: list[int] = []
    units, status, seconds, values = data.unit, data.status, data.seconds, data.values
    sqlite = session.get_bind().dialect.name == "sqlite"
    if sqlite:
        # Raw DB-API rows: no SQLAlchemy row objects for what can be millions of annotations.
        raw = session.connection().connection.dbapi_connection
        assert raw is not None
        rows = raw.execute(_ANNOTATIONS.text.replace(":p", "?"), (project_id,)).fetchall()
        if rows:
            cols = list(zip(*rows, strict=True))
            units.extend(cols[0])
            who.extend(cols[1])
            status.extend(cols[2])
            seconds.extend(cols[3])
            loads = json.loads
            values.extend([loads(v) if v else {} for v in cols[4]])
    else:
        for uid, aid, st, sec, vals in session.execute(_ANNOTATIONS, params):
            units.append(uid)
            who.append(aid)
            status.append(st)
            seconds.append(sec)
            values.append(_json(vals, sqlite) or {})
    used = set(who)
    for aid, name, role in people:
        if aid in used:
            index[aid] = len(data.annotators)
            data.annotators.append(name)
            data.roles.append(role)
    data.annotator = [index[a] for a in who]
    for uid, task, value in session.execute(_ADJUDICATIONS, params):
        data.adjudications.setdefault(task, {})[uid] = _json(value, sqlite)
    data.total_units = session.execute(_UNITS, params).scalar_one()
    return data


# --- annotators and roles (for `annotator annotators ...` and the lead check) -----------


@dataclass(frozen=True)
class AnnotatorRow:
    name: str
    role: str
    done: int
    skipped: int
    flagged: int


def list_annotators(session: Session) -> list[AnnotatorRow]:
    """Every annotator in the store with their role and counts of annotations by status."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for aid, st, n in session.execute(
        text("SELECT annotator_id, status, count(*) FROM annotation GROUP BY annotator_id, status")
    ):
        counts[aid][st] = n
    rows = session.execute(
        select(Annotator.id, Annotator.name, Annotator.role).order_by(Annotator.name)
    ).all()
    return [
        AnnotatorRow(
            name,
            role,
            counts[aid].get("done", 0),
            counts[aid].get("skipped", 0),
            counts[aid].get("flagged", 0),
        )
        for aid, name, role in rows
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
