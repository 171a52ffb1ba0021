"""One-line status widgets: the progress line and the key hints.

Each is a single widget drawing one line of text (Textual's ProgressBar and Footer are
trees of a dozen widgets, and the Footer rebuilds itself on every focus change: too much
work to redo for every unit).
"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget


class ProgressLine(Widget):
    """``━━━━━━──────  1,234 done · 5,678 left · ETA 3h05m`` in one line."""

    DEFAULT_CSS = "ProgressLine { height: 1; }"

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.done = 0
        self.left = 0
        self.counts = Text("counting…", style="dim")
        self.known = False

    def show(self, done: int, left: int, counts: str) -> None:
        self.done, self.left, self.known = done, left, True
        self.counts = Text(counts)
        self.refresh()

    def render(self) -> Text:
        width = self.size.width
        bar_width = max(0, min(30, width - len(self.counts) - 2))
        out = Text(no_wrap=True, overflow="ellipsis")
        if self.known and bar_width >= 5:
            total = max(1, self.done + self.left)
            filled = round(bar_width * self.done / total)
            out.append("━" * filled, style="bold green")
            out.append("─" * (bar_width - filled), style="dim")
            out.append("  ")
        out.append_text(self.counts)
        return out


class KeyHints(Widget):
    """The keys of the screen's shown bindings (after the user's keymap), in one line."""

    DEFAULT_CSS = "KeyHints { height: 1; }"

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.hints: list[tuple[str, str]] = []

    def set_hints(self, hints: list[tuple[str, str]]) -> None:
        self.hints = hints
        self.refresh()

    def render(self) -> Text:
        # Roomy when the line has room; tighter rather than losing the last keys (at 80
        # columns the roomy form cut off ^p Palette).
        for pad, gap in ((" ", "  "), ("", " ")):
            out = self._line(pad, gap)
            if out.cell_len <= self.size.width:
                return out
        return out

    def _line(self, pad: str, gap: str) -> Text:
        out = Text(no_wrap=True, overflow="ellipsis")
        for i, (key, what) in enumerate(self.hints):
            if i:
                out.append(gap)
            out.append(f"{pad}{key}{pad}", style="bold reverse")
            out.append(f" {what}", style="dim")
        return out
