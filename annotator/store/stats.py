"""Counts for `annotator status`: documents, units, annotations per annotator."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from annotator.store.models import Annotation, Annotator, Document, SchemaVersion, Unit


def project_summary(session: Session, project_id: int) -> dict[str, Any]:
    documents = session.scalar(
        select(func.count()).select_from(Document).where(Document.project_id == project_id)
    )
    units = session.scalar(
        select(func.count()).select_from(Unit).where(Unit.project_id == project_id)
    )
    per_annotator: dict[str, dict[str, int]] = {}
    rows = session.execute(
        select(Annotator.name, Annotation.status, func.count())
        .join(Annotation, Annotation.annotator_id == Annotator.id)
        .join(Unit, Unit.id == Annotation.unit_id)
        .where(Unit.project_id == project_id)
        .group_by(Annotator.name, Annotation.status)
        .order_by(Annotator.name)
    ).all()
    for name, status, count in rows:
        per_annotator.setdefault(name, {"done": 0, "skipped": 0, "flagged": 0})[status] = count
    return {"documents": documents or 0, "units": units or 0, "annotators": per_annotator}


def current_schema_row(session: Session, schema_version_id: int | None) -> SchemaVersion | None:
    return session.get(SchemaVersion, schema_version_id) if schema_version_id else None
