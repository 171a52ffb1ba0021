"""One unit on screen (`views.UnitView`) read through a session, the tokens a span task
caches, and the units a check file names."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session

from annotator.store.views import CONTEXT_SQL, UNIT_SQL, UnitView, context_params, unit_view

_UNIT = text(UNIT_SQL)
_CONTEXT = text(CONTEXT_SQL)


def load_unit(session: Session, unit_id: int, *, before: int = 2, after: int = 1) -> UnitView:
    row = tuple(session.execute(_UNIT, {"uid": unit_id}).one())
    context = (
        session.execute(_CONTEXT, context_params(row, before, after)) if before or after else ()
    )
    return unit_view(row, (tuple(r) for r in context))


def store_tokens(session: Session, unit_id: int, tokens: list[str]) -> None:
    """Cache a unit's word tokens (computed lazily the first time a span task needs them)."""
    from annotator.store.models import Unit

    unit = session.get(Unit, unit_id)
    if unit is not None and unit.tokens != tokens:
        unit.tokens = list(tokens)
        session.add(unit)


# --- finding a unit a file names (check items) --------------------------------------------
_BY_ID = text("SELECT text FROM unit WHERE id = :u AND project_id = :p")
_BY_PLACE = text(
    "SELECT u.id, u.text FROM unit u JOIN document d ON d.id = u.document_id "
    "WHERE d.project_id = :p AND d.id = :d AND u.position = :pos"
)
_BY_TEXT = text("SELECT id FROM unit WHERE project_id = :p AND text = :t LIMIT 2")


def unit_text(session: Session, project_id: int, unit_id: int) -> str | None:
    """The text of the project's unit `unit_id` (None: the project has no such unit)."""
    return session.execute(_BY_ID, {"p": project_id, "u": unit_id}).scalar()


def unit_at(
    session: Session, project_id: int, document_id: int, position: int
) -> tuple[int, str] | None:
    """(id, text) of the unit at `position` (0: the first) of one of the project's documents."""
    row = session.execute(_BY_PLACE, {"p": project_id, "d": document_id, "pos": position}).first()
    return (int(row[0]), str(row[1])) if row is not None else None


def units_with_text(session: Session, project_id: int, body: str) -> list[int]:
    """Ids of the project's units with exactly this text (two at most: enough to say "several")."""
    return [int(r[0]) for r in session.execute(_BY_TEXT, {"p": project_id, "t": body})]
