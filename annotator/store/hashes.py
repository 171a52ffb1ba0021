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
    """Each unit's `text_hash` and the document's content hash, each text encoded once."""
    blake2b = hashlib.blake2b
    units = []
    # Same title, URL and units give the same hash, whichever file or format they came from.
    parts = [doc.title.encode("utf-8"), b"\x00", (doc.url or "").encode("utf-8"), b"\x00"]
    for unit in doc.units:
        raw = unit.text.encode("utf-8")
        units.append((unit.kind, unit.text, blake2b(raw, digest_size=16).hexdigest()))
        parts += (unit.kind.encode("ascii"), b"\x01", raw, b"\x00")
    return PreparedDocument(doc, hashlib.sha256(b"".join(parts)).hexdigest(), tuple(units))
