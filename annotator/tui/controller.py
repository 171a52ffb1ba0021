"""The annotation session without the screen: which unit is shown, saving, undo, progress.

Plain Python over the store, so the rules (what comes next, what undo restores) are tested
without Textual, and the screen only draws what this object says.
"""

from __future__ import annotations

import contextlib
import statistics
import time
import zlib
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

# `annotation_store`, not `annotations`: that name is the __future__ import's here.
from annotator.store import annotations as annotation_store
from annotator.store import (
    assist_models,
    document_annotations,
    leases,
    positions,
    queue,
    search,
    units,
)
from annotator.store.annotations import DONE, Snapshot
from annotator.store.engine import interruptible, session_scope
from annotator.store.errors import LeaseLost, NotShown
from annotator.store.leases import DEFAULT_LEASE_SECONDS
from annotator.store.queue import Progress, Queue
from annotator.store.queue_direct import ColdFloor
from annotator.store.views import UnitView
from annotator.tui.launch import StoreContext

__all__ = ["Annotating", "LeaseLost", "NotShown", "UndoEntry"]


@dataclass(frozen=True)
class UndoEntry:
    unit_id: int
    previous: Snapshot | None
    status_before: str | None
    status_after: str


class Annotating:
    def __init__(
        self,
        ctx: StoreContext,
        *,
        annotator_id: int,
        annotator_name: str,
        order: str = "sequential",
        seed: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
    ) -> None:
        self.ctx = ctx
        self.schema = ctx.schema
        self.annotator_id = annotator_id
        if order != "sequential" and seed is None:
            seed = zlib.crc32(annotator_name.encode())  # stable per person: reopening resumes
        self.queue = Queue(
            project_id=ctx.project_id,
            annotator_id=annotator_id,
            overlap=max(1, self.schema.overlap),
            order=order,
            seed=seed,
            lease_seconds=lease_seconds,
        )
        self.clock = clock
        self.progress: Progress | None = None
        self.leaving = False  # the session is ending: stop_counting
        self._stop_counting: Callable[[], None] | None = None
        self.uncounted: list[tuple[int, str | None, str | None]] = []
        self.undo_stack: list[UndoEntry] = []
        self.view: UnitView | None = None
        self.saved_values: dict[str, Any] = {}
        self.saved_status: str | None = None
        self.saved_comment: str | None = None
        self.words: tuple[list[str], list[tuple[int, int]]] | None = None
        self.shown_at = clock()
        self.recent: deque[float] = deque(maxlen=30)
        # The queue position is remembered in the store (sequential order only).
        self.remember = order == "sequential"
        self.mark = 0  # audit event mark taken before the first queue scan of this session
        self.saves_since_remembered = 0
        self.renewed_at = clock()  # when my hold on the shown unit was last made longer
        # (shown unit, the unit guessed to follow it, that unit as loaded): see read_ahead.
        self._ahead: tuple[int, int, tuple] | None = None
        # A document chosen from the palette: saves go on through its units before the queue.
        self.detour: int | None = None
        # Units of context read around each unit: the schema's, or more when the screen has
        # room for them (the screen sets it: unit_view.context_depth).
        self.context = (self.schema.context_before, self.schema.context_after)
        # The project's suggestions setting, and the models. A label records `assisted` only
        # when a suggestion for its unit was actually handed to the screen (suggestions()).
        self.assisted = False
        self.suggester: Any = None  # annotator.assist.suggest.Suggester, once loading
        self._suggested: tuple[int, dict[str, Any]] | None = None
        self._suggest_ahead: tuple[int, dict[str, Any]] | None = None  # see read_ahead
        # The first unit and whether it is fresh, being found in another thread (finding_first).
        self._found: Future[tuple[int | None, bool]] | None = None

    # --- which unit --------------------------------------------------------------------
    def finding_first(
        self, cold: Callable[[], ColdFloor | None] | None = None
    ) -> Callable[[], None]:
        """The look-up of the unit to open with, as a job for another thread; `open_first`
        waits for it and shows what it found (or raises the store error it met, where the
        screen says it). On a cold start of a large project this is the slow part (the queue
        is scanned from the first unit): `tui.early_start` runs it while the screen loads.
        Until `open_first` returns, the job alone touches the queue. `cold`: a floor found
        for a cold start meanwhile (`store.queue_direct`), waited for by the job."""
        found: Future[tuple[int | None, bool]] = Future()
        self._found = found

        def find() -> None:
            try:
                hint = cold() if cold is not None else None
                with session_scope(self.ctx.engine) as s:
                    first = self._find_first(s, hint)
            except BaseException as exc:
                found.set_exception(exc)
            else:
                found.set_result(first)  # committed: the unit is held

        return find

    def _find_first(self, s, cold: ColdFloor | None = None) -> tuple[int | None, bool]:
        self.mark = queue.event_mark(s)
        self.assisted = assist_models.settings(s, self.ctx.project_id).suggestions
        if self.remember:
            floor = positions.load_floor(
                s,
                project_id=self.ctx.project_id,
                annotator_id=self.annotator_id,
                overlap=self.queue.overlap,
            )
            if cold is not None and cold.overlap == self.queue.overlap and cold.floor > floor:
                # Proved as a remembered floor is, and checked the same way.
                checked = queue.checked_floor(
                    s, project_id=self.ctx.project_id, floor=cold.floor, mark=cold.mark
                )
                floor = max(floor, checked)
            self.queue.floor = floor
        return self.queue.next(s), self.queue.fresh

    def open_first(self) -> UnitView | None:
        finding, self._found = self._found, None
        found = finding.result() if finding is not None else None  # raises what it met
        with session_scope(self.ctx.engine) as s:
            if found is not None:
                # Found and held in another transaction: someone with my name in a second
                # terminal may have labelled it since, so my label is looked up after all.
                uid, fresh = found[0], False
            else:
                uid, fresh = self._find_first(s)
            view = self._show(s, uid, fresh=fresh)
            self._remember(s)
        self.renewed_at = self.clock()
        if self.assisted and self.suggester is None:  # once a session: the models load once
            self._start_suggesting()
        return view

    def _start_suggesting(self) -> None:
        from annotator.assist.suggest import Suggester  # numpy and the models: only now

        self.suggester = Suggester(
            self.ctx.engine, project_id=self.ctx.project_id, schema=self.schema
        )
        self.suggester.start()  # in a thread: suggestions() answers nothing until loaded

    def suggestions(self) -> dict[str, Any]:
        """The models' guess per task for the shown unit, {task: Suggestion(value,
        confidence)}; empty while they load, when suggestions are off, or without a model.
        Computed once per unit (a fraction of a millisecond)."""
        view = self.view
        if view is None:
            return {}
        done = self._suggested
        if done is not None and done[0] == view.unit_id and (done[1] or not self._ready()):
            return done[1]
        ahead = self._suggest_ahead
        if ahead is not None and ahead[0] == view.unit_id:
            self._suggested = ahead  # guessed while the unit before it was on screen
        else:
            self._suggested = (view.unit_id, self._guess(view.text))
        return self._suggested[1]

    def _ready(self) -> bool:
        return self.suggester is not None and self.suggester.ready

    def _guess(self, text: str) -> dict[str, Any]:
        """The models' guesses for `text`; nothing (never an error) while they load or if
        they fail: a suggestion is a help, not something a label may wait for."""
        if self.suggester is None or not self.suggester.ready:
            return {}
        try:
            return self.suggester.suggest(text)
        except Exception:
            return {}

    def _shown_a_suggestion(self, unit_id: int) -> bool:
        """Whether a suggestion for `unit_id` reached the screen: what `assisted` records (the
        setting alone says nothing while the models load or where a task has none)."""
        shown = self._suggested
        return self.assisted and shown is not None and shown[0] == unit_id and bool(shown[1])

    def _remember(self, s) -> None:
        """Keep where my queue stands (valid at the session's first event mark), in `s`."""
        if not self.remember:
            return
        self.saves_since_remembered = 0
        positions.save_floor(
            s,
            project_id=self.ctx.project_id,
            annotator_id=self.annotator_id,
            overlap=self.queue.overlap,
            floor=self.queue.floor,
            mark=self.mark,
        )

    def leave(self) -> None:
        """I am stopping: remember my queue position and let the others have what I hold."""
        if self._found is not None:  # the first unit was being found (and held) meanwhile
            with contextlib.suppress(Exception):
                self._found.result()
        with session_scope(self.ctx.engine) as s:
            leases.release_all(s, project_id=self.ctx.project_id, annotator_id=self.annotator_id)
            if self.view is not None or self.queue.floor:
                self._remember(s)

    def held_by_others(self) -> int:
        """Units others hold now (when my queue is empty, they may still come my way)."""
        with session_scope(self.ctx.engine) as s:
            held = leases.live_leases(s, project_id=self.ctx.project_id)
        return sum(n for who, n in held.items() if who != self.annotator_id)

    def look_for(
        self, query: str
    ) -> tuple[list[tuple[int, str | None]], list[tuple[int, int, str]]]:
        """The palette's search: (id, title) of documents titled with `query`, and (unit id,
        document id, text) of sentences saying it."""
        with session_scope(self.ctx.engine) as s:
            return (
                search.documents_titled(s, self.ctx.project_id, query),
                search.units_saying(s, self.ctx.project_id, query),
            )

    def document_start(self, document_id: int) -> int | None:
        """The first unit of a document (the palette goes there)."""
        with session_scope(self.ctx.engine) as s:
            return search.first_unit(s, document_id)

    def goto(self, unit_id: int | None, *, stay: bool = False) -> UnitView | None:
        """Show `unit_id` (say, from the palette), held for me if it has room. `stay`: the
        saves that follow go on through the rest of its document before the queue."""
        with session_scope(self.ctx.engine) as s:
            loaded = self._load(s, unit_id)
            mine_open = loaded[1] is None or loaded[1].status != DONE
            if unit_id is not None and mine_open and not self.queue.is_check(unit_id):
                self.queue.claim(s, unit_id)  # full: shown anyway; a save says it is taken
            view = self._apply(loaded)
        self.detour = view.document_id if stay and view is not None else None
        return view

    def has_units(self) -> bool:
        with session_scope(self.ctx.engine) as s:
            return search.has_units(s, self.ctx.project_id)

    def _next_in_detour(self, s, unit_id: int) -> int | None:
        """The next unit open for me in the document chosen from the palette, held for me
        (None: the document is done, and the detour with it)."""
        found = queue.next_open_unit(
            s,
            project_id=self.ctx.project_id,
            annotator_id=self.annotator_id,
            overlap=self.queue.overlap,
            after=unit_id,
            free=True,
        )
        if found is not None:
            doc = units.load_unit(s, found, before=0, after=0).document_id
            if doc == self.detour and self.queue.claim(s, found):
                return found
        self.detour = None
        return None

    def keep_alive(self) -> bool:
        """The annotator is at work: make my hold on the shown unit longer, at most every
        third of a lease. False: the hold had lapsed and others have taken the unit."""
        if self.clock() - self.renewed_at < self.queue.lease_seconds / 3:
            return True
        return self.keep_alive_now()

    def keep_alive_now(self) -> bool:
        view = self.view
        if view is None or self.saved_status == DONE or self.queue.is_check(view.unit_id):
            return True
        self.renewed_at = self.clock()
        with session_scope(self.ctx.engine) as s:
            if leases.renew(
                s,
                unit_id=view.unit_id,
                annotator_id=self.annotator_id,
                seconds=self.queue.lease_seconds,
            ):
                return True
            return self.queue.claim(s, view.unit_id)

    def _show(self, s, unit_id: int | None, *, fresh: bool = False) -> UnitView | None:
        return self._apply(self._load(s, unit_id, fresh=fresh))

    def _load(self, s, unit_id: int | None, *, fresh: bool = False) -> tuple:
        """The unit and my annotation of it (`fresh`: known to have none)."""
        if unit_id is None:
            return None, None
        view = units.load_unit(s, unit_id, before=self.context[0], after=self.context[1])
        mine = (
            None
            if fresh
            else annotation_store.mine(s, unit_id=unit_id, annotator_id=self.annotator_id)
        )
        return view, mine

    def _apply(self, loaded: tuple) -> UnitView | None:
        view, mine = loaded
        self.shown_at = self.clock()
        self.words = None
        self.view = view
        self.saved_values = dict(mine.values) if mine else {}
        self.saved_status = mine.status if mine else None
        self.saved_comment = mine.comment if mine else None
        return view

    def previous(self) -> UnitView | None:
        """My previous unit (None: there is none; the current one stays)."""
        if self.view is None:
            with session_scope(self.ctx.engine) as s:
                uid = queue.my_previous_unit(
                    s,
                    project_id=self.ctx.project_id,
                    annotator_id=self.annotator_id,
                    unit_id=2**62,
                )
                return self._show(s, uid) if uid else None
        with session_scope(self.ctx.engine) as s:
            uid = queue.my_previous_unit(
                s,
                project_id=self.ctx.project_id,
                annotator_id=self.annotator_id,
                unit_id=self.view.unit_id,
            )
            return self._show(s, uid) if uid else None

    def following(self) -> UnitView | None:
        """My next unit, then the head of my queue (None: already there)."""
        if self.view is None:
            return None
        with session_scope(self.ctx.engine) as s:
            uid = self._after(s, self.view.unit_id)
            if uid is None or uid == self.view.unit_id:
                return None
            return self._show(s, uid)

    def _after(self, s, unit_id: int) -> int | None:
        uid = queue.my_next_unit(
            s, project_id=self.ctx.project_id, annotator_id=self.annotator_id, unit_id=unit_id
        )
        if uid is not None:
            skipped = annotation_store.mine(s, unit_id=uid, annotator_id=self.annotator_id)
            if skipped is None or skipped.status != annotation_store.SKIPPED:
                return uid
        return self.queue.next(s, current=unit_id)

    # --- changes -----------------------------------------------------------------------
    def save(
        self, values: dict[str, Any], *, status: str = DONE, comment: str | None = None
    ) -> UnitView | None:
        """Commit my annotation of the shown unit, then show the next one.

        Raises the store's error if the commit fails; nothing moves in that case. If the label
        is committed but the next unit cannot be read, `NotShown` says so (the label stays).
        """
        assert self.view is not None
        uid = self.view.unit_id
        seconds = max(0.0, self.clock() - self.shown_at)
        reviewing = self.saved_status not in (None, annotation_store.SKIPPED)
        # One transaction: the write, then the next unit as the write leaves the queue (and
        # held for me). The unit's text is read after the commit: no write lock meanwhile.
        position = self.queue.position()
        detour_before = self.detour
        try:
            with session_scope(self.ctx.engine) as s:
                if status == DONE and self.saved_status != DONE:
                    # A new done label takes one of the unit's places: mine if I hold it,
                    # else only if one is still free (LeaseLost: nothing is written).
                    leases.settle(
                        s, unit_id=uid, annotator_id=self.annotator_id, overlap=self.queue.overlap
                    )
                elif status != DONE:
                    leases.release(s, unit_id=uid, annotator_id=self.annotator_id)
                result = annotation_store.save_annotation(
                    s,
                    unit_id=uid,
                    annotator_id=self.annotator_id,
                    schema_version_id=self.ctx.schema_version_id,
                    values=values,
                    status=status,
                    comment=comment,
                    seconds=seconds,
                    assisted=self._shown_a_suggestion(uid),
                )
                fresh = False
                nxt: int | None
                detour = self._next_in_detour(s, uid) if self.detour is not None else None
                if detour is not None:
                    nxt, fresh = detour, True
                elif status == DONE and reviewing:
                    nxt = self._after(s, uid)
                else:
                    nxt = self.queue.next(s, current=uid)
                    fresh = self.queue.fresh
                if nxt == uid and status != annotation_store.SKIPPED:
                    nxt = None
                if self.saves_since_remembered >= 49:
                    self._remember(s)
        except BaseException:
            self.queue.restore(position)  # nothing was saved: the queue stands where it stood
            self.detour = detour_before
            raise
        # Committed: from here on, nothing can lose the label.
        self.undo_stack.append(UndoEntry(uid, result.previous, self.saved_status, status))
        self._count(result.event_id, self.saved_status, status)
        if status == DONE:
            self.recent.append(seconds)
        self.saves_since_remembered += 1
        self.renewed_at = self.clock()
        ahead = self._ahead
        if fresh and ahead is not None and ahead[0] == uid and ahead[1] == nxt:
            return self._apply(ahead[2])  # read while the unit was on screen
        try:
            with session_scope(self.ctx.engine) as s:
                loaded = self._load(s, nxt, fresh=fresh)
        except Exception as exc:
            # The label is in: the screen shows it as saved and → reads on.
            self.saved_values, self.saved_status, self.saved_comment = dict(values), status, comment
            raise NotShown(exc) from exc
        return self._apply(loaded)

    def read_ahead(self) -> None:
        """Load the unit that follows the shown one in my queue, once I have saved it, so the
        save itself only writes and checks (the queue look-up decides; this is a guess)."""
        view = self.view
        if view is None or self.queue.order != "sequential":
            return
        if self._ahead is not None and self._ahead[0] == view.unit_id:
            return
        self._ahead = None
        with session_scope(self.ctx.engine) as s:
            nxt = queue.next_open_unit(
                s,
                project_id=self.ctx.project_id,
                annotator_id=self.annotator_id,
                overlap=self.queue.overlap,
                after=max(self.queue.floor, view.unit_id),
                free=True,  # not one the others hold: the save would pass it over
            )
            if nxt is not None:
                self._ahead = (view.unit_id, nxt, self._load(s, nxt, fresh=True))
        if self._ahead is not None and self._ahead[2][0] is not None and self._ready():
            # The next unit's guesses too, off the key path (the screen calls this after
            # drawing): the save then shows them without computing.
            loaded = self._ahead[2][0]
            self._suggest_ahead = (loaded.unit_id, self._guess(loaded.text))

    def undo(self) -> UnitView | None:
        """Undo my last save of this session and show that unit again (None: nothing to undo)."""
        if not self.undo_stack:
            return None
        entry = self.undo_stack[-1]
        with session_scope(self.ctx.engine) as s:
            annotation_store.undo_save(
                s, unit_id=entry.unit_id, annotator_id=self.annotator_id, previous=entry.previous
            )
            event_id = queue.event_mark(s)
        self.undo_stack.pop()
        self._count(event_id, entry.status_after, entry.status_before)
        if entry.status_before in annotation_store.IN_QUEUE:
            self.queue.reopen(entry.unit_id)
        # Back to the unit; a document chosen from the palette stays the one saves go through.
        try:
            return self.goto(entry.unit_id, stay=self.detour is not None)
        except Exception as exc:
            raise NotShown(exc) from exc  # undone; only showing the unit failed

    def ensure_words(self) -> tuple[list[str], list[tuple[int, int]]]:
        """The shown unit's words and their offsets, computed once and cached in the store."""
        if self.words is None and self.view is not None:
            from annotator.tokens import words

            tokens, offsets = words(self.view.text, self.view.tokens)
            if tokens is not self.view.tokens:
                with session_scope(self.ctx.engine) as s:
                    units.store_tokens(s, self.view.unit_id, tokens)
            self.words = (tokens, offsets)
        return self.words or ([], [])

    # --- progress ----------------------------------------------------------------------
    def load_progress(self) -> Progress | None:
        """The counts (seconds on a store of millions of units: run it in a thread); None
        when the session ended meanwhile (stop_counting)."""
        try:
            with session_scope(self.ctx.engine) as s:
                queue.one_snapshot(s)  # (before interruptible takes the connection)
                with interruptible(s) as stop:
                    self._stop_counting = stop
                    if self.leaving:
                        return None
                    return queue.my_progress(
                        s,
                        project_id=self.ctx.project_id,
                        annotator_id=self.annotator_id,
                        overlap=self.queue.overlap,
                    )
        except SQLAlchemyError:
            if self.leaving:
                return None  # interrupted on the way out
            raise
        finally:
            self._stop_counting = None

    def stop_counting(self) -> None:
        """Leaving: counts still running are abandoned (the process would wait for them
        before it exits), and any that start later are not asked for."""
        self.leaving = True
        stop = self._stop_counting
        if stop is not None:
            stop()

    def _count(self, event_id: int, before: str | None, after: str | None) -> None:
        """Keep the counts current; changes made while they are being counted wait for them."""
        if self.progress is None:
            self.uncounted.append((event_id, before, after))
        else:
            self.progress.apply(before, after)

    def progress_loaded(self, progress: Progress) -> None:
        """Counts from the store, plus my changes committed after their snapshot."""
        for event_id, before, after in self.uncounted:
            if event_id > progress.mark:
                progress.apply(before, after)
        self.uncounted.clear()
        self.progress = progress

    def eta_seconds(self) -> float | None:
        if self.progress is None or len(self.recent) < 3:
            return None
        return statistics.median(self.recent) * self.progress.left

    # --- document tasks (`scope: document`), asked once per article --------------------
    def document_due(self, done: UnitView | None, after: UnitView | None) -> bool:
        """Whether to ask `done`'s document tasks now: the queue has left its article (`after`,
        the unit on screen now, is another article's, or none), I read at least half of it
        (alone in order, that is the whole article; in a team at overlap 1 the one who read
        most of it, not whoever drew its last sentence) and have not answered yet. Queries
        the store only when an article is left, for schemas that have document tasks."""
        if done is None or not self.schema.document_tasks:
            return False
        if after is not None and after.document_id == done.document_id:
            return False
        with session_scope(self.ctx.engine) as s:
            if document_annotations.my_document_answer(s, done.document_id, self.annotator_id):
                return False
            read = document_annotations.units_read(s, done.document_id, self.annotator_id)
        return 2 * read >= done.doc_units

    def owed_articles(self, limit: int = 20) -> list[UnitView]:
        """Articles an earlier session left owed (read at least half, questions unanswered),
        each as its first unit, except the one on screen (its turn comes when it is left)."""
        if not self.schema.document_tasks:
            return []
        current = self.view.document_id if self.view is not None else None
        with session_scope(self.ctx.engine) as s:
            ids = document_annotations.owed_documents(
                s, self.ctx.project_id, self.annotator_id, limit + 1
            )
            views = []
            for doc in (d for d in ids if d != current):
                first = document_annotations.first_unit_of(s, doc)
                if first is not None:
                    views.append(units.load_unit(s, first, before=0, after=0))
        return views[:limit]

    def document_answer(self, document_id: int) -> dict[str, Any] | None:
        with session_scope(self.ctx.engine) as s:
            found = document_annotations.my_document_answer(s, document_id, self.annotator_id)
        return found.values if found is not None else None

    def answer_document(
        self, document_id: int, values: dict[str, Any], *, seconds: float | None = None
    ) -> None:
        """Commit my answers to a document's tasks (raises the store's error if it fails);
        `seconds` the dialog was open adds to the time recorded."""
        with session_scope(self.ctx.engine) as s:
            document_annotations.save_document_answer(
                s,
                document_id=document_id,
                annotator_id=self.annotator_id,
                schema_version_id=self.ctx.schema_version_id,
                values=values,
                seconds=seconds,
            )
