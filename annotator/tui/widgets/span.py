"""Span: mark the words of the unit that carry something (say, the bias).

Every word wears a hint: one or two letters drawn in front of it, so where each word starts and
ends shows at a glance (Chinese too: the words are jieba's). Typing a word's hint marks it, or
unmarks it; the hint in capitals stretches the span from the cursor to that word, and again
to shrink it. The arrows move word by word, stepping over punctuation; shift+arrows extend
or shrink the span at the cursor; space marks the word under the cursor; a click marks a word
and a drag marks the words it passes over. A task holds as many spans as are marked.

Why hints rather than type-to-find: a hint is one or two keys for any word, known before the
first key is pressed (type-to-find needs as many letters as make the word unique, and a
second look to see whether it did), and the letters never collide with the labels' keys
(the alphabet leaves out every key an action or a label keeps).

The value is a list of spans, each ``{"start", "end"}`` character offsets into the unit text,
``{"token_start", "token_end"}`` word indices (end exclusive) and the ``text`` itself.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual import events

from annotator.schema.model import Task
from annotator.tui.safe_text import display_text
from annotator.tui.span_hints import assign_hints, is_word
from annotator.tui.widgets.base import TaskPanel

HINT_ACTIVE = Style(bold=True, color="black", bgcolor="yellow")
HINT_IDLE = Style(dim=True)
HINT_OTHER = Style(dim=True, color="grey50")  # a two-letter hint the typed letter ruled out


class SpanPanel(TaskPanel):
    """Its keys arrive from the screen while it is the active task."""

    def __init__(self, task: Task) -> None:
        super().__init__(task)
        self.alphabet = ""  # letters free for hints (the screen sets it)
        self.text = ""
        self.tokens: list[str] = []
        self.offsets: list[tuple[int, int]] = []
        self.words: list[int] = []  # indices of the tokens that are words (not punctuation)
        self.hints: dict[int, str] = {}
        self.by_hint: dict[str, int] = {}
        self.pending = ""  # the first letter of a two-letter hint
        self.pending_extend = False
        self.selected: set[int] = set()
        self.cursor = 0
        self.span_start: int | None = None  # where the span being made started
        self.base: set[int] = set()  # what was marked before that span
        self._press: int | None = None  # the word a mouse button went down on
        self._dragged = False

    def load(self, text: str, tokens: list[str], offsets: list[tuple[int, int]]) -> None:
        self.text, self.tokens, self.offsets = text, tokens, offsets
        self.words = [i for i, t in enumerate(tokens) if is_word(t)]
        self.hints = assign_hints(self.words, self.alphabet)
        self.by_hint = {h: i for i, h in self.hints.items()}
        self.cursor = self.words[0] if self.words else 0
        self.span_start, self.pending = None, ""
        self.selected = set()
        self.refresh(layout=True)  # other words: the height may change

    def unload(self) -> None:
        """Forget the words (a new unit); they are loaded when the panel is shown."""
        self.text, self.tokens, self.offsets = "", [], []
        self.words, self.hints, self.by_hint = [], {}, {}
        self.cursor, self.span_start, self.pending = 0, None, ""
        self.selected = set()

    def hint_of(self, token: int) -> str:
        return self.hints.get(token, "")

    def stops(self) -> list[int]:
        """The tokens the arrows stop at."""
        return self.words or list(range(len(self.tokens)))

    # value <-> selected token indices
    def set_value(self, value) -> None:
        self.selected = set()
        for span in value or ():
            self.selected.update(range(span.get("token_start", 0), span.get("token_end", 0)))
        self.selected &= set(range(len(self.tokens)))
        self.span_start = None
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

    # --- drawing -------------------------------------------------------------------------
    def body(self) -> Text:
        if not self.tokens:
            return Text("(no words)", style="dim")
        out = Text()
        pos = 0
        for i, (start, end) in enumerate(self.offsets):
            if start > pos:
                out.append(display_text(self.text[pos:start]))
            hint = self.hints.get(i)
            if hint:
                out.append_text(self._hint_chip(hint))
            style = Style(meta={"token": i})
            if i in self.selected:
                style += Style(bgcolor="dark_orange3", color="white", bold=True)
            if i == self.cursor and self.active:
                style += Style(underline=True, reverse=True)
            out.append(display_text(self.text[start:end]), style=style)
            pos = max(pos, end)
        out.append(display_text(self.text[pos:]))
        return out

    def _hint_chip(self, hint: str) -> Text:
        if not self.active:
            return Text(hint, style=HINT_IDLE)
        if self.pending:
            if not hint.startswith(self.pending):
                return Text(hint, style=HINT_OTHER)
            return Text(hint[len(self.pending) :], style=HINT_ACTIVE)
        return Text(hint, style=HINT_ACTIVE)

    # --- keys ----------------------------------------------------------------------------
    def _step(self, frm: int, step: int) -> int:
        """The word `step` words from token `frm` (punctuation is stepped over)."""
        stops = self.stops()
        if step > 0:
            later = [s for s in stops if s > frm]
            return later[min(step, len(later)) - 1] if later else frm
        earlier = [s for s in stops if s < frm]
        return earlier[max(step, -len(earlier))] if earlier else frm

    def action_move(self, step: int) -> None:
        if self.tokens:
            self.cursor = self._step(self.cursor, step)
            self.span_start, self.pending = None, ""
            self.refresh()

    def action_jump(self, where: int) -> None:
        if self.tokens:
            stops = self.stops()
            self.cursor = stops[0] if where >= 0 else stops[-1]
            self.span_start, self.pending = None, ""
            self.refresh()

    def _start(self, token: int) -> None:
        """A new span starts at `token`."""
        self.span_start = self.cursor = token
        self.base = self.selected - {token}
        self.selected = self.base | {token}

    def _stretch(self, token: int) -> None:
        """The span being made runs from its start to `token` (longer or shorter)."""
        if self.span_start is None:
            self._start(self.cursor)
        assert self.span_start is not None
        self.cursor = token
        lo, hi = sorted((self.span_start, token))
        self.selected = self.base | set(range(lo, hi + 1))
        self._changed()

    def action_extend(self, step: int) -> None:
        if self.tokens:
            self.pending = ""
            if self.span_start is None:
                self._start(self.cursor)
            self._stretch(self._step(self.cursor, step))

    def _toggle(self, token: int) -> None:
        self.cursor = token
        if token in self.selected:
            self.selected = self.selected - {token}
            self.span_start = None
        else:
            self._start(token)
        self._changed()

    def toggle_word(self) -> None:
        if self.tokens:
            self.pending = ""
            self._toggle(self.cursor)

    def press_letter(self, char: str) -> str | None:
        """A letter typed while this task is active. Returns None when it was a hint (or the
        first letter of one), else a line saying why it did nothing."""
        letter = char.lower()
        if letter not in self.alphabet:
            return None if not char.isalpha() else f"{char}: no word has this hint"
        extend = self.pending_extend if self.pending else char.isupper()
        hint = self.pending + letter
        token = self.by_hint.get(hint)
        if token is None:
            if not self.pending and any(h.startswith(hint) for h in self.by_hint):
                self.pending, self.pending_extend = hint, extend
                self.refresh()
                return None
            self.pending = ""
            self.refresh()
            return f"{hint}: no word has this hint"
        self.pending = ""
        if extend:
            self._stretch(token)
        else:
            self._toggle(token)
        return None

    def cancel(self) -> bool:
        """Escape: forget a half-typed hint. False: there was none."""
        if not self.pending:
            return False
        self.pending = ""
        self.refresh()
        return True

    # --- mouse: a click marks a word, a drag the words it passes over ---------------------
    @staticmethod
    def _token(event: events.MouseEvent) -> int | None:
        return event.style.meta.get("token") if event.style else None

    def on_mouse_down(self, event: events.MouseDown) -> None:
        self._press = self._token(event)
        self._dragged = False
        if self._press is not None:
            self.capture_mouse()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        token = self._token(event)
        if self._press is None or token is None or (token == self._press and not self._dragged):
            return
        if not self._dragged:
            self._dragged = True
            self._start(self._press)
        self._stretch(token)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self._press is not None:
            self.release_mouse()
            self._press = None

    def on_click(self, event: events.Click) -> None:
        if self._dragged:
            self._dragged = False
            return
        token = self._token(event)
        if token is not None:
            self._toggle(token)
