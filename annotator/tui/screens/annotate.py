"""The annotate screen: one unit, its context, one panel per visible task, progress, keys."""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.color import Color
from textual.containers import VerticalScroll
from textual.keys import _character_to_key
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Static

from annotator.assist.lexicon import Matcher
from annotator.errors import failure
from annotator.schema.keys import ACTIONS, ANNOTATE
from annotator.schema.values import STATUSES, given
from annotator.schema.visibility import parents_first, show_if_of, visible_tasks
from annotator.store.errors import LeaseLost, NotShown, db_failure
from annotator.store.views import UnitView
from annotator.tui import keymap
from annotator.tui.guess import guess_line, room
from annotator.tui.span_hints import hint_alphabet
from annotator.tui.widgets.base import TaskPanel
from annotator.tui.widgets.panels import make_panel
from annotator.tui.widgets.span import SpanPanel
from annotator.tui.widgets.stance import StancePanel
from annotator.tui.widgets.status import KeyHints, ProgressLine
from annotator.tui.widgets.text import TextPanel
from annotator.tui.widgets.unit_view import UnitBox, context_depth, document_line
from annotator.wording import plural

if TYPE_CHECKING:
    from annotator.schema.model import Schema
    from annotator.tui.controller import Annotating

_, SKIPPED, FLAGGED = STATUSES

MIN_TASK_ROWS = 4  # the task list never shrinks below this (it scrolls)
FIXED_ROWS = 6  # document line, message (up to 2), progress, keys, the tasks' top border

LOST = (
    "Not saved: this sentence was held for you, but your hold lapsed while you were away and "
    "others have labelled it. Your choices are still here; press → for your next sentence."
)


def format_eta(seconds: float | None) -> str:
    if seconds is None:
        return "ETA –"
    minutes = int(seconds // 60)
    if minutes >= 60:
        return f"ETA {minutes // 60}h{minutes % 60:02d}m"
    return f"ETA {minutes}m" if minutes else "ETA <1m"


def _settle_memory() -> None:
    gc.freeze()
    gc.enable()


# The method that carries out each action of the key table (annotator/schema/keys.py).
METHODS = {
    "save": "save",
    "next_task": "focus_task(1)",
    "prev_task": "focus_task(-1)",
    "prev_unit": "arrow(-1)",
    "next_unit": "arrow(1)",
    "row_up": "row(-1)",
    "row_down": "row(1)",
    "extend_left": "extend(-1)",
    "extend_right": "extend(1)",
    "toggle_word": "space",
    "first_word": "jump(0)",
    "last_word": "jump(-1)",
    "undo": "undo",
    "skip": "skip",
    "flag": "flag",
    "accept": "accept",
    "help": "help",
    "document": "document",
    "quit": "quit",
}


class AnnotateScreen(Screen):
    # Every key is a priority binding, handled in arrival order by the screen itself, which
    # keeps the focus (only a free-text input takes it, to type): the active task is the
    # screen's own state, so a fast "tab 1" reaches the task tab moved to, and a new unit
    # moves no focus (a focus change restyles and repaints the whole screen).
    AUTO_FOCUS = ""
    BINDINGS: ClassVar[list[BindingType]] = keymap.bindings(ANNOTATE, METHODS)

    def __init__(
        self,
        annotating: Annotating | None,
        *,
        hints: Matcher | None = None,
        schema: Schema | None = None,
        first_look: Callable[[], UnitView | None] | None = None,
    ) -> None:
        """`annotating` None: a quick start (`AnnotatorApp`), which draws `first_look()`
        with `schema` until the app `attach`es the session; keys wait for it meanwhile."""
        super().__init__()
        self.ann: Annotating = annotating  # type: ignore[assignment]  # None until attach
        self.first_look = first_look
        self.previewed: int | None = None  # the unit a quick start drew before its session
        self.hints = hints  # the schema's lexicon: its words are marked in the unit
        known = annotating.schema if annotating is not None else schema
        if known is None:
            raise ValueError("a screen without its session is given the schema")
        self.schema: Schema = known
        self.show_if = show_if_of(self.schema)
        self.task_order = parents_first([t.name for t in self.schema.tasks], self.show_if)
        self.panels = {t.name: make_panel(t, self.schema.targets) for t in self.schema.tasks}
        one = self.schema.tasks
        self.one_key = len(one) == 1 and one[0].type == "single"
        self.on_shown: Callable[[UnitView | None], None] | None = None  # benchmarks, tests
        self.active: TaskPanel | None = None  # the task label keys go to (highlighted)
        self._said: tuple[str, bool] | None = None
        self._look: tuple[Color, Color] | None = None
        self._tasks_resized = False  # a task was shown or hidden since the last frame
        self.stalled = False  # the store could not be reached when the screen opened
        self.unsaved = False  # the last save failed: the choices on screen are not stored
        # Articles whose questions are owed: document id -> (its last unit, choices kept
        # from a save that failed), oldest first; ctrl+o asks the first.
        self.pending_articles: dict[int, tuple[UnitView, dict[str, Any] | None]] = {}
        self._tasks_cap = 0  # rows the task list may take (fit_tasks)
        self._wait_for_models: Timer | None = None  # polls until the models are read
        self._room_kept = False  # the tasks with a model keep room for a guess (show_guesses)
        label_keys = {lab.key for t in self.schema.tasks for lab in t.labels if lab.key}
        for key in sorted(label_keys):
            name = _character_to_key(key) if len(key) == 1 else key
            self._bindings.bind(name, f"label_key({key!r})", show=False, priority=True)
        self.label_keys = label_keys

    def user_keys(self) -> dict[str, str]:
        config = getattr(self.app, "config", None)
        return dict(getattr(config, "keys", None) or {})

    def compose(self) -> ComposeResult:
        yield Static(id="doc", markup=False)
        yield UnitBox(id="unit", marker=self.hints.find if self.hints is not None else None)
        with VerticalScroll(id="tasks"):
            yield from self.panels.values()
        yield Static(id="message", markup=False)
        yield ProgressLine(id="progress")
        yield KeyHints(id="keys")

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)
        # Hint letters: the letters no action (as remapped) and no label keeps.
        mine = self.user_keys()
        taken = set(self.label_keys)
        for action in ACTIONS:
            taken.update(action.keys)
            taken.update(keymap.keys_of(action.id, mine))
        alphabet = hint_alphabet(taken)
        for panel in self.panels.values():
            if isinstance(panel, SpanPanel):
                panel.alphabet = alphabet
        if alphabet and any(isinstance(p, SpanPanel) for p in self.panels.values()):
            # Priority bindings like every other key, so they keep their order with them.
            for char in alphabet + alphabet.upper():
                self._bindings.bind(char, f"hint({char!r})", show=False, priority=True)
            self._bindings.bind("escape", "cancel_hint", show=False, priority=True)
        self.query_one(KeyHints).set_hints(self.key_hints())
        if self.ann is None:
            self.preview(self.first_look() if self.first_look is not None else None)
        else:
            self.open_session()

    def attach(self, annotating: Annotating) -> None:
        """The session, loaded after the first look was drawn: the screen is its from here."""
        self.ann = annotating
        self.first_look = None
        self.open_session()

    def open_session(self) -> None:
        self.widen_context()
        self.open_first()
        if self.schema.document_tasks:
            self.load_owed_articles()
        self.query_one(KeyHints).set_hints(self.key_hints())  # = Accept: suggestions on
        self.load_progress()
        if self.ann.suggester is not None:
            self._wait_for_models = self.set_interval(0.2, self.models_loaded)
        # What exists once the first unit is up (Textual, SQLAlchemy, the schema) lives until
        # the app ends: taken out of the collector's reach, a full collection on a later key
        # costs about 2 ms instead of 40. The collector, off while the command started (see
        # cli/annotate.py), runs from then on.
        self.call_after_refresh(_settle_memory)
        if any(t.type == "span" for t in self.schema.tasks):
            # After the first unit is drawn: loading jieba holds the GIL for about a second.
            self.set_timer(0.3, self.warm_tokenizer)
        # Keys pressed since the hold on this unit was last renewed: renew it (in a thread).
        self.set_interval(min(30.0, self.ann.queue.lease_seconds / 4), self.check_hold)

    # --- layout ------------------------------------------------------------------------
    def widen_context(self) -> None:
        """Read as much context as the screen could show: every unit takes a row at least."""
        if self.ann is not None:
            self.ann.context = self.context_wanted()

    def context_wanted(self) -> tuple[int, int]:
        schema = self.schema
        return context_depth(schema.context_before, schema.context_after, self.app.size.height)

    def on_resize(self) -> None:
        self.widen_context()
        self.fit_tasks()

    def fit_tasks(self) -> None:
        """Keep the current unit whole on screen: when it needs more rows than the tasks
        leave, the task list gets fewer (it scrolls to the active task)."""
        height = self.size.height or self.app.size.height
        box = self.query_one(UnitBox)
        need = box.current_rows(box.content_size.width or self.app.size.width - 2)
        cap = max(MIN_TASK_ROWS, min(height * 6 // 10, height - FIXED_ROWS - need))
        if cap != self._tasks_cap:
            self._tasks_cap = cap
            self.query_one("#tasks").styles.max_height = cap

    def key_hints(self) -> list[tuple[str, str]]:
        """(key, what) for the footer line, as the user's config remaps them (accepting a
        suggestion only when the project shows them)."""
        hints = keymap.hints(self.app, ANNOTATE, self.user_keys())
        if self.ann is None or not self.ann.assisted:
            accept = keymap.hints_of(self.app, "accept", self.user_keys())
            hints = [h for h in hints if h != accept]
        return hints

    # --- suggestions -------------------------------------------------------------------
    def models_loaded(self) -> None:
        """Polled until the models are read (in a thread): then the unit's guesses show."""
        suggester = self.ann.suggester
        if suggester is None or not suggester.loaded.is_set():
            return
        if self._wait_for_models is not None:
            self._wait_for_models.stop()
        gc.freeze()  # scikit-learn's modules and the models live on: out of the collector's way
        self.show_guesses()

    def show_guesses(self) -> None:
        """The model's guess beside each task it has learnt (nothing without one)."""
        suggester = self.ann.suggester
        if not self._room_kept and suggester is not None and suggester.ready:
            # Once: each task with a model keeps the height its longest guess needs.
            self._room_kept = True
            for name in suggester.models:
                panel = self.panels.get(name)
                if panel is not None:
                    panel.guess_room = room(panel.schema_task)
                    panel.refresh(layout=True)
        guesses = self.ann.suggestions() if self.ann.assisted else {}
        for name, panel in self.panels.items():
            found = guesses.get(name)
            task = panel.schema_task
            panel.show_guess(guess_line(task, found.value, found.confidence) if found else "")

    # --- workers -----------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="progress")
    def load_progress(self) -> None:
        try:
            progress = self.ann.load_progress()
        except db_failure():
            # The counts wait for the store (a dropped connection, a lock): asked again in a
            # few seconds. Labels do not depend on them; each save says whether it went in.
            self.app.call_from_thread(self.set_timer, 5.0, self.load_progress)
            return
        if progress is not None:  # None: the session ended while they were counted
            self.app.call_from_thread(self._progress_loaded, progress)

    def _progress_loaded(self, progress) -> None:
        self.ann.progress_loaded(progress)
        self.update_progress()

    def check_hold(self) -> None:
        if getattr(self.app, "last_key_at", 0.0) > self.ann.renewed_at:
            self.keep_hold()

    @work(thread=True, exclusive=True, group="owed")
    def load_owed_articles(self) -> None:
        """Articles an earlier session left owed wait for ctrl+o, as this session's would."""
        try:
            owed = self.ann.owed_articles()
        except db_failure():
            return  # asked again when an article is left
        if owed:
            self.app.call_from_thread(self._owed_loaded, owed)

    def _owed_loaded(self, owed: list[UnitView]) -> None:
        for view in owed:
            self.pending_articles.setdefault(view.document_id, (view, None))
        if self._said is None or not self._said[0]:  # never over a message that matters more
            n = len(self.pending_articles)
            self.say(
                f"{plural(n, 'article')} you read still {'has' if n == 1 else 'have'} "
                "questions: ctrl+o asks them."
            )

    @work(thread=True, exclusive=True, group="lease")
    def keep_hold(self) -> None:
        shown = self.ann.view
        try:
            held = self.ann.keep_alive()
        except db_failure():
            return  # the save says what is wrong, if anything still is then
        if not held and shown is not None:
            self.app.call_from_thread(self._hold_lost, shown.unit_id)

    def _hold_lost(self, unit_id: int) -> None:
        if self.ann.view is not None and self.ann.view.unit_id == unit_id:
            self.say(LOST, error=True)

    @work(thread=True, group="tokens")
    def warm_tokenizer(self) -> None:
        from annotator.tokens import warm_up

        warm_up()
        gc.freeze()  # the tokenizer's dictionary, too

    def open_first(self) -> None:
        try:
            view = self.ann.open_first()
        except db_failure() as exc:
            self.stalled = True
            self.query_one("#doc", Static).update(Text("Waiting for the store", style="bold"))
            self.query_one(UnitBox).display = False
            self.query_one("#tasks").display = False
            self.say(
                f"Could not reach the store: {failure(exc)}. Press enter to try again, q to quit.",
                error=True,
            )
            return
        self.stalled = False
        self.draw(view)

    # --- drawing -----------------------------------------------------------------------
    def say(self, message: str, *, error: bool = False) -> None:
        if (message, error) == self._said:
            return  # the usual case, "" again: no redraw, no layout
        self._said = (message, error)
        box = self.query_one("#message", Static)
        box.update(Text(message, style="bold red" if error else "green"))
        box.set_class(error, "error")
        if box.display != bool(message):
            box.display = bool(message)  # no message: its row goes to the text

    def draw(self, view: UnitView | None) -> None:
        self.say("")
        self.unsaved = False
        tasks = self.query_one("#tasks")
        if view is None:
            self.query_one("#doc", Static).update(Text("Done", style="bold"), layout=False)
            self.query_one(UnitBox).display = False
            tasks.display = False
            try:
                held, any_units = self.ann.held_by_others(), self.ann.has_units()
            except db_failure() as exc:
                self.say(
                    f"The store could not be read: {failure(exc)}. Press enter to look again.",
                    error=True,
                )
                return
            if held:
                self.say(
                    f"Nothing for you right now: {held:,} sentences are on others' screens and "
                    "come back if they leave them. Press enter to look again, q to quit."
                )
            elif not any_units:
                self.say(
                    "This project has no sentences yet: import articles first "
                    "(annotator import FILES), then open it again. Press q to quit."
                )
            else:
                self.say("Your queue is empty: thank you! Press q to quit, ← to review.")
            self.update_progress()
            self._shown(view)
            return
        self.draw_unit(view, self.ann.saved_values)
        self.show_guesses()
        self.update_visibility(initial=True)
        if self.ann.saved_status:
            note = {SKIPPED: "skipped earlier", FLAGGED: "flagged earlier"}.get(
                self.ann.saved_status, "saved earlier"
            )
            how = "a label key changes it" if self.one_key else "change it and press enter"
            self.say(f"Your label, {note}: {how}, or → to move on.")
        self.focus_first()
        # The counts are not what the annotator waits for: they follow in the next frame.
        self.call_after_refresh(self.update_progress)
        self._shown(view)
        self.call_after_refresh(self.read_ahead)

    def draw_unit(self, view: UnitView, saved: dict[str, Any]) -> None:
        """The unit, its context and document, and the tasks holding the `saved` values."""
        self.query_one(UnitBox).display = True
        self.query_one("#tasks").display = True
        self.query_one("#doc", Static).update(document_line(view), layout=False)
        self.query_one(UnitBox).show(view)
        self.fit_tasks()
        for name, panel in self.panels.items():
            if isinstance(panel, SpanPanel):
                panel.unload()  # its words are loaded if it is shown (update_visibility)
            panel.set_value(saved.get(name))

    def preview(self, view: UnitView | None) -> None:
        """A quick start's first look, drawn as the session will draw it (with the context it
        will read, and nothing chosen: the unit has no label of mine); None: nothing yet."""
        self.say("")  # no message: its row goes to the text, as in draw
        self.previewed = view.unit_id if view is not None else None
        if view is None:
            self.query_one(UnitBox).display = False
            self.query_one("#tasks").display = False
            return
        before, after = self.context_wanted()
        self.draw_unit(
            replace(
                view,
                before=view.before[max(0, len(view.before) - before) :] if before else (),
                after=view.after[:after],
            ),
            {},
        )
        self.update_visibility(initial=True)
        self.focus_first()

    def read_ahead(self) -> None:
        with contextlib.suppress(db_failure()):  # a guess: the save reads it otherwise
            self.ann.read_ahead()

    def _shown(self, view: UnitView | None) -> None:
        if self.on_shown is not None:
            callback = self.on_shown
            self.call_after_refresh(callback, view)

    def update_progress(self) -> None:
        prog = self.ann.progress
        if prog is None:
            return  # the line says "counting…" until the counts arrive
        self.query_one(ProgressLine).show(
            prog.done,
            prog.left,
            f"{prog.done:,} done · {prog.left:,} left · {format_eta(self.ann.eta_seconds())}",
        )

    def values(self) -> dict[str, Any]:
        shown = self.shown_tasks()
        return {n: p.value for n, p in self.panels.items() if n in shown and given(p.value)}

    def shown_tasks(self) -> set[str]:
        """The tasks the chosen values show (the schema's show_if, as everywhere)."""
        raw = {n: p.value for n, p in self.panels.items()}
        return visible_tasks(self.task_order, self.show_if, raw)

    def update_visibility(self, initial: bool = False) -> None:
        shown = self.shown_tasks()
        view = self.ann.view if self.ann is not None else None  # None: the first look
        for name, panel in self.panels.items():
            on = name in shown
            if isinstance(panel, SpanPanel) and on and not panel.tokens and view is not None:
                panel.load(view.text, *self.ann.ensure_words())
                panel.set_value(self.ann.saved_values.get(name) if initial else None)
            if panel.display != on:
                panel.display = on
                if not self._tasks_resized:  # until the next layout: sizes are not known
                    self._tasks_resized = True
                    self.call_after_refresh(setattr, self, "_tasks_resized", False)
        if self.active is not None and not self.active.display:
            self.focus_first()  # the active task was hidden

    def shown_panels(self) -> list[TaskPanel]:
        return [p for p in self.panels.values() if p.display]

    def active_look(self) -> tuple[Color, Color]:
        """The active panel's (background, bar) colours: the theme's $boost and $accent."""
        if self._look is None:
            theme = self.app.theme_variables
            self._look = (Color.parse(theme["boost"]), Color.parse(theme["accent"]))
        return self._look

    def _theme_changed(self, _theme) -> None:
        self._look = None
        if self.active is not None:
            self.active.set_active(self.active_look())

    def activate(self, panel: TaskPanel | None) -> None:
        """Make `panel` the active task now (synchronously). Only free text takes the focus."""
        old, self.active = self.active, panel
        if old is not panel and old is not None:
            old.set_active(None)
        if panel is None:
            return
        panel.set_active(self.active_look())
        if isinstance(panel, TextPanel):
            if self.focused is not panel.input:
                self.set_focus(panel.input)
        elif self.focused is not None:
            self.set_focus(None)
        if old is not panel and (self._tasks_resized or self.query_one("#tasks").max_scroll_y):
            panel.scroll_visible(animate=False)  # only when the task list (may) overflow

    def focus_first(self) -> None:
        shown = self.shown_panels()
        self.activate(shown[0] if shown else None)

    def on_descendant_focus(self, event) -> None:
        # A click moved the focus into a free-text input. (Focus events arrive late: ignore
        # stale ones.)
        if event.widget is not self.focused:
            return
        for panel in self.panels.values():
            if isinstance(panel, TextPanel) and event.widget is panel.input:
                self.activate(panel)

    def on_task_panel_picked(self, event: TaskPanel.Picked) -> None:
        if event.panel.display:
            self.activate(event.panel)

    def typing(self) -> bool:
        return isinstance(self.focused, Input)

    def missing(self) -> list[str]:
        shown = self.shown_tasks()
        return [
            t.name
            for t in self.schema.tasks
            if t.required and t.name in shown and not self.panels[t.name].has_value()
        ]

    # --- events ------------------------------------------------------------------------
    def on_task_panel_changed(self, event: TaskPanel.Changed) -> None:
        self.update_visibility()  # also for changes by mouse or typing

    def after_change(self, advance: bool) -> None:
        """Right after a key changed a value: show/hide tasks, then move on (synchronously)."""
        self.update_visibility()
        if self.message_is_error():
            self.say("")
        if not advance:
            return
        if self.one_key:
            self.action_save()
        else:
            self.advance()

    def advance(self) -> None:
        """After a choice: on to the next task that takes keys. Free text is never entered by
        itself (then `s`, `u`, `q` would type into it); tab goes there."""
        items = self.shown_panels()
        idx = items.index(self.active) if self.active in items else -1
        for panel in items[idx + 1 :]:
            if not isinstance(panel, TextPanel):
                self.activate(panel)
                return

    def message_is_error(self) -> bool:
        return self.query_one("#message").has_class("error")

    # --- actions -----------------------------------------------------------------------
    def action_focus_task(self, step: int, wrap: bool = True) -> None:
        items = self.shown_panels()
        if not items:
            return
        idx = items.index(self.active) if self.active in items else -1
        nxt = idx + step
        if not wrap and not 0 <= nxt < len(items):
            return
        self.activate(items[nxt % len(items)])

    def action_label_key(self, key: str) -> None:
        panel = self.active
        if self.typing() or panel is None or self.ann.view is None:
            raise SkipAction()
        label = panel.label_for_key(key)
        if label is None:
            self.say(f"{key}: not a key of {panel.schema_task.name}", error=True)
            return
        self.after_change(panel.press_label(label))

    def action_hint(self, char: str) -> None:
        """A hint letter (a capital: stretch the span) while a span task is active."""
        span = self.active
        if not isinstance(span, SpanPanel) or self.typing() or self.ann.view is None:
            raise SkipAction()
        problem = span.press_letter(char)
        if problem:
            self.say(problem, error=True)
        else:
            self.after_change(False)

    def action_cancel_hint(self) -> None:
        span = self.active
        if not isinstance(span, SpanPanel) or self.typing() or not span.cancel():
            raise SkipAction()

    def action_arrow(self, step: int) -> None:
        if self.typing():
            raise SkipAction()
        if isinstance(self.active, SpanPanel):
            self.active.action_move(step)
        elif step < 0:
            self.action_prev_unit()
        else:
            self.action_next_unit()

    def action_extend(self, step: int) -> None:
        if self.typing() or not isinstance(self.active, SpanPanel):
            raise SkipAction()
        self.active.action_extend(step)
        self.after_change(False)

    def action_space(self) -> None:
        if self.typing() or not isinstance(self.active, SpanPanel):
            raise SkipAction()
        self.active.toggle_word()
        self.after_change(False)

    def action_jump(self, where: int) -> None:
        if self.typing() or not isinstance(self.active, SpanPanel):
            raise SkipAction()
        self.active.action_jump(where)

    def action_row(self, step: int) -> None:
        if isinstance(self.active, StancePanel):
            self.active.action_row(step)
        else:
            raise SkipAction()

    def action_save(self) -> None:
        if self.stalled or self.ann.view is None:
            self.open_first()  # the store is back, or units the others held are free again
            return
        missing = self.missing()
        if missing:
            self.say("Still needed: " + ", ".join(missing), error=True)
            self.activate(self.panels[missing[0]])
            return
        self.commit()

    def commit(self, status: str = "done", comment: str | None = None) -> None:
        done = self.ann.view
        try:
            view = self.ann.save(self.values(), status=status, comment=comment)
        except LeaseLost:
            self.say(LOST, error=True)
            self.unsaved = True
            return
        except NotShown as exc:
            self.unsaved = False  # the label is in; only the next sentence is missing
            self.say(
                f"Saved. The next sentence could not be read: {failure(exc.__cause__ or exc)}. "
                "Press → to try again.",
                error=True,
            )
            self.update_progress()
            # Where the queue goes next is unknown: the article is left only after its end.
            last = done is not None and done.position == done.doc_units - 1
            self.article_read(done, None if last else done)
            return
        except db_failure() as exc:
            self.say(
                f"Not saved: {failure(exc)}. Your choices are still here; press enter to retry.",
                error=True,
            )
            self.unsaved = True
            return
        self.draw(view)
        self.article_read(done, view)

    def article_read(self, done: UnitView | None, after: UnitView | None) -> None:
        """`done` was just saved (done, skipped or flagged: it was read) and `after` is on
        screen now: if that left `done`'s article and I owe its questions, they wait in
        `pending_articles` (ctrl+o asks the oldest) and open now."""
        try:
            due = self.ann.document_due(done, after)
        except db_failure():
            return  # the store did not answer: the article comes round again, or ctrl+o
        if due and done is not None:
            self.pending_articles.setdefault(done.document_id, (done, None))
            self.ask_document(done, unasked=True)

    def ask_document(
        self, view: UnitView | None, values: dict[str, Any] | None = None, *, unasked: bool = False
    ) -> None:
        """The document tasks of `view`'s article, over the screen; saved when answered,
        kept in `pending_articles` (with what was chosen) when not. `unasked`: it opens by
        itself after a save, while keys meant for the next sentence may still come."""
        if view is None:
            return
        from annotator.tui.screens.document import DocumentScreen

        doc = view.document_id
        opened = time.monotonic()

        def answered(chosen: dict[str, Any] | None) -> None:
            if chosen is None:
                self.say("The article's questions wait: ctrl+o asks them again.")
                return
            try:
                self.ann.answer_document(doc, chosen, seconds=time.monotonic() - opened)
            except db_failure() as exc:
                self.pending_articles[doc] = (view, chosen)  # asked again with these choices
                self.say(
                    f"Article answers not saved: {failure(exc)}. Your choices are kept: "
                    "ctrl+o to retry.",
                    error=True,
                )
                return
            self.pending_articles.pop(doc, None)
            self.say(f"Saved your answers for the article “{view.title}”.")

        if values is None:
            try:
                values = self.ann.document_answer(doc)
            except db_failure():
                values = None  # the dialog opens empty; the save says whether the store is back
        about = f"The whole article ({view.doc_units} sentences): answer once, then go on."
        dialog = DocumentScreen(self.schema, view.title, about, values, settle=unasked)
        self.app.push_screen(dialog, answered)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # ctrl+o (and its line in the help) only where the schema asks something per article;
        # accepting a suggestion only where the project shows them.
        if action == "document":
            return bool(self.schema.document_tasks)
        if action == "accept":
            return self.ann.assisted
        return True

    def action_accept(self) -> None:
        """The model's suggestions fill the tasks still empty, as if their keys were pressed
        (a choice already made stays); then the unit is saved if nothing required is left,
        as enter would (accepting is answering)."""
        if self.typing():
            raise SkipAction()
        if self.ann.view is None:
            return
        guesses = self.ann.suggestions()
        if not guesses:
            self.say("No suggestion for this sentence: no model yet, or it is still loading.")
            return
        for name in self.task_order:  # parents first: a filled value may show its children
            panel, found = self.panels[name], guesses.get(name)
            if found is None or panel.has_value() or not given(found.value):
                continue
            if name in self.shown_tasks():
                value = found.value
                if isinstance(value, list):  # a multi task's labels, in the schema's order
                    value = [v for v in panel.schema_task.values if v in set(value)]
                panel.change(value)
        self.update_visibility()
        self.action_save()

    def action_document(self) -> None:
        """The oldest article whose questions wait, else the one on screen."""
        if self.typing():
            raise SkipAction()
        if self.pending_articles:
            view, chosen = next(iter(self.pending_articles.values()))
            self.ask_document(view, chosen)
        else:
            self.ask_document(self.ann.view)

    def action_skip(self) -> None:
        if self.typing():
            raise SkipAction()
        if self.ann.view is not None:
            self.commit(SKIPPED)

    def action_flag(self) -> None:
        if self.typing():
            raise SkipAction()
        if self.ann.view is None:
            return
        from annotator.tui.screens.dialogs import FlagScreen

        def flagged(comment: str | None) -> None:
            if comment is not None:
                self.commit(FLAGGED, comment.strip() or None)

        self.app.push_screen(FlagScreen(self.ann.saved_comment or ""), flagged)

    def action_undo(self) -> None:
        if self.typing():
            raise SkipAction()
        try:
            entry = self.ann.undo_stack[-1] if self.ann.undo_stack else None
            view = self.ann.undo()
        except NotShown as exc:
            self.say(
                f"Undone, but the unit could not be shown: {failure(exc.__cause__ or exc)}. "
                "Press ← to go to it.",
                error=True,
            )
            return
        except db_failure() as exc:
            self.say(f"Undo failed: {failure(exc)}", error=True)
            return
        if entry is None:
            self.say("Nothing to undo in this session.", error=True)
            return
        self.draw(view)
        self.say("Undone: this unit is as it was before your last save.")

    def action_prev_unit(self) -> None:
        try:
            view = self.ann.previous()
        except db_failure() as exc:
            self.say(f"Could not reach the store: {failure(exc)}. Press ← to retry.", error=True)
            return
        if view is None:
            self.say("No earlier unit of yours.", error=True)
        else:
            self.draw(view)

    def action_next_unit(self) -> None:
        try:
            view = self.ann.following()
        except db_failure() as exc:
            self.say(f"Could not reach the store: {failure(exc)}. Press → to retry.", error=True)
            return
        if view is None:
            self.say("This is your next unit.", error=True)
        else:
            self.draw(view)

    def action_help(self) -> None:
        if self.typing():
            raise SkipAction()
        from annotator.tui.screens.dialogs import HelpScreen

        self.app.push_screen(HelpScreen(self.schema, self))

    def action_quit(self) -> None:
        if self.typing():
            raise SkipAction()
        if self.unsaved:
            self.unsaved = False  # asked once: the next q quits
            self.say(
                "Your choices for this sentence are not saved. Press q again to quit without "
                "them, or enter to try saving again.",
                error=True,
            )
            return
        self.app.exit()
