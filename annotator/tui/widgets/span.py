"""Span: a cursor over the unit's words. left/right move, space toggles the word under the
cursor, shift+left/right extend the selection, a click toggles a word.

The value is a list of spans, each ``{"start", "end"}`` character offsets into the unit text,
``{"token_start", "token_end"}`` word indices (end exclusive) and the ``text`` itself.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual import events

from annotator.schema.model import Task
from annotator.tui.safe_text import display_text
from annotator.tui.widgets.base import TaskPanel


class SpanPanel(TaskPanel):
    """Its keys arrive through the screen's bindings while it is the active task."""

    def __init__(self, task: Task) -> None:
        super().__init__(task)
        self.text = ""
        self.tokens: list[str] = []
        self.offsets: list[tuple[int, int]] = []
        self.selected: set[int] = set()
        self.cursor = 0
        self.anchor: int | None = None

    def load(self, text: str, tokens: list[str], offsets: list[tuple[int, int]]) -> None:
        self.text, self.tokens, self.offsets = text, tokens, offsets
        self.cursor, self.anchor = 0, None
        self.selected = set()
        self.refresh(layout=True)  # other words: the height may change

    def unload(self) -> None:
        """Forget the words (a new unit); they are loaded when the panel is shown."""
        self.text, self.tokens, self.offsets = "", [], []
        self.cursor, self.anchor = 0, None
        self.selected = set()

    # value <-> selected token indices
    def set_value(self, value) -> None:
        self.selected = set()
        for span in value or ():
            self.selected.update(range(span.get("token_start", 0), span.get("token_end", 0)))
        self.selected &= set(range(len(self.tokens)))
        self._value = value
        if self.display:
            self.refresh()

    def _spans(self) -> list[dict] | None:
        runs: list[list[int]] = []
        for i in sorted(self.selected):
            if runs and runs[-1][-1] == i - 1:
                runs[-1].append(i)
            else:
                runs.append([i])
        out = []
        for run in runs:
            start, end = self.offsets[run[0]][0], self.offsets[run[-1]][1]
            out.append(
                {
                    "start": start,
                    "end": end,
                    "token_start": run[0],
                    "token_end": run[-1] + 1,
                    "text": self.text[start:end],
                }
            )
        return out or None

    def _changed(self) -> None:
        self.change(self._spans())

    def body(self) -> Text:
        if not self.tokens:
            return Text("(no words)", style="dim")
        out = Text()
        pos = 0
        for i, (start, end) in enumerate(self.offsets):
            if start > pos:
                out.append(display_text(self.text[pos:start]))
            style = Style(meta={"token": i})
            if i in self.selected:
                style += Style(bgcolor="dark_orange3", color="white", bold=True)
            if i == self.cursor and self.active:
                style += Style(underline=True, reverse=True)
            out.append(display_text(self.text[start:end]), style=style)
            pos = max(pos, end)
        out.append(display_text(self.text[pos:]))
        return out

    def action_move(self, step: int) -> None:
        if self.tokens:
            self.cursor = max(0, min(len(self.tokens) - 1, self.cursor + step))
            self.anchor = None
            self.refresh()

    def action_jump(self, where: int) -> None:
        if self.tokens:
            self.cursor = where % len(self.tokens)
            self.refresh()

    def action_extend(self, step: int) -> None:
        if not self.tokens:
            return
        if self.anchor is None:
            self.anchor = self.cursor
            self.selected.add(self.cursor)
        self.cursor = max(0, min(len(self.tokens) - 1, self.cursor + step))
        lo, hi = sorted((self.anchor, self.cursor))
        self.selected.update(range(lo, hi + 1))
        self._changed()

    def action_toggle(self) -> None:
        if self.tokens:
            self.selected ^= {self.cursor}
            self.anchor = None
            self._changed()

    def on_click(self, event: events.Click) -> None:
        token = event.style.meta.get("token") if event.style else None
        if token is not None:
            self.cursor = token
            self.selected ^= {token}
            self._changed()
