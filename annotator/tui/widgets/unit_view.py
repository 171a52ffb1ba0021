"""The document line and the unit with its dimmed context. All text arrives as data.

The unit box draws its own lines, wrapped by `annotator.tui.linebreak` (Chinese by CJK
rules), in whatever height the layout gives it: the current unit first, in full, then as
much context as is left room for, the nearest sentences first. The box's size never
depends on the text, so a new unit is a repaint of the box, not a layout of the screen.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.widget import Widget

from annotator.store.views import MAX_CONTEXT, ContextUnit, UnitView
from annotator.tui.linebreak import cached_lines
from annotator.tui.safe_text import display_text

BAR = "▌ "  # in front of each line of the current unit (two cells)


class DocLine:
    """Title, then outlet · date · n/N, on one line: the title gives way (ellipsis) so what
    follows it always shows."""

    def __init__(self, title: str, meta: str) -> None:
        self.title, self.meta = title, meta

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        meta = Text("  " + self.meta, style="dim")
        meta.truncate(width, overflow="ellipsis")
        title = Text(self.title, style="bold")
        room = width - meta.cell_len
        if room < 4:  # too narrow for a title: what comes after it matters more
            meta = Text(self.meta, style="dim")
            meta.truncate(width, overflow="ellipsis")
            room = 0
        title.truncate(room, overflow="ellipsis")
        line = Text.assemble(title, meta) if room else meta
        yield from line.render(console)
        yield Segment.line()

    def __str__(self) -> str:  # what tests and logs read
        return f"{self.title}  {self.meta}"


def document_line(view: UnitView) -> DocLine:
    meta = [display_text(view.outlet)] if view.outlet else []
    if view.published:
        meta.append(view.published.strftime("%Y-%m-%d"))
    meta.append(f"{view.position + 1}/{view.doc_units}")
    return DocLine(display_text(view.title or "(untitled)"), " · ".join(meta))


def context_depth(before: int, after: int, rows: int) -> tuple[int, int]:
    """Units of context to read around a unit on a screen of `rows`, given the schema's
    `before` and `after`: as many as could show on each side (a unit takes a row at least,
    and near a document's start or end one side fills the room the other leaves), never
    fewer than the schema asks, none on a side it leaves out."""
    return (
        max(before, min(MAX_CONTEXT, rows)) if before else 0,
        max(after, min(MAX_CONTEXT, rows)) if after else 0,
    )


def fit_context(before: list[int], current: int, after: list[int], rows: int) -> tuple[int, int]:
    """How many lines of context before and after the current unit fit in `rows`.

    `before` and `after` are the line counts of the context units, nearest first. The
    current unit always gets its lines; the rest goes to the context, a third to what
    follows (at least its first line) and the remainder to what came before, and a side
    with less to show leaves its room to the other.
    """
    room = rows - current
    if room <= 0:
        return 0, 0
    have_before, have_after = sum(before), sum(after)
    n_after = min(have_after, max(1, room // 3))
    n_before = min(have_before, room - n_after)
    n_after = min(have_after, room - n_before)
    return n_before, n_after


class UnitBox(Widget):
    """Context before (dim), the current unit (prominent, a bar in front), context after."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "unit-box--context",
        "unit-box--current",
        "unit-box--bar",
    }
    DEFAULT_CSS = """
    UnitBox { height: 1fr; }
    UnitBox > .unit-box--context { color: $text-muted; }
    UnitBox > .unit-box--current { text-style: bold; }
    UnitBox > .unit-box--bar { color: $accent; }
    """
    can_focus = False

    def __init__(
        self, marker: Callable[[str], list[tuple[int, int]]] | None = None, **kwargs
    ) -> None:
        super().__init__(**kwargs)
        self.view: UnitView | None = None
        self.scrolled = 0  # first row of the current unit shown, when it is taller than the box
        self.marker = marker  # finds the lexicon's words in a text (loaded-word hints)
        self.marks: list[tuple[int, int]] = []  # where they are in the current unit

    def show(self, view: UnitView) -> None:
        self.view = view
        self.scrolled = 0
        self.marks = self.marker(view.text) if self.marker is not None else []
        self.refresh()

    # --- lines ---------------------------------------------------------------------------
    def _current(self, view: UnitView) -> tuple[str, int]:
        """The current unit's text as shown, and where its kind note starts (if any)."""
        text = display_text(view.text)
        if view.kind == "body":
            return text, len(text)
        return f"{text}  ({view.kind})", len(text)

    def current_text(self) -> str:
        """The current unit as the box shows it, before wrapping ("" when none)."""
        return self._current(self.view)[0] if self.view is not None else ""

    def current_rows(self, width: int | None = None) -> int:
        """Rows the current unit takes at the box's width (or `width`)."""
        if self.view is None:
            return 0
        width = width or self.content_size.width
        return len(cached_lines(self._current(self.view)[0], width - 2))

    @staticmethod
    def _context_lines(units: tuple[ContextUnit, ...], width: int, rows: int) -> list[list[str]]:
        """The lines of `units` (nearest first), until they fill `rows`."""
        out: list[list[str]] = []
        for unit in units:
            if rows <= 0:
                break
            text = display_text(unit.text)
            out.append([text[a:b] for a, b in cached_lines(text, width)])
            rows -= len(out[-1])
        return out

    def render(self) -> Text:
        # One Text, built by appending plain strings with a style each: slicing and
        # restyling Text objects line by line cost a few milliseconds a unit.
        view = self.view
        width, rows = self.content_size.width, self.content_size.height
        if view is None or width < 4 or rows < 1:
            return Text()
        muted = self.get_component_rich_style("unit-box--context", partial=True)
        strong = self.get_component_rich_style("unit-box--current", partial=True)
        bar = self.get_component_rich_style("unit-box--bar", partial=True)
        note = strong + Style(bold=False, dim=True, italic=True)
        text, kind_at = self._current(view)
        mine = cached_lines(text, width - 2)
        first = 0
        if len(mine) >= rows:  # taller than the box: the wheel scrolls it
            self.scrolled = first = max(0, min(self.scrolled, len(mine) - rows))
            mine = mine[first : first + rows]
            above: list[str] = []
            below: list[str] = []
        else:
            room = rows - len(mine)
            before = self._context_lines(tuple(reversed(view.before)), width, room)
            after = self._context_lines(view.after, width, room)
            n_before, n_after = fit_context(
                [len(u) for u in before], len(mine), [len(u) for u in after], rows
            )
            above = [line for unit in reversed(before) for line in unit]
            above = above[len(above) - n_before :] if n_before else []
            below = [line for unit in after for line in unit][:n_after]
        out = Text(no_wrap=True, overflow="crop")
        # Short of text (a short document): the blank goes above, so the tasks stay right
        # under the text.
        out.append("\n" * (rows - len(above) - len(mine) - len(below)))
        for line in above:
            out.append(line + "\n", style=muted)
        marked = strong + Style(underline=True)
        for i, (a, b) in enumerate(mine):
            out.append(BAR, style=bar)
            if self.marks:
                self._append_marked(out, text, a, min(b, kind_at), strong, marked)
            else:
                out.append(text[a : min(b, kind_at)], style=strong)
            if b > kind_at:
                out.append(text[max(a, kind_at) : b], style=note)
            if i < len(mine) - 1 or below:
                out.append("\n")
        for i, line in enumerate(below):
            out.append(line + ("\n" if i < len(below) - 1 else ""), style=muted)
        return out

    def _append_marked(
        self, out: Text, text: str, a: int, b: int, plain: Style, marked: Style
    ) -> None:
        """text[a:b], the lexicon's words in it underlined (a word may span two lines)."""
        at = a
        for start, end in self.marks:
            if end <= at or start >= b:
                continue
            start, end = max(start, at), min(end, b)
            if start > at:
                out.append(text[at:start], style=plain)
            out.append(text[start:end], style=marked)
            at = end
        if at < b:
            out.append(text[at:b], style=plain)

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        if self.view is not None and self.current_rows() > self.content_size.height:
            self.scrolled += 1
            self.refresh()

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        if self.scrolled:
            self.scrolled -= 1
            self.refresh()
