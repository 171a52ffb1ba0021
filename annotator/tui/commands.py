"""Command palette: go to a document by its title, or to a sentence by its words.

After the jump, saving goes on through that document (then back to the queue)."""

from __future__ import annotations

import asyncio
from functools import partial

from rich.text import Text
from textual.command import Hit, Hits, Provider

from annotator.errors import failure
from annotator.store.errors import db_failure
from annotator.tui.safe_text import display_text


def _shorten(text: str, query: str, width: int = 60) -> str:
    """The part of a sentence around the first place `query` appears in it."""
    at = max(0, text.lower().find(query.lower()))
    start = max(0, at - width // 3)
    piece = text[start : start + width]
    return ("…" if start else "") + piece + ("…" if start + width < len(text) else "")


class DocumentCommands(Provider):
    async def search(self, query: str) -> Hits:
        ann = getattr(self.app, "annotating", None)
        query = query.strip()
        if ann is None or len(query) < 2:
            return

        docs, sentences = await asyncio.to_thread(ann.look_for, query)  # a scan: off the UI thread
        matcher = self.matcher(query)
        for doc_id, title in docs:
            shown = display_text(title or "(untitled)")
            yield Hit(
                max(matcher.match(shown), 0.5),
                Text("Go to document: ") + Text(shown),
                partial(self.jump_to_document, doc_id),
                text=f"Go to document: {shown}",
                help="its first sentence; saving goes on through this document",
            )
        for unit_id, _doc, body in sentences:
            shown = display_text(_shorten(body, query))
            yield Hit(
                max(matcher.match(shown), 0.4),
                Text("Go to sentence: ") + Text(shown),
                partial(self.jump_to_unit, unit_id),
                text=f"Go to sentence: {shown}",
                help="saving goes on through its document",
            )

    def jump_to_document(self, document_id: int) -> None:
        ann = self.app.annotating  # type: ignore[attr-defined]
        try:
            uid = ann.document_start(document_id)
        except db_failure() as exc:
            self._failed(exc)
            return
        self.jump_to_unit(uid)

    def jump_to_unit(self, unit_id: int | None) -> None:
        ann = self.app.annotating  # type: ignore[attr-defined]
        screen = self.app.screen
        if unit_id is None or not hasattr(screen, "draw"):
            return
        try:
            view = ann.goto(unit_id, stay=True)
        except db_failure() as exc:
            self._failed(exc)
            return
        screen.draw(view)

    def _failed(self, exc: Exception) -> None:
        """The store did not answer: one line on the screen, which stays where it was."""
        say = getattr(self.app.screen, "say", None)
        if say is not None:
            say(f"Could not go there: {failure(exc)}", error=True)
