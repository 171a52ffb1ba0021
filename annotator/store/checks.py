"""Check items in the store: units with a known answer, mixed into every annotator's queue.

A check item is a unit of the project and its known answer ({task: value}), imported or
taken from the lead's adjudications. It leaves the ordinary queue (nobody is given it as
ordinary work) and is handed to each annotator at the project's rate (see `due`), at most
once each. An answer given to a check unit is an annotation like any other, marked
``is_check`` when it is made: it is scored against the known answer and never counted as an
ordinary label (agreement, review, exports, training), nor against a unit's overlap.

Only storage and queries: scoring lives in ``annotator.analysis.checks``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, text, update
from sqlmodel import Session

from annotator.store.engine import StoreError
from annotator.store.models import (
    Adjudication,
    Annotation,
    Annotator,
    CheckItem,
    CheckSetting,
    QueuePosition,
    Unit,
    utcnow,
)

IMPORTED, ADJUDICATED = "imported", "adjudicated"
SOURCES = (IMPORTED, ADJUDICATED)
DEFAULT_RATE = 0.05

_ITEM = CheckItem.__table__  # type: ignore[attr-defined]
_SETTING = CheckSetting.__table__  # type: ignore[attr-defined]
_ANN = Annotation.__table__  # type: ignore[attr-defined]
_UNIT = Unit.__table__  # type: ignore[attr-defined]
_ADJ = Adjudication.__table__  # type: ignore[attr-defined]
_WHO = Annotator.__table__  # type: ignore[attr-defined]
_POS = QueuePosition.__table__  # type: ignore[attr-defined]

# For the save path: whether a new annotation of unit :check_unit is a check answer, as a
# scalar subquery inside the INSERT (no extra round trip per label).
IS_CHECK_UNIT = select(_ITEM.c.id).where(_ITEM.c.unit_id == bindparam("check_unit")).exists()
_UNIT_IDS = text("SELECT unit_id FROM checkitem WHERE project_id = :p")
# Everything a queue needs about the checks, in one round trip per unit handed out: each
# check unit, what I have given it (NULL: nothing, 1: an ordinary label, 2: a check answer)
# and the project's rate (NULL: the default).
_MINE = text(
    "SELECT c.unit_id, (SELECT CASE WHEN a.is_check THEN 2 ELSE 1 END FROM annotation a "
    "WHERE a.unit_id = c.unit_id AND a.annotator_id = :me) AS mine, "
    "(SELECT s.rate FROM checksetting s WHERE s.project_id = :p) AS rate "
    "FROM checkitem c WHERE c.project_id = :p"
)


# --- settings --------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    rate: float = DEFAULT_RATE  # share of the units handed out that are checks
    warn_below: float | None = None  # warn the lead under this accuracy (None: never)


def settings(session: Session, project_id: int) -> Settings:
    """The project's check settings (the defaults until a lead changes one)."""
    row = session.execute(
        select(_SETTING.c.rate, _SETTING.c.warn_below).where(_SETTING.c.project_id == project_id)
    ).first()
    if row is None:
        return Settings()
    return Settings(float(row.rate), None if row.warn_below is None else float(row.warn_below))


def change_settings(
    session: Session,
    project_id: int,
    *,
    rate: float | None = None,
    warn_below: float | None = None,
    no_warning: bool = False,
) -> Settings:
    """Change what is given, keep the rest; returns the settings now in force."""
    if rate is not None and not 0.0 <= rate < 1.0:
        raise StoreError(f"--rate {rate}: give a share from 0 to below 1 (0.05 is 5%)")
    if warn_below is not None and not 0.0 <= warn_below <= 1.0:
        raise StoreError(f"--warn-below {warn_below}: give an accuracy from 0 to 1 (0.7 is 70%)")
    now = settings(session, project_id)
    new = Settings(
        now.rate if rate is None else rate,
        None if no_warning else (now.warn_below if warn_below is None else warn_below),
    )
    values = {"rate": new.rate, "warn_below": new.warn_below, "updated_at": utcnow()}
    done = session.execute(
        update(_SETTING).where(_SETTING.c.project_id == project_id).values(**values)
    )
    if not done.rowcount:  # type: ignore[attr-defined]
        session.execute(insert(_SETTING).values(project_id=project_id, **values))
    return new


# --- the items -------------------------------------------------------------------------


@dataclass(frozen=True)
class NewCheck:
    unit_id: int
    values: dict[str, Any]


def add_checks(
    session: Session,
    project_id: int,
    items: Iterable[NewCheck],
    *,
    source: str,
    created_by: str | None = None,
    origin: str | None = None,
) -> tuple[int, int]:
    """Make these units check items; a unit that already is one is left as it is.
    Returns (added, already checks)."""
    if source not in SOURCES:
        raise ValueError(f"unknown check source {source!r}")
    existing = unit_ids(session, project_id)
    rows, kept = [], 0
    for item in items:
        if item.unit_id in existing:
            kept += 1
            continue
        existing = existing | {item.unit_id}
        rows.append(
            {
                "project_id": project_id,
                "unit_id": item.unit_id,
                "values": dict(item.values),
                "source": source,
                "created_by": created_by,
                "origin": origin,
                "created_at": utcnow(),
            }
        )
    if rows:
        session.execute(insert(_ITEM), rows)
    return len(rows), kept


def adjudicated(
    session: Session, project_id: int, tasks: Sequence[str], *, every: bool = True
) -> list[NewCheck]:
    """The project's decided units that are not checks yet, in unit order, each with its
    decisions on `tasks` as its known answer: units decided on every one of them (`every`),
    or on any (then the answer holds the ones decided)."""
    rows = session.execute(
        select(_ADJ.c.unit_id, _ADJ.c.task, _ADJ.c.value)
        .join(_UNIT, _UNIT.c.id == _ADJ.c.unit_id)
        .where(_UNIT.c.project_id == project_id, _ADJ.c.task.in_(list(tasks)))
        .order_by(_ADJ.c.unit_id)
    ).all()
    found: dict[int, dict[str, Any]] = {}
    for uid, task, value in rows:
        if value is not None:
            found.setdefault(uid, {})[task] = value
    taken = unit_ids(session, project_id)
    wanted = all if every else any
    return [
        NewCheck(uid, {t: values[t] for t in tasks if t in values})
        for uid, values in found.items()
        if uid not in taken and wanted(t in values for t in tasks)
    ]


def adjudicated_tasks(session: Session, project_id: int) -> list[str]:
    """The tasks the project has adjudications for."""
    rows = session.execute(
        select(_ADJ.c.task)
        .join(_UNIT, _UNIT.c.id == _ADJ.c.unit_id)
        .where(_UNIT.c.project_id == project_id)
        .distinct()
    )
    return sorted(r[0] for r in rows)


def remove_checks(session: Session, project_id: int, units: Sequence[int] | None) -> int:
    """Make these units (None: all) ordinary units again; returns how many were checks.

    The answers given to them stay marked: they were given as checks. A unit that leaves
    the checks may be open again, so the queue positions kept in the store are lowered
    below it (a position proves every unit under it closed)."""
    cond = _ITEM.c.project_id == project_id
    if units is not None:
        cond = cond & _ITEM.c.unit_id.in_(list(units))
    gone = [r[0] for r in session.execute(select(_ITEM.c.unit_id).where(cond))]
    if not gone:
        return 0
    session.execute(delete(_ITEM).where(cond))
    session.execute(
        update(_POS)
        .where(_POS.c.project_id == project_id, _POS.c.floor >= min(gone))
        .values(floor=min(gone) - 1)
    )
    return len(gone)


@dataclass(frozen=True)
class CheckRow:
    unit_id: int
    document_id: int
    position: int
    text: str
    values: dict[str, Any]
    source: str
    created_by: str | None
    created_at: datetime
    answers: int  # answers given to it as a check (any status)


def list_checks(session: Session, project_id: int) -> list[CheckRow]:
    answers = dict(
        session.execute(
            select(_ANN.c.unit_id, func.count())
            .join(_ITEM, _ITEM.c.unit_id == _ANN.c.unit_id)
            .where(_ITEM.c.project_id == project_id, _ANN.c.is_check)
            .group_by(_ANN.c.unit_id)
        ).all()
    )
    rows = session.execute(
        select(
            _ITEM.c.unit_id,
            _UNIT.c.document_id,
            _UNIT.c.position,
            _UNIT.c.text,
            _ITEM.c["values"],
            _ITEM.c.source,
            _ITEM.c.created_by,
            _ITEM.c.created_at,
        )
        .join(_UNIT, _UNIT.c.id == _ITEM.c.unit_id)
        .where(_ITEM.c.project_id == project_id)
        .order_by(_ITEM.c.unit_id)
    )
    return [
        CheckRow(uid, doc, pos, text_, dict(values or {}), source, who, when, answers.get(uid, 0))
        for uid, doc, pos, text_, values, source, who, when in rows
    ]


def known_answers(session: Session, project_id: int) -> dict[int, dict[str, Any]]:
    """unit id -> its known answer, for every check item of the project."""
    rows = session.execute(
        select(_ITEM.c.unit_id, _ITEM.c["values"]).where(_ITEM.c.project_id == project_id)
    )
    return {uid: dict(values or {}) for uid, values in rows}


def unit_ids(session: Session, project_id: int) -> frozenset[int]:
    return frozenset(r[0] for r in session.execute(_UNIT_IDS, {"p": project_id}))


@dataclass(frozen=True)
class Answer:
    annotator: str
    unit_id: int
    status: str
    values: dict[str, Any]


def answers(session: Session, project_id: int) -> list[Answer]:
    """Every answer given to a check unit of the project as a check, by annotator name."""
    rows = session.execute(
        select(_WHO.c.name, _ANN.c.unit_id, _ANN.c.status, _ANN.c["values"])
        .join(_ITEM, _ITEM.c.unit_id == _ANN.c.unit_id)
        .join(_WHO, _WHO.c.id == _ANN.c.annotator_id)
        .where(_ITEM.c.project_id == project_id, _ANN.c.is_check)
        .order_by(_WHO.c.name, _ANN.c.unit_id)
    )
    return [Answer(name, uid, status, dict(values or {})) for name, uid, status, values in rows]


def count_answers(session: Session, project_id: int) -> int:
    """Annotations of the project marked as check answers (left out of ordinary labels)."""
    return int(
        session.execute(
            select(func.count())
            .select_from(_ANN.join(_UNIT, _UNIT.c.id == _ANN.c.unit_id))
            .where(_UNIT.c.project_id == project_id, _ANN.c.is_check)
        ).scalar_one()
    )


# --- the queue -------------------------------------------------------------------------


def _uniform(*parts: object) -> float:
    """A number in [0, 1) fixed by `parts`: the same on every machine and every run."""
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def due(*, project_id: int, annotator_id: int, before: int, answered: int, rate: float) -> bool:
    """Whether a check comes before ordinary unit `before` in my queue, when I have given
    `answered` check answers so far.

    Drawn from those numbers alone, not from a running generator: a restart, a failed save
    or a skip gives the same answer for the same state, and the draw cannot be replayed
    until it comes out one way. After a check the count has moved on, so another may follow
    with the same chance: checks make up `rate` of the units handed out."""
    return _uniform("check", project_id, annotator_id, before, answered) < rate


@dataclass(frozen=True)
class MyChecks:
    """The project's checks as my queue sees them."""

    units: frozenset[int] = frozenset()  # every check unit
    unseen: tuple[int, ...] = ()  # those I have never been given (nor labelled before)
    answered: int = 0  # my check answers (any status)
    rate: float = DEFAULT_RATE

    def next(self, *, project_id: int, annotator_id: int, near: int | None = None) -> int | None:
        """A check unit I have never been given (None when I have seen them all): the one
        nearest to unit `near` in the corpus, so in document order a check comes from as
        close to where I am as there is one (a jump to a far article would give it away);
        ties go in an order of my own."""
        if not self.unseen:
            return None
        return min(
            self.unseen,
            key=lambda uid: (
                abs(uid - near) if near is not None else 0,
                _uniform("order", project_id, annotator_id, uid),
            ),
        )


def my_checks(session: Session, *, project_id: int, annotator_id: int) -> MyChecks:
    rows = session.execute(_MINE, {"p": project_id, "me": annotator_id}).all()
    if not rows:
        return MyChecks()
    units, mine, rates = zip(*rows, strict=True)
    rate = rates[0]
    return MyChecks(
        units=frozenset(units),
        unseen=tuple(u for u, m in zip(units, mine, strict=True) if m is None),
        answered=mine.count(2),
        rate=DEFAULT_RATE if rate is None else float(rate),
    )


# --- what scoring reads ----------------------------------------------------------------


@dataclass(frozen=True)
class CheckData:
    """Everything the accuracy figures need, as plain data (``analysis.checks`` scores it)."""

    known: dict[int, dict[str, Any]]  # unit -> known answer
    answers: list[tuple[str, int, str, dict[str, Any]]]  # (annotator, unit, status, values)
    settings: Settings
    left_out: int  # answers to check units, not among the ordinary labels


def check_data(session: Session, project_id: int) -> CheckData:
    known = known_answers(session, project_id)
    rows = (
        [(a.annotator, a.unit_id, a.status, a.values) for a in answers(session, project_id)]
        if known
        else []
    )
    return CheckData(known, rows, settings(session, project_id), count_answers(session, project_id))
