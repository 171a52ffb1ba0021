"""What readers produce: plain documents with their units, before they meet the store."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from annotator.errors import AnnotatorError, one_line

UnitKind = Literal["title", "caption", "body"]


@dataclass
class ParsedUnit:
    kind: UnitKind
    text: str


@dataclass
class ParsedDocument:
    title: str
    units: list[ParsedUnit]
    source_path: str = ""
    url: str | None = None
    outlet: str | None = None
    published: datetime | None = None  # timezone-aware UTC, or None
    lang: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


class IngestError(AnnotatorError):
    """A file or record that cannot be imported; the message is one line for a person
    (whatever names or values from the file it quotes)."""

    def __init__(self, message: str) -> None:
        super().__init__(one_line(str(message)))
