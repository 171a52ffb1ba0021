"""The review screen: a queue of units to settle, each annotator's values side by side.

The keys speak annotate's language (one table, annotator/schema/keys.py): the schema's label
keys set the current task's value (a multi task's keys toggle, enter decides), ↑ ↓ choose an
annotator's row, enter decides what is shown (the chosen row's value, else the suggestion),
u clears the decision; tab moves between the unit's tasks, ← → between units, / narrows the
queue, ? shows the keys. Every decision is committed before the screen moves on; once a
unit's last open task is decided, the next unit shows.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar

from rich.text import Text
from sqlalchemy.exc import SQLAlchemyError
from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.screen import Screen
from textual.widgets import Static

from annotator.analysis.aggregate import Gold
from annotator.errors import failure
from annotator.schema.keys import REVIEW
from annotator.store.adjudications import QueueItem
from annotator.store.engine import StoreError
from annotator.tui import keymap
from annotator.tui.keymap import textual_key
from annotator.tui.launch import StoreContext
from annotator.tui.review.controller import Reviewing, Shown
from annotator.tui.review.model import Filters, parse_filters, suggest, value_text
from annotator.tui.review.widgets import FilterBox, opinions_table
from annotator.tui.safe_text import display_text
from annotator.tui.widgets.status import KeyHints
from annotator.tui.widgets.unit_view import UnitBox, context_depth, document_line
from annotator.wording import plural

# The method that carries out each action of the key table (annotator/schema/keys.py).
METHODS = {
    "save": "decide_shown",
    "next_task": "task(1)",
    "prev_task": "task(-1)",
    "prev_unit": "move(-1)",
    "next_unit": "move(1)",
    "row_up": "row(-1)",
    "row_down": "row(1)",
    "undo": "clear",
    "filter": "filter",
    "dashboard": "dashboard",
    "help": "help",
    "quit": "app.quit",
}


class ReviewScreen(Screen):
    BINDINGS: ClassVar[list[BindingType]] = keymap.bindings(REVIEW, METHODS)

    def __init__(self, context: StoreContext, *, lead: str, lead_id: int, filters: Filters) -> None:
        super().__init__()
        self.ctx = context
        self.schema = context.schema
        self.review = Reviewing(context, lead_id)
        self.lead = lead
        self.lead_id = lead_id
        self.filters = filters
        self.items: list[QueueItem] = []
        self.pos = 0
        self.task_index = 0
        self.shown: Shown | None = None
        self.ds: dict[str, dict[int, Gold]] = {}
        self.row: int | None = None  # the annotator row chosen with ↑ ↓
        self.draft: list[str] = []  # a multi task's labels toggled so far
        label_keys = {lab.key for t in self.schema.every_task for lab in t.labels if lab.key}
        for key in sorted(label_keys):
            self._bindings.bind(textual_key(key), f"label_key({key!r})", show=False, priority=True)
        self.label_keys = label_keys

    def compose(self) -> ComposeResult:
        yield Static(id="where", markup=False)
        yield Static(id="doc", markup=False)
        yield UnitBox(id="unit")
        yield Static(id="opinions", markup=False)
        yield Static(id="decision", markup=False)
        yield Static(id="message", markup=False)
        yield KeyHints(id="keys")

    def on_mount(self) -> None:
        config = getattr(self.app, "config", None)
        hints = keymap.hints(self.app, REVIEW, getattr(config, "keys", None) or {})
        if self.label_keys:
            keys = sorted(self.label_keys)
            hints.insert(0, (keys[0] if len(keys) == 1 else f"{keys[0]}-{keys[-1]}", "Label"))
        self.query_one(KeyHints).set_hints(hints)
        self.say("Loading the review queue…")
        self.load_queue(self.filters)
        self.load_suggestions()

    # --- workers ----------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="queue")
    def load_queue(self, filters: Filters) -> None:
        try:
            items = self.review.queue(filters)
        except (StoreError, SQLAlchemyError) as exc:
            self.app.call_from_thread(self._queue_failed, filters, failure(exc))
            return
        self.app.call_from_thread(self._queue_loaded, filters, items)

    def _queue_failed(self, filters: Filters, message: str) -> None:
        self.say(message, error=True)
        self.draw_where()

    def _queue_loaded(self, filters: Filters, items: list[QueueItem]) -> None:
        self.filters = filters
        self.items = items
        # Start at the first unit still waiting for a decision.
        self.pos = next((i for i, it in enumerate(items) if it.open), 0)
        if not items:
            self.shown = None
            self.draw_where()
            self.query_one(UnitBox).display = False
            self.query_one("#doc", Static).update("")
            self.query_one("#opinions", Static).update("")
            self.query_one("#decision", Static).update("")
            self.say(f"Nothing to review ({filters.describe()}). / changes the filters.")
            return
        self.query_one(UnitBox).display = True
        still = sum(it.open for it in items)
        self.say(f"{plural(len(items), 'unit')} to review; {still:,} still open.")
        self.show_item(first_open_task=True)

    @work(thread=True, exclusive=True, group="suggest")
    def load_suggestions(self) -> None:
        try:
            golds = self.review.dawid_skene()
        except (SQLAlchemyError, ValueError) as exc:
            self.app.call_from_thread(self.say, f"no Dawid-Skene: {failure(exc)}", error=True)
            return
        self.app.call_from_thread(self._suggestions_loaded, golds)

    def _suggestions_loaded(self, golds: dict[str, dict[int, Gold]]) -> None:
        self.ds = golds
        if self.shown is not None:
            self.draw_decision()

    # --- state ------------------------------------------------------------------------
    @property
    def item(self) -> QueueItem | None:
        return self.items[self.pos] if 0 <= self.pos < len(self.items) else None

    @property
    def task_name(self) -> str | None:
        item = self.item
        if item is None or not item.tasks:
            return None
        return item.tasks[self.task_index % len(item.tasks)]

    def show_item(self, *, first_open_task: bool = False) -> None:
        item = self.item
        if item is None:
            return
        try:
            before, after = context_depth(  # as much as the screen has room for
                self.schema.context_before, self.schema.context_after, self.app.size.height
            )
            self.shown = self.review.load(item, before=before, after=after)
        except (StoreError, SQLAlchemyError) as exc:
            self.say(f"could not load the unit: {failure(exc)}", error=True)
            return
        # The store is the truth for what is decided (another lead may have been here).
        decided = frozenset(t for t in item.tasks if t in self.shown.decided)
        if decided != item.decided:
            self.items[self.pos] = item = replace(item, decided=decided)
        self.row, self.draft = None, []
        if first_open_task:
            self.task_index = next(
                (i for i, t in enumerate(item.tasks) if t not in item.decided), 0
            )
        self.draw()

    # --- drawing ----------------------------------------------------------------------
    def say(self, message: str, *, error: bool = False) -> None:
        box = self.query_one("#message", Static)
        box.update(Text(message, style="bold red" if error else "green"))
        box.set_class(error, "error")

    def draw_where(self) -> None:
        t = Text(no_wrap=True, overflow="ellipsis")
        t.append(f"Review · {self.lead}", style="bold")
        if self.items:
            open_ = sum(it.open for it in self.items)
            what = "article" if self.item and self.item.unit_id is None else "unit"
            t.append(f"  {what} {self.pos + 1} of {len(self.items):,} · {open_:,} open")
        t.append(f"  {display_text(self.filters.describe())}", style="dim")
        self.query_one("#where", Static).update(t)

    def draw(self) -> None:
        shown, item = self.shown, self.item
        if shown is None or item is None:
            return
        self.draw_where()
        line = document_line(shown.view)
        if item.unit_id is None:  # a document's own tasks: about the whole article
            line.title = f"Article · {line.title}"
            line.meta = f"{plural(shown.view.doc_units, 'sentence')} · the article's tasks"
        self.query_one("#doc", Static).update(line)
        self.query_one(UnitBox).show(shown.view)
        self.query_one("#opinions", Static).update(
            opinions_table(
                self.schema, shown.opinions, item.tasks, self.task_name, shown.decided, self.row
            )
        )
        self.draw_decision()

    def suggestion(self):
        name, shown, item = self.task_name, self.shown, self.item
        task = self.schema.any_task(name) if name else None
        if task is None or shown is None or item is None:
            return None
        ds = self.ds.get(task.name, {}).get(item.key)
        return suggest(task, shown.opinions, ds)

    def draw_decision(self) -> None:
        shown, item, name = self.shown, self.item, self.task_name
        if shown is None or item is None or name is None:
            return
        task = self.schema.any_task(name)
        out = Text()
        for t in item.tasks:
            chip = Text(f" {display_text(t)} ")
            chip.append(
                "✓" if t in item.decided else "·", style="green" if t in item.decided else "dim"
            )
            chip.stylize("reverse" if t == name else "")
            out.append_text(chip)
            out.append(" ")
        if len(item.tasks) > 1:
            out.append(" tab: next task", style="dim")
        if self.draft:
            out.append("\nchosen: ", style="dim")
            out.append(display_text(value_text(task, self.draft)), style="bold")
            out.append("  (enter decides)", style="dim")
        sug = self.suggestion()
        out.append("\nsuggestion: ", style="dim")
        if sug is not None and sug.value is not None:
            out.append(display_text(value_text(task, sug.value)), style="bold")
        else:
            out.append("none")
        if sug is not None:
            out.append(f"  ({sug.why()})", style="dim")
        dec = shown.decided.get(name)
        out.append("\ndecided: ", style="dim")
        if dec is None:
            out.append("–")
        else:
            out.append(display_text(value_text(task, dec.value)), style="bold green")
            when = f" at {dec.at:%Y-%m-%d %H:%M} UTC" if dec.at else ""
            out.append(f"  by {display_text(dec.by)}{when}", style="dim")
        self.query_one("#decision", Static).update(out)

    # --- deciding ---------------------------------------------------------------------
    def decide(self, value: Any, how: str) -> None:
        item, name, shown = self.item, self.task_name, self.shown
        if item is None or name is None or shown is None:
            return
        try:
            action, shown.decided = self.review.decide(item, name, value)
        except SQLAlchemyError as exc:
            self.say(f"not saved: {failure(exc)}; try again", error=True)
            return
        self.row, self.draft = None, []
        self.items[self.pos] = item = replace(item, decided=item.decided | {name})
        shown_value = value_text(self.schema.any_task(name), value)
        what = "unchanged" if action is None else "changed" if action == "change" else "saved"
        self.say(f"{name} = {display_text(shown_value)} ({how}): {what}")
        self.advance(item)

    def advance(self, item: QueueItem) -> None:
        """Next open task on this unit; when none is left, the next unit."""
        n = len(item.tasks)
        for step in range(1, n + 1):
            i = (self.task_index + step) % n
            if item.tasks[i] not in item.decided:
                self.task_index = i
                self.draw()
                return
        if self.pos + 1 < len(self.items):
            self.pos += 1
            self.show_item(first_open_task=True)
        else:
            self.draw()
            self.say("End of the queue: ← goes back, / changes the filters, q quits.")

    def action_row(self, step: int) -> None:
        """Choose an annotator's row (enter then takes their value)."""
        shown = self.shown
        if shown is None or not shown.opinions:
            return
        last = len(shown.opinions) - 1
        if self.row is None:
            self.row = 0 if step > 0 else last
        else:
            self.row = max(0, min(last, self.row + step))
        self.draw()

    def action_label_key(self, key: str) -> None:
        """A label key of the current task: single and scale decide at once (as a key saves
        in annotate), multi toggles the label and enter decides."""
        name = self.task_name
        task = self.schema.any_task(name) if name else None
        if task is None or self.shown is None:
            return
        label = next((lab for lab in task.labels if lab.key == key), None)
        if label is None:
            self.say(f"{key}: not a key of {task.name}", error=True)
            return
        if task.type != "multi":
            self.decide(label.value, "set")
            return
        if label.value in self.draft:
            self.draft.remove(label.value)
        else:
            self.draft.append(label.value)
        self.row = None
        self.draw_decision()

    def action_decide_shown(self) -> None:
        """Enter: the chosen row's value, else the labels toggled, else the suggestion."""
        shown, name = self.shown, self.task_name
        if shown is None or name is None:
            return
        if self.row is not None and self.row < len(shown.opinions):
            o = shown.opinions[self.row]
            value = o.values.get(name)
            if value in (None, "", [], {}):
                self.say(f"{o.annotator} gave no value for {name}", error=True)
                return
            self.decide(value, f"from {o.annotator}")
            return
        if self.draft:
            task = self.schema.any_task(name)
            order = {v: i for i, v in enumerate(task.values if task else ())}
            self.decide(sorted(self.draft, key=lambda v: order.get(v, 0)), "set")
            return
        sug = self.suggestion()
        if sug is None:
            return
        if sug.value is None:
            self.say(
                f"no suggestion ({sug.why()}): press a label key, or ↑ ↓ for a row", error=True
            )
            return
        self.decide(sug.value, "suggestion")

    def action_help(self) -> None:
        from annotator.tui.screens.dialogs import HelpScreen

        self.app.push_screen(HelpScreen(self.schema, self, which=REVIEW))

    def action_clear(self) -> None:
        item, name = self.item, self.task_name
        if item is None or name is None or self.shown is None:
            return
        try:
            cleared, self.shown.decided = self.review.clear(item, name)
        except SQLAlchemyError as exc:
            self.say(f"not cleared: {failure(exc)}", error=True)
            return
        if cleared:
            self.items[self.pos] = replace(item, decided=item.decided - {name})
            self.say(f"{name}: decision cleared (kept in the history)")
        else:
            self.say(f"{name}: nothing to clear")
        self.draw()

    # --- moving -----------------------------------------------------------------------
    def action_task(self, step: int) -> None:
        item = self.item
        if item is None or len(item.tasks) < 2:
            return
        self.task_index = (self.task_index + step) % len(item.tasks)
        self.row, self.draft = None, []
        self.draw()

    def action_move(self, step: int) -> None:
        if not self.items:
            return
        new = self.pos + step
        if not 0 <= new < len(self.items):
            self.say("start of the queue" if new < 0 else "end of the queue")
            return
        self.pos = new
        self.say("")
        self.show_item(first_open_task=True)

    def action_filter(self) -> None:
        def chosen(line: str | None) -> None:
            if line is None:
                return
            try:
                filters = parse_filters(line)
            except ValueError as exc:
                self.say(str(exc), error=True)
                return
            if filters.task and self.schema.any_task(filters.task) is None:
                names = ", ".join(t.name for t in self.schema.every_task)
                self.say(f"task:{filters.task}: no such task (tasks: {names})", error=True)
                return
            self.say("Loading the review queue…")
            self.load_queue(filters)

        self.app.push_screen(FilterBox(self.filters.describe()), chosen)

    def action_dashboard(self) -> None:
        from annotator.tui.dashboard.screen import DashboardScreen

        self.app.push_screen(DashboardScreen(self.ctx, per_annotator=True))
