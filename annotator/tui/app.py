"""The Textual application: start screen (if no name), then the annotate screen."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

from sqlalchemy.exc import SQLAlchemyError
from textual import events
from textual.app import SystemCommand
from textual.screen import Screen

from annotator.tui.commands import DocumentCommands
from annotator.tui.config import UserConfig, save_config
from annotator.tui.crash import QuietCrashApp
from annotator.tui.keymap import user_keymap
from annotator.tui.launch import StoreContext
from annotator.tui.screens.start import StartScreen

if TYPE_CHECKING:
    from annotator.assist.lexicon import Matcher
    from annotator.tui.controller import Annotating
    from annotator.tui.early_start import EarlyStart


class AnnotatorApp(QuietCrashApp):
    CSS_PATH: ClassVar = ["annotate.tcss", "dialogs.tcss"]
    TITLE = "annotator"
    COMMANDS: ClassVar = QuietCrashApp.COMMANDS | {DocumentCommands}

    def __init__(
        self,
        context: StoreContext,
        *,
        annotator: str | None = None,
        order: str = "sequential",
        seed: int | None = None,
        config: UserConfig | None = None,
        remember: bool = True,
        lease_seconds: float | None = None,
        hints: Matcher | None = None,
        early: EarlyStart | None = None,
    ) -> None:
        super().__init__()
        self.context = context
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
        await super().on_event(event)

    def on_mount(self) -> None:
        if self.config.theme and self.config.theme in self.available_themes:
            self.theme = self.config.theme
        if self.config.keys:
            self.set_keymap(user_keymap(self.config.keys))
        if self.config.problem:
            self.notify(self.config.problem, severity="warning", markup=False)
        if self.annotator_name:
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
        except SQLAlchemyError as exc:  # read-only, full, locked or unreachable
            from annotator.errors import format_user_error

            self.error_message = (format_user_error(exc) or str(exc)).removeprefix("error: ")
            self.exit(return_code=1)
            return
        self.annotator_name = name
        self.sub_title = f"{self.context.project_name} · {name}"
        if self.remember and self.config.annotator != name:
            self.config.annotator = name
            try:
                save_config(self.config)
            except OSError as exc:
                self.notify(f"could not remember your name: {exc}", severity="warning")
        self.annotating = annotating
        screen = AnnotateScreen(annotating, hints=self.hints)
        if isinstance(self.screen, StartScreen):
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def on_unmount(self) -> None:
        if self.annotating is not None:
            self.annotating.stop_counting()  # quitting does not wait for the counts
            # Not vital: a position is only a faster start, and a lease lapses by itself.
            with contextlib.suppress(SQLAlchemyError):
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
