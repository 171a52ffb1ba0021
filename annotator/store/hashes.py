"""The store's content keys, without SQLAlchemy: import workers compute them while the
parent process is still opening the store (see ``ingest.parse``)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


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


def _hash_parts(title: str, url: str | None, units: Sequence[tuple[str, ...]]) -> str:
    """Same title, URL and units give the same hash, whichever file or format they came from."""
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
