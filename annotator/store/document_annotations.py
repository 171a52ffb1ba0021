"""Answers to the schema's document tasks: saved once per document and annotator, every
change appended to the document audit, read back as label columns for the figures.

Document tasks (``scope: document``) are asked when an annotator has been through a
document's sentences; the agreement figures, gold and exports treat documents as they treat
units, so `document_labels` returns the same columns `labels_query.fetch_labels` does, with
document ids where unit ids would be.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, text
from sqlmodel import Session, col, select

from annotator.schema.values import STATUSES
from annotator.store.adjudications import document_decisions
from annotator.store.labels_query import ProjectLabels
from annotator.store.models import (
    Annotation,
    Annotator,
    Document,
    DocumentAnnotation,
    DocumentAnnotationEvent,
    SchemaVersion,
    Unit,
    utcnow,
)

DONE, SKIPPED = STATUSES[0], STATUSES[1]


@dataclass(frozen=True)
class DocumentAnswer:
    values: dict[str, Any]
    status: str


def my_document_answer(
    session: Session, document_id: int, annotator_id: int
) -> DocumentAnswer | None:
    row = _mine(session, document_id, annotator_id)
    return DocumentAnswer(dict(row.values), row.status) if row else None


def _mine(session: Session, document_id: int, annotator_id: int) -> DocumentAnnotation | None:
    return session.exec(
        select(DocumentAnnotation).where(
            DocumentAnnotation.document_id == document_id,
            DocumentAnnotation.annotator_id == annotator_id,
        )
    ).first()


def save_document_answer(
    session: Session,
    *,
    document_id: int,
    annotator_id: int,
    schema_version_id: int,
    values: dict[str, Any],
    status: str = DONE,
    seconds: float | None = None,
    actor: str | None = None,
    source: str | None = None,
) -> int:
    """Create or update my answers for a document and append the audit event; the id of
    the document annotation. `seconds` adds to the time already recorded."""
    if status not in (DONE, SKIPPED):
        raise ValueError(f"a document answer is done or skipped, not {status!r}")
    row = _mine(session, document_id, annotator_id)
    action = "create" if row is None else "update"
    if status == SKIPPED:
        action = "skip"
    if row is None:
        row = DocumentAnnotation(
            document_id=document_id,
            annotator_id=annotator_id,
            schema_version_id=schema_version_id,
            values=dict(values),
            status=status,
            seconds=seconds,
        )
    else:
        row.values = dict(values)
        row.status = status
        row.schema_version_id = schema_version_id
        row.updated_at = utcnow()
        if seconds is not None:
            row.seconds = (row.seconds or 0.0) + seconds
    session.add(row)
    session.flush()
    assert row.id is not None
    session.add(
        DocumentAnnotationEvent(
            document_annotation_id=row.id,
            document_id=document_id,
            annotator_id=annotator_id,
            schema_version_id=schema_version_id,
            action=action,
            values=dict(values),
            status=status,
            actor=actor,
            source=source,
        )
    )
    return row.id


def units_read(session: Session, document_id: int, annotator_id: int) -> int:
    """How many of a document's units the annotator has labelled, skipped or flagged (check
    answers aside: a check unit is not read as part of the article)."""
    return session.exec(
        select(func.count())
        .select_from(Annotation)
        .join(Unit, Unit.id == Annotation.unit_id)  # type: ignore[arg-type]
        .where(
            Unit.document_id == document_id,
            Annotation.annotator_id == annotator_id,
            col(Annotation.is_check).is_(False),  # as owed_documents counts
        )
    ).one()


def documents_matching(
    session: Session,
    project_id: int,
    *,
    document_id: int | None = None,
    url: str | None = None,
    title: str | None = None,
) -> list[int]:
    """The project's documents a record names: its id when the project has it (and the url,
    if given, agrees), else by exact url, else by exact title (several when titles repeat)."""
    in_project = Document.project_id == project_id
    if document_id is not None:
        found = session.get(Document, document_id)
        if found is not None and found.project_id == project_id and url in (None, found.url):
            return [document_id]
    for column, value in ((Document.url, url), (Document.title, title)):
        if value is not None:
            rows = session.exec(
                select(Document.id).where(in_project, column == value).order_by(Document.id)  # type: ignore[arg-type]
            ).all()
            if rows:
                return [r for r in rows if r is not None]
    return []


_OWED = text(
    "SELECT u.document_id FROM annotation a JOIN unit u ON u.id = a.unit_id "
    "WHERE a.annotator_id = :a AND u.project_id = :p AND NOT a.is_check "
    "GROUP BY u.document_id "
    "HAVING 2 * count(*) >= (SELECT count(*) FROM unit x WHERE x.document_id = u.document_id) "
    "AND NOT EXISTS (SELECT 1 FROM documentannotation d "
    "WHERE d.document_id = u.document_id AND d.annotator_id = :a) "
    "ORDER BY u.document_id LIMIT :n"
)


def owed_documents(
    session: Session, project_id: int, annotator_id: int, limit: int = 50
) -> list[int]:
    """Documents the annotator read at least half of (labelled, skipped or flagged) without
    answering their document tasks: what an earlier session left owed (one query, grouped
    over the annotator's own labels)."""
    rows = session.execute(_OWED, {"a": annotator_id, "p": project_id, "n": limit})
    return [r[0] for r in rows]


def first_unit_of(session: Session, document_id: int) -> int | None:
    """The id of a document's first unit: where review shows the article from."""
    return session.exec(
        select(Unit.id).where(Unit.document_id == document_id).order_by(Unit.position).limit(1)  # type: ignore[arg-type]
    ).first()


def document_labels(session: Session, project_id: int) -> ProjectLabels:
    """Every document answer of a project as label columns (``unit`` holds document ids),
    for `analysis.agreement.compute_agreement` over the schema's `per_document()` view."""
    rows = document_rows(session, project_id)
    data = ProjectLabels()
    index: dict[str, int] = {}
    for name, role in sorted({(a.annotator, a.role) for r in rows for a in r.answers}):
        index[name] = len(data.annotators)
        data.annotators.append(name)
        data.roles.append(role)
    for row in rows:
        for a in row.answers:
            data.unit.append(row.document_id)
            data.annotator.append(index[a.annotator])
            data.status.append(a.status)
            data.seconds.append(a.seconds)
            data.values.append(a.values)
    data.adjudications = document_decisions(session, project_id)
    data.total_units = session.exec(
        select(func.count()).select_from(Document).where(Document.project_id == project_id)
    ).one()
    return data


@dataclass
class Answer:
    annotator: str
    role: str
    status: str
    values: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    seconds: float | None
    schema_hash: str


@dataclass
class DocumentRow:
    document_id: int
    title: str | None
    url: str | None
    outlet: str | None
    published: datetime | None
    lang: str | None
    answers: list[Answer] = field(default_factory=list)


def document_rows(session: Session, project_id: int) -> list[DocumentRow]:
    """The documents someone answered the document tasks of, each with every answer (by
    annotator name), in document order: what an export writes."""
    rows = session.exec(
        select(  # type: ignore[call-overload]
            Document,
            DocumentAnnotation,
            Annotator.name,
            Annotator.role,
            SchemaVersion.content_hash,
        )
        .join(DocumentAnnotation, DocumentAnnotation.document_id == Document.id)  # type: ignore[arg-type]
        .join(Annotator, Annotator.id == DocumentAnnotation.annotator_id)  # type: ignore[arg-type]
        .join(SchemaVersion, SchemaVersion.id == DocumentAnnotation.schema_version_id)  # type: ignore[arg-type]
        .where(Document.project_id == project_id)
        .order_by(Document.id, Annotator.name)  # type: ignore[arg-type]
    ).all()
    out: list[DocumentRow] = []
    for doc, ann, name, role, schema_hash in rows:
        assert doc.id is not None
        if not out or out[-1].document_id != doc.id:
            out.append(DocumentRow(doc.id, doc.title, doc.url, doc.outlet, doc.published, doc.lang))
        out[-1].answers.append(
            Answer(
                name,
                role,
                ann.status,
                dict(ann.values),
                ann.created_at,
                ann.updated_at,
                ann.seconds,
                schema_hash,
            )
        )
    return out
