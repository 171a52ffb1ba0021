"""Writing imported documents and their units: batched, idempotent by content hash."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlmodel import Session

from annotator.ingest.model import ParsedDocument
from annotator.store.models import Document, Unit, utcnow


def text_hash(text: str) -> str:
    """Stable key for a unit's text (matching labels made elsewhere to our units)."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def document_hash(doc: ParsedDocument) -> str:
    """Same title, URL and units give the same hash, whichever file or format they came from."""
    h = hashlib.sha256()
    for part in (doc.title, doc.url or ""):
        h.update(part.encode("utf-8"))
        h.update(b"\x00")
    for unit in doc.units:
        h.update(unit.kind.encode("ascii"))
        h.update(b"\x01")
        h.update(unit.text.encode("utf-8"))
        h.update(b"\x00")
    return h.hexdigest()


@dataclass
class AddResult:
    documents: int = 0
    units: int = 0
    duplicates: int = 0  # documents already in the project


def add_documents(session: Session, project_id: int, docs: Sequence[ParsedDocument]) -> AddResult:
    """Insert the documents that are not in the project yet, with their units, in one flush.

    Documents are matched by content hash, so importing the same file twice changes nothing.
    The caller owns the transaction.
    """
    result = AddResult()
    hashed: dict[str, ParsedDocument] = {}
    for doc in docs:
        hashed.setdefault(document_hash(doc), doc)
    result.duplicates = len(docs) - len(hashed)
    if not hashed:
        return result
    existing = set(
        session.execute(
            select(Document.content_hash).where(
                Document.project_id == project_id, Document.content_hash.in_(list(hashed))
            )
        ).scalars()
    )
    result.duplicates += len(existing)
    new = [(h, d) for h, d in hashed.items() if h not in existing]
    if not new:
        return result

    now = utcnow()
    doc_rows = [
        {
            "project_id": project_id,
            "source_path": d.source_path,
            "url": d.url,
            "title": d.title,
            "outlet": d.outlet,
            "published": d.published,
            "lang": d.lang,
            "content_hash": h,
            "meta": d.meta,
            "imported_at": now,
        }
        for h, d in new
    ]
    # RETURNING keeps ids in insert order (sort_by_parameter_order), so units pair up safely.
    ids = session.execute(
        insert(Document).returning(Document.id, sort_by_parameter_order=True), doc_rows
    ).scalars().all()
    unit_rows = [
        {
            "project_id": project_id,
            "document_id": doc_id,
            "position": pos,
            "kind": u.kind,
            "text": u.text,
            "text_hash": text_hash(u.text),
        }
        for doc_id, (_, d) in zip(ids, new, strict=True)
        for pos, u in enumerate(d.units)
    ]
    if unit_rows:
        session.execute(insert(Unit), unit_rows)
    result.documents = len(new)
    result.units = len(unit_rows)
    return result
