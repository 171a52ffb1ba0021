"""What the command palette looks up: documents by title, sentences by their text, and
whether a project has any sentence at all."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session

_BY_TITLE = text(
    "SELECT id, title FROM document WHERE project_id = :p AND lower(title) LIKE :q ESCAPE '\\' "
    "ORDER BY id LIMIT :n"
)
_BY_TEXT = text(
    "SELECT id, document_id, text FROM unit WHERE project_id = :p "
    "AND lower(text) LIKE :q ESCAPE '\\' ORDER BY id LIMIT :n"
)
_FIRST_UNIT = text("SELECT id FROM unit WHERE document_id = :d ORDER BY position LIMIT 1")
_ANY_UNIT = text("SELECT 1 FROM unit WHERE project_id = :p LIMIT 1")


def _like(query: str) -> str:
    escaped = query.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def documents_titled(
    session: Session, project_id: int, query: str, limit: int = 20
) -> list[tuple[int, str | None]]:
    """(id, title) of documents whose title holds `query` (any case)."""
    rows = session.execute(_BY_TITLE, {"p": project_id, "q": _like(query), "n": limit})
    return [(r[0], r[1]) for r in rows]


def units_saying(
    session: Session, project_id: int, query: str, limit: int = 20
) -> list[tuple[int, int, str]]:
    """(unit id, document id, text) of sentences holding `query` (any case). A scan of the
    project's sentences: the palette runs it off the UI thread."""
    rows = session.execute(_BY_TEXT, {"p": project_id, "q": _like(query), "n": limit})
    return [(r[0], r[1], r[2]) for r in rows]


def first_unit(session: Session, document_id: int) -> int | None:
    return session.execute(_FIRST_UNIT, {"d": document_id}).scalar()


def has_units(session: Session, project_id: int) -> bool:
    return session.execute(_ANY_UNIT, {"p": project_id}).first() is not None
