"""The queries the lead's review screen runs: the queue, one unit's opinions, decisions.

The queue is built in one pass over a project's annotations (ordered by unit), so it costs
one scan however many tasks the schema has. "Disagree" means the annotators who finished a
unit (status done) gave two or more different values for a task; values are compared in a
canonical JSON form, so ``["a", "b"]`` and ``["b", "a"]`` agree.

Decisions: ``adjudication`` holds the current one per unit and task (who, when); every
set, change and clear also appends an ``adjudicationevent`` row with the value it replaced,
so changing a decision never destroys the previous one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, select

from annotator.schema.values import given as used
from annotator.store.engine import StoreError
from annotator.store.models import Adjudication, AdjudicationEvent, Annotator, utcnow

DISAGREEMENTS, FLAGGED, ALL = "disagreements", "flagged", "all"
SHOWS = (DISAGREEMENTS, FLAGGED, ALL)
SET, CHANGE, CLEAR = "set", "change", "clear"

_ANNOTATIONS = (
    'SELECT a.unit_id, a.annotator_id, a.status, a."values" FROM annotation a '
    "JOIN unit u ON u.id = a.unit_id WHERE u.project_id = :p AND NOT a.is_check {docs} "
    "ORDER BY a.unit_id"
)
_DECIDED = text(
    "SELECT j.unit_id, j.task FROM adjudication j JOIN unit u ON u.id = j.unit_id "
    "WHERE u.project_id = :p"
)
_OPINIONS = text(
    'SELECT n.name, n.role, a.status, a."values", a.comment, a.seconds FROM annotation a '
    "JOIN annotator n ON n.id = a.annotator_id WHERE a.unit_id = :u ORDER BY n.name"
)
_DECISIONS = text(
    "SELECT j.task, j.value, n.name, j.created_at FROM adjudication j "
    "JOIN annotator n ON n.id = j.annotator_id WHERE j.unit_id = :u"
)


def _decoder(session: Session) -> Callable[[Any], Any]:
    """Raw text() rows give JSON as text on SQLite and already decoded on PostgreSQL (where a
    JSON string arrives as a Python str and must not be parsed again)."""
    if session.get_bind().dialect.name != "sqlite":
        return lambda value: value
    return lambda value: json.loads(value) if isinstance(value, str | bytes) and value else value


def canonical(value: Any) -> str:
    """One string per value, the same for lists that differ only in order."""

    def norm(v: Any) -> Any:
        if isinstance(v, list):
            return sorted((norm(x) for x in v), key=lambda x: json.dumps(x, sort_keys=True))
        if isinstance(v, dict):
            return {k: norm(x) for k, x in v.items()}
        return v

    return json.dumps(norm(value), sort_keys=True, ensure_ascii=False)


# --- who may review ---------------------------------------------------------------------


def lead_id(session: Session, name: str) -> int:
    """The id of the lead called `name`; a StoreError (one line, what to do) otherwise."""
    name = name.strip()
    person = session.exec(select(Annotator).where(Annotator.name == name)).first()
    has_lead = session.exec(select(Annotator.id).where(Annotator.role == "lead")).first()
    if has_lead is None:
        raise StoreError(
            "review is for leads and this store has none yet: "
            "make one with `annotator annotators add NAME --role lead`"
        )
    if person is None:
        raise StoreError(f"no annotator called {name!r}: review is for leads")
    if person.role != "lead":
        raise StoreError(
            f"{person.name} is not a lead: only a lead reviews "
            f"(a lead can run `annotator annotators add {person.name} --role lead`)"
        )
    assert person.id is not None
    return person.id


# --- the queue --------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueItem:
    unit_id: int
    tasks: tuple[str, ...]  # the tasks to decide on this unit, in schema order
    decided: frozenset[str] = frozenset()  # those of them with an adjudication
    flagged: bool = False

    @property
    def open(self) -> bool:
        return any(t not in self.decided for t in self.tasks)


def find_documents(session: Session, project_id: int, query: str) -> list[int]:
    """Document ids matching `query`: an id, or a piece of the title or source path."""
    q = query.strip()
    if q.isdigit():
        row = session.execute(
            text("SELECT id FROM document WHERE project_id = :p AND id = :d"),
            {"p": project_id, "d": int(q)},
        ).first()
        if row is not None:
            return [row[0]]
    rows = session.execute(
        text(
            "SELECT id FROM document WHERE project_id = :p AND "
            "(lower(title) LIKE :q OR lower(source_path) LIKE :q) ORDER BY id"
        ),
        {"p": project_id, "q": f"%{q.lower()}%"},
    )
    return [r[0] for r in rows]


def annotator_ids(session: Session, names: Iterable[str]) -> list[int]:
    """Ids for these annotator names; a StoreError naming any that do not exist."""
    wanted = [n.strip() for n in names if n.strip()]
    rows = session.execute(
        select(Annotator.id, Annotator.name).where(Annotator.name.in_(wanted))  # type: ignore[attr-defined]
    ).all()
    found = {name: aid for aid, name in rows}
    missing = [n for n in wanted if n not in found]
    if missing:
        raise StoreError(
            f"no annotator called {', '.join(missing)} (see `annotator annotators list`)"
        )
    return [found[n] for n in wanted]


def review_queue(
    session: Session,
    project_id: int,
    tasks: Sequence[str],
    *,
    show: str = DISAGREEMENTS,
    task: str | None = None,
    documents: Sequence[int] | None = None,
    annotators: Sequence[int] | None = None,
) -> list[QueueItem]:
    """Units for the lead to review, in document order.

    `tasks` are the schema's task names in order. ``disagreements``: units where done
    annotations hold two or more different values for a task (the item's tasks are those);
    ``flagged``: units someone flagged; ``all``: every unit with an annotation (the item's
    tasks are every task, for both). `task` keeps one task; `documents` and `annotators`
    (ids) keep units of those documents, or labelled by any of those annotators.
    """
    if show not in SHOWS:
        raise StoreError(f"show {show!r}: use one of {', '.join(SHOWS)}")
    if task is not None and task not in tasks:
        raise StoreError(f"no task {task!r} in the schema (tasks: {', '.join(tasks)})")
    if documents is not None and not documents:
        return []
    wanted = (task,) if task else tuple(tasks)
    docs = ""
    params: dict[str, Any] = {"p": project_id}
    if documents is not None:
        names = [f"d{i}" for i in range(len(documents))]
        docs = f"AND u.document_id IN ({', '.join(':' + n for n in names)})"
        params.update(zip(names, documents, strict=True))
    decided: dict[int, set[str]] = {}
    for uid, t in session.execute(_DECIDED, {"p": project_id}):
        decided.setdefault(uid, set()).add(t)
    people = set(annotators) if annotators else None
    out: list[QueueItem] = []

    def close(uid: int, rows: list[tuple[int, str, dict[str, Any]]]) -> None:
        if people is not None and not any(a in people for a, _, _ in rows):
            return
        flagged = any(s == FLAGGED for _, s, _ in rows)
        if show == DISAGREEMENTS:
            keep = tuple(
                t
                for t in wanted
                if len({canonical(v[t]) for _, s, v in rows if s == "done" and used(v.get(t))}) > 1
            )
            if not keep:
                return
        elif show == FLAGGED and not flagged:
            return
        else:
            # The tasks someone gave a value for (all of them when nobody did).
            keep = tuple(t for t in wanted if any(used(v.get(t)) for _, _, v in rows)) or wanted
        done = frozenset(decided.get(uid, set()) & set(keep))
        out.append(QueueItem(uid, keep, done, flagged))

    current: int | None = None
    _json = _decoder(session)
    group: list[tuple[int, str, dict[str, Any]]] = []
    for uid, aid, status, values in session.execute(text(_ANNOTATIONS.format(docs=docs)), params):
        if uid != current:
            if current is not None:
                close(current, group)
            current, group = uid, []
        group.append((aid, status, _json(values) or {}))
    if current is not None:
        close(current, group)
    return out


# --- one unit -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Opinion:
    """One annotator's work on a unit, as the lead sees it."""

    annotator: str
    role: str
    status: str  # done | skipped | flagged
    values: dict[str, Any]
    comment: str | None
    seconds: float | None


@dataclass(frozen=True)
class Decision:
    value: Any
    by: str
    at: datetime | None


def opinions(session: Session, unit_id: int) -> list[Opinion]:
    """Every annotator's annotation of the unit, by annotator name."""
    _json = _decoder(session)
    return [
        Opinion(name, role, status, _json(values) or {}, comment, seconds)
        for name, role, status, values, comment, seconds in session.execute(
            _OPINIONS, {"u": unit_id}
        )
    ]


def decisions(session: Session, unit_id: int) -> dict[str, Decision]:
    """task -> the current adjudication of the unit."""
    out = {}
    _json = _decoder(session)
    for t, value, name, at in session.execute(_DECISIONS, {"u": unit_id}):
        if isinstance(at, str):
            at = datetime.fromisoformat(at)
        out[t] = Decision(_json(value), name, at)
    return out


def save_adjudication(
    session: Session,
    *,
    unit_id: int,
    task: str,
    value: Any,
    lead_id: int,
    schema_version_id: int | None = None,
) -> str | None:
    """Set the unit's final value for `task`; returns set, change, or None if unchanged.

    The decision records the lead and the time; the history row keeps the value replaced.
    """
    found = session.exec(
        select(Adjudication).where(Adjudication.unit_id == unit_id, Adjudication.task == task)
    ).first()
    now = utcnow()
    if found is None:
        action, previous = SET, None
        session.add(
            Adjudication(
                unit_id=unit_id,
                task=task,
                value=value,
                annotator_id=lead_id,
                schema_version_id=schema_version_id,
                created_at=now,
            )
        )
    else:
        if canonical(found.value) == canonical(value):
            return None
        action, previous = CHANGE, found.value
        found.value = value
        found.annotator_id = lead_id
        found.schema_version_id = schema_version_id
        found.created_at = now
        session.add(found)
    session.add(
        AdjudicationEvent(
            unit_id=unit_id,
            task=task,
            action=action,
            value=value,
            previous=previous,
            annotator_id=lead_id,
            schema_version_id=schema_version_id,
            at=now,
        )
    )
    session.flush()
    return action


def clear_adjudication(session: Session, *, unit_id: int, task: str, lead_id: int) -> bool:
    """Remove the unit's decision for `task` (the history keeps it). False if there was none."""
    found = session.exec(
        select(Adjudication).where(Adjudication.unit_id == unit_id, Adjudication.task == task)
    ).first()
    if found is None:
        return False
    session.add(
        AdjudicationEvent(
            unit_id=unit_id,
            task=task,
            action=CLEAR,
            value=None,
            previous=found.value,
            annotator_id=lead_id,
            schema_version_id=found.schema_version_id,
        )
    )
    session.delete(found)
    session.flush()
    return True


def history(session: Session, unit_id: int, task: str | None = None) -> list[AdjudicationEvent]:
    """Every decision made on the unit (for one task), oldest first."""
    query = select(AdjudicationEvent).where(AdjudicationEvent.unit_id == unit_id)
    if task is not None:
        query = query.where(AdjudicationEvent.task == task)
    return list(session.exec(query.order_by(AdjudicationEvent.id)).all())  # type: ignore[arg-type]


def label_order(session: Session, project_id: int) -> list[tuple[int, str]]:
    """(unit id, annotator name) of every annotation, in the order they were first made.

    For figures "as annotation goes on" (the dashboard's alpha over time).
    """
    rows = session.execute(
        text(
            "SELECT a.unit_id, n.name FROM annotation a JOIN unit u ON u.id = a.unit_id "
            "JOIN annotator n ON n.id = a.annotator_id WHERE u.project_id = :p "
            "ORDER BY a.created_at, a.id"
        ),
        {"p": project_id},
    )
    return [(uid, name) for uid, name in rows]
