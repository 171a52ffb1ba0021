"""One unit on screen: its text, tokens and document, with the units around it for context.

The context is read by ``(document_id, position)``, served by its index.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlmodel import Session

_UNIT = text(
    "SELECT u.id, u.document_id, u.position, u.kind, u.text, u.tokens, "
    "d.title, d.outlet, d.published, d.lang, d.url, "
    "(SELECT max(n.position) FROM unit n WHERE n.document_id = u.document_id) "
    "FROM unit u JOIN document d ON d.id = u.document_id WHERE u.id = :uid"
)
_CONTEXT = text(
    "SELECT position, kind, text FROM unit WHERE document_id = :doc "
    "AND position BETWEEN :lo AND :hi AND position != :pos ORDER BY position"
)


# --- one unit on screen ----------------------------------------------------------------


@dataclass(frozen=True)
class ContextUnit:
    position: int
    kind: str
    text: str


@dataclass(frozen=True)
class UnitView:
    """Everything the annotate screen draws for one unit (and nothing of other annotators)."""

    unit_id: int
    document_id: int
    position: int
    kind: str
    text: str
    tokens: list[str] | None
    title: str
    outlet: str | None
    published: datetime | None
    lang: str | None
    url: str | None
    doc_units: int
    before: tuple[ContextUnit, ...] = ()
    after: tuple[ContextUnit, ...] = ()


def load_unit(session: Session, unit_id: int, *, before: int = 2, after: int = 1) -> UnitView:
    row = session.execute(_UNIT, {"uid": unit_id}).one()
    uid, doc, pos, kind, body, tokens, title, outlet, published, lang, url, doc_len = row
    if isinstance(tokens, str):  # raw JSON through text()
        import json

        tokens = json.loads(tokens)
    if isinstance(published, str):
        published = datetime.fromisoformat(published)
    ctx: list[ContextUnit] = []
    if before or after:
        ctx = [
            ContextUnit(*r)
            for r in session.execute(
                _CONTEXT, {"doc": doc, "lo": pos - before, "hi": pos + after, "pos": pos}
            )
        ]
    return UnitView(
        unit_id=uid,
        document_id=doc,
        position=pos,
        kind=kind,
        text=body,
        tokens=tokens,
        title=title,
        outlet=outlet,
        published=published,
        lang=lang,
        url=url,
        doc_units=(doc_len or 0) + 1,
        before=tuple(c for c in ctx if c.position < pos),
        after=tuple(c for c in ctx if c.position > pos),
    )


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
