"""Counts for `annotator status`: documents, units, annotations per annotator, and who holds
what (assigned documents, live leases, the shared pool)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, case, distinct, func, select
from sqlmodel import Session, col

from annotator.store.annotations import DONE, FLAGGED
from annotator.store.assignments import pool_size
from annotator.store.models import (
    Annotation,
    Annotator,
    Assignment,
    Document,
    Lease,
    SchemaVersion,
    Unit,
)

CLOSED = (DONE, FLAGGED)  # labelled: out of the annotator's queue (a skip comes back)


def project_summary(session: Session, project_id: int) -> dict[str, Any]:
    documents = session.execute(
        select(func.count()).select_from(Document).where(col(Document.project_id) == project_id)
    ).scalar_one()
    units = session.execute(
        select(func.count()).select_from(Unit).where(col(Unit.project_id) == project_id)
    ).scalar_one()
    per_annotator: dict[str, dict[str, int]] = {}
    rows = session.execute(
        select(col(Annotator.name), col(Annotation.status), func.count())
        .join(Annotation, col(Annotation.annotator_id) == col(Annotator.id))
        .join(Unit, col(Unit.id) == col(Annotation.unit_id))
        .where(col(Unit.project_id) == project_id)
        .group_by(col(Annotator.name), col(Annotation.status))
        .order_by(col(Annotator.name))
    ).all()
    for name, status, count in rows:
        per_annotator.setdefault(name, {"done": 0, "skipped": 0, "flagged": 0})[status] = count
    return {"documents": documents, "units": units, "annotators": per_annotator}


def current_schema_row(session: Session, schema_version_id: int | None) -> SchemaVersion | None:
    return session.get(SchemaVersion, schema_version_id) if schema_version_id else None


# --- team figures: who holds what ------------------------------------------------------


@dataclass
class TeamRow:
    """One annotator's assigned work and live leases in a project."""

    assigned_documents: int = 0
    assigned_units: int = 0
    assigned_left: int = 0  # assigned units they have not labelled (done or flagged) yet
    leased: int = 0  # units on their screen now (live leases)


@dataclass
class TeamStatus:
    annotators: dict[str, TeamRow] = field(default_factory=dict)
    pool_documents: int = 0  # documents nobody is assigned: everyone draws from them
    pool_units: int = 0


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def team_status(session: Session, *, project_id: int, at_ms: int | None = None) -> TeamStatus:
    """Assigned work and live leases per annotator, and the shared pool's size.

    One grouped query per figure, whatever the number of annotators: assigned documents,
    units and what is left of them in one pass over the assigned units (each probing the
    annotator's own annotation by the (unit, annotator) index), live leases in another.
    """
    asg, unit, ann, who = (
        Assignment.__table__,  # type: ignore[attr-defined]
        Unit.__table__,  # type: ignore[attr-defined]
        Annotation.__table__,  # type: ignore[attr-defined]
        Annotator.__table__,  # type: ignore[attr-defined]
    )
    lease = Lease.__table__  # type: ignore[attr-defined]
    status = TeamStatus()
    labelled = case((ann.c.status.in_(CLOSED), 1), else_=0)
    assigned = (
        select(
            who.c.name,
            func.count(distinct(asg.c.document_id)),
            func.count(unit.c.id),
            func.count(unit.c.id) - func.coalesce(func.sum(labelled), 0),
        )
        .select_from(
            asg.join(who, who.c.id == asg.c.annotator_id)
            .outerjoin(unit, unit.c.document_id == asg.c.document_id)
            .outerjoin(
                ann, and_(ann.c.unit_id == unit.c.id, ann.c.annotator_id == asg.c.annotator_id)
            )
        )
        .where(asg.c.project_id == project_id)
        .group_by(who.c.name)
    )
    for name, docs, units, left in session.execute(assigned).tuples():
        status.annotators[name] = TeamRow(docs, units, left)
    leased = (
        select(who.c.name, func.count())
        .select_from(lease.join(who, who.c.id == lease.c.annotator_id))
        .where(lease.c.project_id == project_id, lease.c.expires_ms > (at_ms or now_ms()))
        .group_by(who.c.name)
    )
    for name, count in session.execute(leased).tuples():
        status.annotators.setdefault(name, TeamRow()).leased = count
    status.pool_documents, status.pool_units = pool_size(session, project_id=project_id)
    return status
