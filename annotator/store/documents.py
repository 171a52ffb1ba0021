"""Writing imported documents and their units: batched, idempotent by content hash."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import insert, select, update
from sqlmodel import Session, col

from annotator.store.models import Document, utcnow


class UnitLike(Protocol):
    @property
    def kind(self) -> str: ...
    @property
    def text(self) -> str: ...


class DocumentLike(Protocol):
    """What the store needs of a document (the ingest layer's ParsedDocument is one)."""

    @property
    def title(self) -> str: ...
    @property
    def units(self) -> Sequence[UnitLike]: ...
    @property
    def source_path(self) -> str: ...
    @property
    def url(self) -> str | None: ...
    @property
    def outlet(self) -> str | None: ...
    @property
    def published(self) -> datetime | None: ...
    @property
    def lang(self) -> str | None: ...
    @property
    def meta(self) -> dict[str, Any]: ...


def text_hash(text: str) -> str:
    """Stable key for a unit's text (matching labels made elsewhere to our units)."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


@dataclass(frozen=True, slots=True)
class PreparedDocument:
    """A parsed document with its hashes computed: made in import workers, so the single
    writer process only inserts. Units are (kind, text, text_hash) tuples: cheap to pickle."""

    doc: DocumentLike
    content_hash: str
    units: tuple[tuple[str, str, str], ...]


def prepare_document(doc: DocumentLike) -> PreparedDocument:
    units = tuple((u.kind, u.text, text_hash(u.text)) for u in doc.units)
    return PreparedDocument(doc, _hash_parts(doc.title, doc.url, units), units)


def document_hash(doc: DocumentLike) -> str:
    """Same title, URL and units give the same hash, whichever file or format they came from."""
    return _hash_parts(doc.title, doc.url, [(u.kind, u.text) for u in doc.units])


def _hash_parts(title: str, url: str | None, units: Sequence[tuple[str, ...]]) -> str:
    h = hashlib.sha256()
    for part in (title, url or ""):
        h.update(part.encode("utf-8"))
        h.update(b"\x00")
    for kind, text, *_ in units:
        h.update(kind.encode("ascii"))
        h.update(b"\x01")
        h.update(text.encode("utf-8"))
        h.update(b"\x00")
    return h.hexdigest()


@dataclass
class AddResult:
    documents: int = 0
    units: int = 0
    duplicates: int = 0  # documents already in the project


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
    # Units go straight to the driver as tuples: at import volumes SQLAlchemy's per-row
    # parameter processing costs as much as SQLite's own insert.
    unit_rows = [
        (project_id, doc_id, pos, kind, text, thash)
        for doc_id, p in zip(ids, new, strict=True)
        for pos, (kind, text, thash) in enumerate(p.units)
    ]
    if unit_rows:
        mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        conn.exec_driver_sql(
            "INSERT INTO unit (project_id, document_id, position, kind, text, text_hash) "
            f"VALUES ({', '.join([mark] * 6)})",
            unit_rows,
        )
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
