"""Writing imported documents and their units: batched, idempotent by content hash."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import insert, select, update
from sqlmodel import Session, col

from annotator.store.added import AddResult
from annotator.store.bulk import insert_rows
from annotator.store.hashes import DocumentLike, PreparedDocument, prepare_document
from annotator.store.models import Document, Unit, utcnow

_UNIT_COLUMNS = ("project_id", "document_id", "position", "kind", "text", "text_hash")


def add_documents(
    session: Session, project_id: int, docs: Sequence[DocumentLike | PreparedDocument]
) -> AddResult:
    """Insert the documents that are not in the project yet, with their units, in one flush.

    Documents are matched by content hash, so importing the same file twice changes nothing.
    The caller owns the transaction.
    """
    result = AddResult()
    hashed: dict[str, PreparedDocument] = {}
    for item in docs:
        prepared = item if isinstance(item, PreparedDocument) else prepare_document(item)
        hashed.setdefault(prepared.content_hash, prepared)
    result.duplicates = len(docs) - len(hashed)
    if not hashed:
        return result
    existing = set(
        session.execute(
            select(col(Document.content_hash)).where(
                col(Document.project_id) == project_id, col(Document.content_hash).in_(list(hashed))
            )
        ).scalars()
    )
    result.duplicates += len(existing)
    new = [p for h, p in hashed.items() if h not in existing]
    if not new:
        return result

    now = utcnow()
    doc_rows = [
        {
            "project_id": project_id,
            "source_path": p.doc.source_path,
            "url": p.doc.url,
            "title": p.doc.title,
            "outlet": p.doc.outlet,
            "published": p.doc.published,
            "lang": p.doc.lang,
            "content_hash": p.content_hash,
            "meta": p.doc.meta,
            "imported_at": now,
        }
        for p in new
    ]
    # Core statements on the session's connection: the ORM's bulk path costs more than the
    # insert itself at import volumes. RETURNING keeps ids in insert order, so units pair up.
    conn = session.connection()
    doc_table = Document.__table__  # type: ignore[attr-defined]
    ids = (
        conn.execute(
            insert(doc_table).returning(doc_table.c.id, sort_by_parameter_order=True), doc_rows
        )
        .scalars()
        .all()
    )
    # Units go straight to the driver as tuples (at import volumes SQLAlchemy's per-row
    # parameter processing costs as much as SQLite's own insert); on PostgreSQL by COPY,
    # where an INSERT per row costs the server a statement each.
    unit_rows = [
        (project_id, doc_id, pos, kind, text, thash)
        for doc_id, p in zip(ids, new, strict=True)
        for pos, (kind, text, thash) in enumerate(p.units)
    ]
    unit_table = Unit.__table__  # type: ignore[attr-defined]
    insert_rows(session, unit_table, _UNIT_COLUMNS, unit_rows)
    result.documents = len(new)
    result.units = len(unit_rows)
    return result


def rename_outlets(
    session: Session,
    project_id: int,
    name_of: Callable[[str | None, str | None], str | None],
) -> int:
    """Set each document's outlet to ``name_of(outlet, url)`` where that differs; returns
    how many changed. Documents are few next to units: they are read in one pass, and
    the changed ones updated by id, one statement per new name and 5,000 ids."""
    rows = session.execute(
        select(col(Document.id), col(Document.outlet), col(Document.url)).where(
            col(Document.project_id) == project_id
        )
    )
    changes: dict[str | None, list[int]] = {}
    for doc_id, outlet, url in rows:
        name = name_of(outlet, url)
        if name != outlet:
            changes.setdefault(name, []).append(doc_id)
    for name, ids in changes.items():
        for i in range(0, len(ids), 5_000):
            session.execute(
                update(Document).where(col(Document.id).in_(ids[i : i + 5_000])).values(outlet=name)
            )
    return sum(len(ids) for ids in changes.values())
