"""The Textual application: start screen (if no name), then the annotate screen."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import events, work
from textual.app import SystemCommand
from textual.screen import Screen

from annotator.store.errors import db_failure
from annotator.tui.commands import DocumentCommands
from annotator.tui.config import UserConfig, save_config
from annotator.tui.crash import QuietCrashApp
from annotator.tui.keymap import user_keymap
from annotator.tui.screens.start import StartScreen

if TYPE_CHECKING:
    from annotator.assist.lexicon import Matcher
    from annotator.store.first_look import StartScan
    from annotator.tui.controller import Annotating
    from annotator.tui.early_start import EarlyStart
    from annotator.tui.launch import StoreContext


@dataclass(frozen=True)
class QuickStart:
    """A start that draws before the store layer loads: the scan's first look is drawn, then
    the store, the project and the session load off the UI thread (`load_session`) and the
    screen is handed the session. For an annotator named on the command line, on a plain
    current SQLite store (where `scan.opening()` answered)."""

    scan: StartScan
    db: str | None
    project: str | None


class SessionReady(events.Event):
    """A quick start's session is on the screen: the input held until now goes to it
    (`keep_input` False: the session opened with another unit than the one drawn, or one
    with a label of mine, so what was typed on the first look is dropped, not applied)."""

    def __init__(self, keep_input: bool = True) -> None:
        super().__init__()
        self.keep_input = keep_input


class AnnotatorApp(QuietCrashApp):
    CSS_PATH: ClassVar = ["annotate.tcss", "dialogs.tcss"]
    TITLE = "annotator"
    COMMANDS: ClassVar = QuietCrashApp.COMMANDS | {DocumentCommands}

    def __init__(
        self,
        context: StoreContext | None,
        *,
        annotator: str | None = None,
        order: str = "sequential",
        seed: int | None = None,
        config: UserConfig | None = None,
        remember: bool = True,
        lease_seconds: float | None = None,
        hints: Matcher | None = None,
        early: EarlyStart | None = None,
        quick: QuickStart | None = None,
    ) -> None:
        """`context` None: a `quick` start, which loads it once the first unit is drawn."""
        super().__init__()
        self.context: StoreContext = context  # type: ignore[assignment]  # quick: loaded later
        self.quick = quick
        # Input that arrives while a quick start loads the session, in order (see on_event).
        self.held_input: list[events.InputEvent] | None = [] if quick is not None else None
        self.loaded: Annotating | None = None  # a quick start's session, once loaded
        self.load_began = threading.Event()
        self.load_ended = threading.Event()
        self.unmounted = False
        self.annotator_name = annotator
        self.order = order
        self.seed = seed
        self.config = config or UserConfig()
        self.remember = remember
        self.lease_seconds = lease_seconds  # None: the store's default hold on a shown unit
        self.hints = hints  # the schema's lexicon, its words marked in the text
        self.early = early  # the session begun in a thread while the app loaded, if any
        self.error_message: str | None = None
        self.annotating: Annotating | None = None
        self.last_key_at = time.monotonic()  # the annotator is at work: keep their unit held

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key):
            self.last_key_at = time.monotonic()
        if isinstance(event, events.InputEvent) and self.held_input is not None:
            self.held_input.append(event)  # the screen has no session yet: see SessionReady
            return
        if isinstance(event, SessionReady):
            held, self.held_input = self.held_input or [], None
            if not event.keep_input:
                held = []
            for waiting in held:  # before anything that arrived after the session
                await self.on_event(waiting)
        await super().on_event(event)

    def on_mount(self) -> None:
        if self.config.theme and self.config.theme in self.available_themes:
            self.theme = self.config.theme
        if self.config.keys:
            self.set_keymap(user_keymap(self.config.keys))
        if self.config.problem:
            self.notify(self.config.problem, severity="warning", markup=False)
        if self.quick is not None and self.annotator_name:
            self.open_quick(self.quick, self.annotator_name)
        elif self.annotator_name:
            self.begin(self.annotator_name)
        else:
            self.push_screen(StartScreen(self.context.project_name, self.config.annotator))

    def on_start_screen_chosen(self, message: StartScreen.Chosen) -> None:
        self.begin(message.name)

    def begin(self, name: str) -> None:
        from annotator.store.engine import StoreError
        from annotator.tui.early_start import begin_session
        from annotator.tui.screens.annotate import AnnotateScreen

        early, self.early = self.early, None
        try:
            if early is not None and early.name == name:
                annotating = early.take()
            else:
                annotating = begin_session(
                    self.context,
                    name,
                    order=self.order,
                    seed=self.seed,
                    lease_seconds=self.lease_seconds,
                )
        except StoreError as exc:
            self.error_message = str(exc)
            self.exit(return_code=1)
            return
        except db_failure() as exc:  # read-only, full, locked or unreachable
            from annotator.errors import format_user_error

            self.error_message = (format_user_error(exc) or str(exc)).removeprefix("error: ")
            self.exit(return_code=1)
            return
        self.remember_name(self.context.project_name, name)
        self.annotating = annotating
        screen = AnnotateScreen(annotating, hints=self.hints)
        if isinstance(self.screen, StartScreen):
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def remember_name(self, project_name: str, name: str) -> None:
        self.annotator_name = name
        self.sub_title = f"{project_name} · {name}"
        if self.remember and self.config.annotator != name:
            self.config.annotator = name
            try:
                save_config(self.config)
            except OSError as exc:
                self.notify(f"could not remember your name: {exc}", severity="warning")

    def open_quick(self, quick: QuickStart, name: str) -> None:
        from annotator.tui.screens.annotate import AnnotateScreen

        opening = quick.scan.opening()
        assert opening is not None
        self.sub_title = f"{opening.project_name} · {name}"
        # The screen waits for the look as it mounts: it lays itself out meanwhile.
        screen = AnnotateScreen(
            None, hints=self.hints, schema=opening.schema, first_look=quick.scan.look
        )
        self.push_screen(screen)
        self.call_after_refresh(self.load_session, quick, name)

    @work(thread=True, exclusive=True, group="start")
    def load_session(self, quick: QuickStart, name: str) -> None:
        """A quick start's store, project and session (SQLAlchemy, SQLModel and the models
        load here, about 0.3 s), its first unit found from the scan's floor; then the screen
        is handed the session, and the input held meanwhile goes to it."""
        self.load_began.set()
        try:
            from annotator.tui.early_start import begin_session
            from annotator.tui.launch import load_context, load_hints, suggestions_note

            context = load_context(db=quick.db, project=quick.project)
            opening = quick.scan.opening()
            if opening is None or context.schema != opening.schema:
                self.hints = load_hints(context)  # changed since the look: its own lexicon
            annotating = begin_session(
                context, name, order=self.order, seed=self.seed, lease_seconds=self.lease_seconds
            )
            self.loaded = annotating
            annotating.finding_first(quick.scan.floor)()  # found (and held) here
            note = suggestions_note(context.engine, context.project_id)
        except Exception as exc:
            self.hand_over(self.start_failed, exc)
            return
        finally:
            self.load_ended.set()
        self.hand_over(self.session_loaded, context, annotating, note)

    def hand_over(self, callback: Callable[..., object], *args: object) -> None:
        """`callback(*args)` on the UI thread, unless the app has ended meanwhile (then
        `let_go_of_unused_session` tidies up)."""
        try:
            self.call_from_thread(callback, *args)
        except RuntimeError:
            if self.is_running:
                raise  # raised by `callback` (a bug): the worker fails, the crash log has it
            # else: the app is no longer running

    def let_go_of_unused_session(self) -> None:
        """After the app: a quick start's session that never reached the screen (the app
        ended while it loaded) lets go of the unit held for it now, not when the hold lapses."""
        if not self.load_began.is_set():
            return
        self.load_ended.wait()
        if self.loaded is not None and self.annotating is not self.loaded:
            with contextlib.suppress(db_failure()):  # not vital, as in on_unmount
                self.loaded.leave()

    def start_failed(self, exc: Exception) -> None:
        from annotator.errors import format_user_error

        line = format_user_error(exc)
        if line is None:
            raise exc  # a bug: the crash log has it
        self.error_message = line.removeprefix("error: ")
        self.exit(return_code=1)

    def session_loaded(
        self, context: StoreContext, annotating: Annotating, note: str | None
    ) -> None:
        from annotator.tui.screens.annotate import AnnotateScreen

        if self.unmounted:
            return  # ended meanwhile: let_go_of_unused_session lets it go
        self.context = context
        self.annotating = annotating
        self.remember_name(annotating.ctx.project_name, self.annotator_name or "")
        if note:
            self.notify(note, severity="warning", markup=False)
        screen = self.screen
        keep = False
        if isinstance(screen, AnnotateScreen) and screen.schema == context.schema:
            drawn = screen.previewed
            screen.attach(annotating)
            shown = annotating.view.unit_id if annotating.view is not None else None
            keep = drawn == shown and not annotating.saved_status
            if not keep and self.held_input and not screen.stalled:
                screen.say(
                    "The sentence changed as your session opened (someone took the first one, "
                    "or it has your label): nothing you typed was applied."
                )
        else:  # the schema changed between the look and the load: the screen it asks for
            self.switch_screen(AnnotateScreen(annotating, hints=self.hints))
        self.post_message(SessionReady(keep_input=keep))

    def on_unmount(self) -> None:
        self.unmounted = True
        if self.annotating is not None:
            self.annotating.stop_counting()  # quitting does not wait for the counts
            # Not vital: a position is only a faster start, and a lease lapses by itself.
            with contextlib.suppress(db_failure()):
                self.annotating.leave()

    def watch_theme(self, theme: str) -> None:
        if self.remember and self.annotating is not None and self.config.theme != theme:
            self.config.theme = theme
            with contextlib.suppress(OSError):
                save_config(self.config)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if self.annotating is not None:
            yield SystemCommand("Stats", "My progress in this project", self.show_stats)
            yield SystemCommand(
                "Dashboard", "Progress, labels and agreement as charts", self.show_dashboard
            )

    def show_dashboard(self) -> None:
        from annotator.store.engine import session_scope
        from annotator.store.labels_query import lead_view
        from annotator.tui.dashboard.screen import DashboardScreen

        # Annotators stay blind: per-annotator figures only for a lead.
        with session_scope(self.context.engine) as session:
            per_annotator, note = lead_view(session, self.annotator_name)
        self.push_screen(DashboardScreen(self.context, per_annotator=per_annotator, note=note))

    def show_stats(self) -> None:
        ann = self.annotating
        if ann is None or ann.progress is None:
            self.notify("Still counting…")
            return
        p = ann.progress
        pace = (
            f"; median {sorted(ann.recent)[len(ann.recent) // 2]:.1f} s per unit"
            if ann.recent
            else ""
        )
        self.notify(
            f"{p.done:,} done, {p.left:,} left of {p.total:,} units{pace}",
            title="Stats",
            markup=False,
        )
