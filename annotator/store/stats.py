"""Counts for `annotator status`: documents, units, annotations per annotator, and who holds
what (assigned documents, live leases, the shared pool)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from annotator.store.assignments import assigned_counts, pool_size
from annotator.store.leases import live_leases
from annotator.store.models import (
    Annotation,
    Annotator,
    Document,
    SchemaVersion,
    Unit,
)
from annotator.store.status_figures import TeamRow, TeamStatus


def project_summary(session: Session, project_id: int) -> dict[str, Any]:
    documents = session.execute(
        select(func.count()).select_from(Document).where(col(Document.project_id) == project_id)
    ).scalar_one()
    units = session.execute(
        select(func.count()).select_from(Unit).where(col(Unit.project_id) == project_id)
    ).scalar_one()
    # Grouped by annotator id, names looked up once after: joining the annotator row to every
    # counted annotation (to group by name) doubled the time on 500k labels.
    rows = session.execute(
        select(col(Annotation.annotator_id), col(Annotation.status), func.count())
        .join(Unit, col(Unit.id) == col(Annotation.unit_id))
        .where(col(Unit.project_id) == project_id)
        .group_by(col(Annotation.annotator_id), col(Annotation.status))
    ).all()
    names = dict(
        session.execute(
            select(col(Annotator.id), col(Annotator.name)).where(
                col(Annotator.id).in_({aid for aid, _, _ in rows})
            )
        ).all()
    )
    per_annotator: dict[str, dict[str, int]] = {}
    for aid, status, count in sorted(rows, key=lambda row: names[row[0]]):
        per_annotator.setdefault(names[aid], {"done": 0, "skipped": 0, "flagged": 0})[status] = (
            count
        )
    return {"documents": documents, "units": units, "annotators": per_annotator}


def current_schema_row(session: Session, schema_version_id: int | None) -> SchemaVersion | None:
    return session.get(SchemaVersion, schema_version_id) if schema_version_id else None


# --- team figures: who holds what ------------------------------------------------------


def team_status(session: Session, *, project_id: int) -> TeamStatus:
    """Assigned work and live leases per annotator, and the shared pool's size.

    One grouped query per figure, whatever the number of annotators; names are looked up
    once at the end (grouping by name would read the annotator row per counted row).
    """
    held = assigned_counts(session, project_id=project_id)
    leased = live_leases(session, project_id=project_id)
    ids = set(held) | set(leased)
    names = dict(
        session.execute(
            select(col(Annotator.id), col(Annotator.name)).where(col(Annotator.id).in_(ids))
        ).all()
    )
    status = TeamStatus()
    for aid in sorted(ids, key=names.__getitem__):
        docs, units = held.get(aid, (0, 0))
        status.annotators[names[aid]] = TeamRow(docs, units, leased.get(aid, 0))
    status.pool_documents, status.pool_units = pool_size(session, project_id=project_id)
    return status
