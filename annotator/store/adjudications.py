"""The queries the lead's review screen runs: the queue, one unit's opinions, decisions.

The queue is built in one pass over a project's annotations (ordered by unit), so it costs
one scan however many tasks the schema has. "Disagree" means the annotators who finished a
unit (status done) gave two or more different values for a task; values are compared in a
canonical JSON form, so ``["a", "b"]`` and ``["b", "a"]`` agree.

Decisions: ``adjudication`` holds the current one per unit and task (who, when); every
set, change and clear also appends an ``adjudicationevent`` row with the value it replaced,
so changing a decision never destroys the previous one. A schema's document tasks are
settled the same way, per document (``documentadjudication`` and its events): the queue
puts a document's item after its sentences, and every function here takes a unit id or a
document id.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, SQLModel, select

from annotator.schema.values import given as used
from annotator.store.engine import StoreError
from annotator.store.models import (
    Adjudication,
    AdjudicationEvent,
    Annotator,
    Document,
    DocumentAdjudication,
    DocumentAdjudicationEvent,
    utcnow,
)

DISAGREEMENTS, FLAGGED, ALL = "disagreements", "flagged", "all"
SHOWS = (DISAGREEMENTS, FLAGGED, ALL)
SET, CHANGE, CLEAR = "set", "change", "clear"

_ANNOTATIONS = (
    'SELECT a.unit_id, u.document_id, a.annotator_id, a.status, a."values" FROM annotation a '
    "JOIN unit u ON u.id = a.unit_id WHERE u.project_id = :p AND NOT a.is_check {docs} "
    "ORDER BY a.unit_id"
)
_DOCUMENT_ANSWERS = (
    'SELECT a.document_id, a.document_id, a.annotator_id, a.status, a."values" '
    "FROM documentannotation a JOIN document d ON d.id = a.document_id "
    "WHERE d.project_id = :p {docs} ORDER BY a.document_id"
)
_DECIDED = text(
    "SELECT j.unit_id, j.task FROM adjudication j JOIN unit u ON u.id = j.unit_id "
    "WHERE u.project_id = :p"
)
_DOCUMENTS_DECIDED = text(
    "SELECT j.document_id, j.task FROM documentadjudication j "
    "JOIN document d ON d.id = j.document_id WHERE d.project_id = :p"
)
_OPINIONS = text(
    'SELECT n.name, n.role, a.status, a."values", a.comment, a.seconds FROM annotation a '
    "JOIN annotator n ON n.id = a.annotator_id WHERE a.unit_id = :u ORDER BY n.name"
)
_DOCUMENT_OPINIONS = text(
    'SELECT n.name, n.role, a.status, a."values", NULL, a.seconds FROM documentannotation a '
    "JOIN annotator n ON n.id = a.annotator_id WHERE a.document_id = :u ORDER BY n.name"
)


@dataclass(frozen=True)
class _Target:
    """What a decision is about: a unit's tasks or a document's (the same rules, other tables)."""

    decision: type[SQLModel]
    event: type[SQLModel]
    key: str  # the column naming the unit or document


_UNIT = _Target(Adjudication, AdjudicationEvent, "unit_id")
_DOCUMENT = _Target(DocumentAdjudication, DocumentAdjudicationEvent, "document_id")


def _target(unit_id: int | None, document_id: int | None) -> tuple[_Target, int]:
    if (unit_id is None) == (document_id is None):
        raise TypeError("a decision is about a unit_id or a document_id (one of them)")
    return (_UNIT, unit_id) if unit_id is not None else (_DOCUMENT, document_id)  # type: ignore[return-value]


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
    """A unit to settle, or (``unit_id`` None) a document's document tasks."""

    unit_id: int | None
    tasks: tuple[str, ...]  # the tasks to decide on this unit, in schema order
    decided: frozenset[str] = frozenset()  # those of them with an adjudication
    flagged: bool = False
    document_id: int | None = None

    @property
    def open(self) -> bool:
        return any(t not in self.decided for t in self.tasks)

    @property
    def key(self) -> int:
        """The unit's id, or the document's for a document item."""
        key = self.unit_id if self.unit_id is not None else self.document_id
        assert key is not None
        return key

    @property
    def about(self) -> dict[str, int]:
        """The keyword the decision functions take: ``unit_id=`` or ``document_id=``."""
        return {"unit_id" if self.unit_id is not None else "document_id": self.key}


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
    document_tasks: Sequence[str] = (),
) -> list[QueueItem]:
    """Units for the lead to review, in document order, each document's tasks after its units.

    `tasks` are the schema's task names in order (`document_tasks` its document tasks).
    ``disagreements``: units where done annotations hold two or more different values for a
    task (the item's tasks are those); ``flagged``: units someone flagged (documents cannot
    be flagged); ``all``: every unit with an annotation (the item's tasks are every task, for
    both). `task` keeps one task; `documents` and `annotators` (ids) keep units of those
    documents, or labelled by any of those annotators.
    """
    if show not in SHOWS:
        raise StoreError(f"show {show!r}: use one of {', '.join(SHOWS)}")
    if task is not None and task not in tasks and task not in document_tasks:
        every = ", ".join([*tasks, *document_tasks])
        raise StoreError(f"no task {task!r} in the schema (tasks: {every})")
    if documents is not None and not documents:
        return []
    out: list[tuple[int, int, QueueItem]] = []  # (document, 0 unit / 1 document, item)
    for scope, names, query, decided_query, doc_column in (
        ("unit", tasks, _ANNOTATIONS, _DECIDED, "u.document_id"),
        ("document", document_tasks, _DOCUMENT_ANSWERS, _DOCUMENTS_DECIDED, "a.document_id"),
    ):
        wanted = tuple(n for n in names if task in (None, n))
        if not wanted or (scope == "document" and show == FLAGGED):
            continue
        for doc, key, keep, done, flagged in _items(
            session,
            project_id,
            query,
            decided_query,
            wanted,
            show,
            documents,
            annotators,
            doc_column,
        ):
            if scope == "unit":
                item = QueueItem(key, keep, done, flagged, document_id=doc)
            else:
                item = QueueItem(None, keep, done, document_id=doc)
            out.append((doc, scope == "document", item))
    out.sort(key=lambda t: (t[0], t[1]))  # stable: units keep their order within a document
    return [item for _, _, item in out]


def _items(
    session: Session,
    project_id: int,
    query: str,
    decided_query: Any,
    wanted: tuple[str, ...],
    show: str,
    documents: Sequence[int] | None,
    annotators: Sequence[int] | None,
    doc_column: str,
) -> Iterable[tuple[int, int, tuple[str, ...], frozenset[str], bool]]:
    """(document, unit or document id, tasks to decide, decided, flagged) for each unit or
    document the filters keep, in one pass over its annotations ordered by id."""
    docs = ""
    params: dict[str, Any] = {"p": project_id}
    if documents is not None:
        names = [f"d{i}" for i in range(len(documents))]
        docs = f"AND {doc_column} IN ({', '.join(':' + n for n in names)})"
        params.update(zip(names, documents, strict=True))
    decided: dict[int, set[str]] = {}
    for key, t in session.execute(decided_query, {"p": project_id}):
        decided.setdefault(key, set()).add(t)
    people = set(annotators) if annotators else None

    def close(rows: list[tuple[int, str, dict[str, Any]]]) -> tuple[str, ...] | None:
        if people is not None and not any(a in people for a, _, _ in rows):
            return None
        if show == DISAGREEMENTS:
            keep = tuple(
                t
                for t in wanted
                if len({canonical(v[t]) for _, s, v in rows if s == "done" and used(v.get(t))}) > 1
            )
            return keep or None
        if show == FLAGGED and not any(s == FLAGGED for _, s, _ in rows):
            return None
        # The tasks someone gave a value for (all of them when nobody did).
        return tuple(t for t in wanted if any(used(v.get(t)) for _, _, v in rows)) or wanted

    _json = _decoder(session)
    current: tuple[int, int] | None = None
    group: list[tuple[int, str, dict[str, Any]]] = []
    rows = session.execute(text(query.format(docs=docs)), params)
    for key, doc, aid, status, values in chain(rows, [(None, None, None, None, None)]):
        if current is not None and key != current[0]:
            keep = close(group)
            if keep is not None:
                flagged = any(s == FLAGGED for _, s, _ in group)
                done = frozenset(decided.get(current[0], set()) & set(keep))
                yield current[1], current[0], keep, done, flagged
        if key is None:
            break
        if current is None or key != current[0]:
            current, group = (key, doc), []
        group.append((aid, status, _json(values) or {}))


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


def opinions(
    session: Session, unit_id: int | None = None, *, document_id: int | None = None
) -> list[Opinion]:
    """Every annotator's annotation of the unit (or answers for the document), by name."""
    target, key = _target(unit_id, document_id)
    _json = _decoder(session)
    query = _OPINIONS if target is _UNIT else _DOCUMENT_OPINIONS
    return [
        Opinion(name, role, status, _json(values) or {}, comment, seconds)
        for name, role, status, values, comment, seconds in session.execute(query, {"u": key})
    ]


def decisions(
    session: Session, unit_id: int | None = None, *, document_id: int | None = None
) -> dict[str, Decision]:
    """task -> the current adjudication of the unit (or document)."""
    target, key = _target(unit_id, document_id)
    model: Any = target.decision
    rows = session.execute(
        select(model.task, model.value, Annotator.name, model.created_at)
        .join(Annotator, Annotator.id == model.annotator_id)  # type: ignore[arg-type]
        .where(getattr(model, target.key) == key)
    )
    return {t: Decision(value, name, at) for t, value, name, at in rows}


def _current(session: Session, target: _Target, key: int, task: str) -> Any:
    model: Any = target.decision
    return session.exec(
        select(model).where(getattr(model, target.key) == key, model.task == task)
    ).first()


def save_adjudication(
    session: Session,
    *,
    task: str,
    value: Any,
    lead_id: int,
    unit_id: int | None = None,
    document_id: int | None = None,
    schema_version_id: int | None = None,
) -> str | None:
    """Set the unit's (or document's) final value for `task`; returns set, change, or None
    if unchanged.

    The decision records the lead and the time; the history row keeps the value replaced.
    """
    target, key = _target(unit_id, document_id)
    found = _current(session, target, key, task)
    now = utcnow()
    if found is None:
        action, previous = SET, None
        session.add(
            target.decision(
                **{target.key: key},
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
        target.event(
            **{target.key: key},
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


def clear_adjudication(
    session: Session,
    *,
    task: str,
    lead_id: int,
    unit_id: int | None = None,
    document_id: int | None = None,
) -> bool:
    """Remove the unit's (or document's) decision for `task` (the history keeps it). False
    if there was none."""
    target, key = _target(unit_id, document_id)
    found = _current(session, target, key, task)
    if found is None:
        return False
    session.add(
        target.event(
            **{target.key: key},
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


def history(
    session: Session,
    unit_id: int | None = None,
    task: str | None = None,
    *,
    document_id: int | None = None,
) -> list[Any]:
    """Every decision made on the unit (or document), for one task or all, oldest first."""
    target, key = _target(unit_id, document_id)
    event: Any = target.event
    query = select(event).where(getattr(event, target.key) == key)
    if task is not None:
        query = query.where(event.task == task)
    return list(session.exec(query.order_by(event.id)).all())


def document_decisions(session: Session, project_id: int) -> dict[str, dict[int, Any]]:
    """task -> document id -> the lead's value, over a project's document tasks (gold)."""
    out: dict[str, dict[int, Any]] = {}
    j: Any = DocumentAdjudication
    rows = session.execute(
        select(j.document_id, j.task, j.value)
        .join(Document, Document.id == j.document_id)  # type: ignore[arg-type]
        .where(Document.project_id == project_id)
    )
    for document_id, task, value in rows:
        out.setdefault(task, {})[document_id] = value
    return out


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
