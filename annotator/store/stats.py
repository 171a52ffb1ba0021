"""Counts for `annotator status`: documents, units, annotations per annotator."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from annotator.store.models import Annotation, Annotator, Document, SchemaVersion, Unit


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
