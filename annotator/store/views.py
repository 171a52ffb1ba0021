"""One unit as the annotate screen draws it (`UnitView`), and the SQL that reads one, as
plain text: the store's `units` runs it through SQLAlchemy, the first look at a start
(`first_look`) through the sqlite3 module. Free of SQLAlchemy, so the screen that draws a
`UnitView` loads without it.

The context is read by ``(document_id, position)``, served by its index.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

MAX_CONTEXT = 40  # units of context a screen reads on each side, at most

UNIT_SQL = (
    "SELECT u.id, u.document_id, u.position, u.kind, u.text, u.tokens, "
    "d.title, d.outlet, d.published, d.lang, d.url, "
    "(SELECT max(n.position) FROM unit n WHERE n.document_id = u.document_id) "
    "FROM unit u JOIN document d ON d.id = u.document_id WHERE u.id = :uid"
)
CONTEXT_SQL = (
    "SELECT position, kind, text FROM unit WHERE document_id = :doc "
    "AND position BETWEEN :lo AND :hi AND position != :pos ORDER BY position"
)


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


def context_params(row: tuple[Any, ...], before: int, after: int) -> dict[str, int]:
    """CONTEXT_SQL's parameters around a UNIT_SQL `row`."""
    doc, pos = row[1], row[2]
    return {"doc": doc, "lo": pos - before, "hi": pos + after, "pos": pos}


def unit_view(row: tuple[Any, ...], context: Iterable[tuple[int, str, str]]) -> UnitView:
    """The view of a UNIT_SQL `row` with its CONTEXT_SQL rows (raw JSON tokens and text
    dates, as SQLite gives them, are decoded)."""
    uid, doc, pos, kind, body, tokens, title, outlet, published, lang, url, doc_len = row
    if isinstance(tokens, str):
        tokens = json.loads(tokens)
    if isinstance(published, str):
        published = datetime.fromisoformat(published)
    around = [ContextUnit(*r) for r in context]
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
        before=tuple(c for c in around if c.position < pos),
        after=tuple(c for c in around if c.position > pos),
    )
