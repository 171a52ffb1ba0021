"""Command palette: jump to a document by title."""

from __future__ import annotations

from functools import partial

from rich.text import Text
from sqlalchemy import text
from textual.command import Hit, Hits, Provider

from annotator.tui.safe_text import display_text


class DocumentCommands(Provider):
    async def search(self, query: str) -> Hits:
        app = self.app
        ann = getattr(app, "annotating", None)
        if ann is None or len(query.strip()) < 2:
            return
        with ann.ctx.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT d.id, d.title FROM document d WHERE d.project_id = :p "
                    "AND d.title LIKE :q ORDER BY d.id LIMIT 20"
                ),
                {"p": ann.ctx.project_id, "q": f"%{query.strip()}%"},
            ).all()
        matcher = self.matcher(query)
        for doc_id, title in rows:
            shown = display_text(title or "(untitled)")
            yield Hit(
                max(matcher.match(shown), 0.5),
                Text("Go to document: ") + Text(shown),
                partial(self.jump, doc_id),
                text=f"Go to document: {shown}",
                help="first unit of this document",
            )

    def jump(self, document_id: int) -> None:
        ann = self.app.annotating  # type: ignore[attr-defined]
        with ann.ctx.engine.connect() as conn:
            uid = conn.execute(
                text("SELECT id FROM unit WHERE document_id = :d ORDER BY position LIMIT 1"),
                {"d": document_id},
            ).scalar()
        screen = self.app.screen
        if uid is not None and hasattr(screen, "draw"):
            screen.draw(ann.goto(uid))
