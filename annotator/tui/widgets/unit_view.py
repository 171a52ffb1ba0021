"""The document line and the unit with its dimmed context. All text arrives as data."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from annotator.store.units import ContextUnit, UnitView
from annotator.tui.safe_text import display_text


def document_line(view: UnitView) -> Text:
    t = Text(no_wrap=True, overflow="ellipsis")
    t.append(display_text(view.title or "(untitled)"), style="bold")
    meta = [display_text(view.outlet)] if view.outlet else []
    if view.published:
        meta.append(view.published.strftime("%Y-%m-%d"))
    meta.append(f"{view.position + 1}/{view.doc_units}")
    t.append("  " + " · ".join(meta), style="dim")
    return t


def _context(units: tuple[ContextUnit, ...]) -> Text:
    return Text("\n").join(Text(display_text(u.text)) for u in units)


def set_text(box: Static, text: Text) -> None:
    """Show `text` in `box`, with a layout pass only when its height changes.

    A layout pass re-measures and re-renders the whole screen; a repaint redraws this box.
    """
    old = box.content_size
    box.update(text, layout=False)
    if not old.width or box.visual.get_height(box.styles, old.width) != old.height:
        box.refresh(layout=True)


class UnitBox(VerticalScroll):
    """Context before (dim), the current unit (prominent), context after (dim)."""

    can_focus = False

    def compose(self) -> ComposeResult:
        yield Static(id="before", markup=False)
        yield Static(id="current", markup=False)
        yield Static(id="after", markup=False)

    def show(self, view: UnitView) -> None:
        before, after = self.query_one("#before", Static), self.query_one("#after", Static)
        if before.display != bool(view.before):
            before.display = bool(view.before)
        set_text(before, _context(view.before))
        current = Text(display_text(view.text))
        if view.kind != "body":
            current.append(f"  ({view.kind})", style="dim italic")
        set_text(self.query_one("#current", Static), current)
        if after.display != bool(view.after):
            after.display = bool(view.after)
        set_text(after, _context(view.after))
        if self.scroll_y:
            self.scroll_home(animate=False)
