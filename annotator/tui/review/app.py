"""`ReviewApp`: the review screen on its own, for a lead (the CLI checks the role first)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from textual.app import SystemCommand
from textual.screen import Screen

from annotator.tui.config import UserConfig, load_config
from annotator.tui.crash import QuietCrashApp
from annotator.tui.keymap import user_keymap
from annotator.tui.launch import StoreContext
from annotator.tui.review.model import Filters
from annotator.tui.review.screen import ReviewScreen


class ReviewApp(QuietCrashApp):
    CSS_PATH: ClassVar = ["review.tcss", "../dialogs.tcss"]
    TITLE = "annotator review"

    def __init__(
        self,
        context: StoreContext,
        *,
        lead: str,
        lead_id: int,
        filters: Filters | None = None,
        config: UserConfig | None = None,
    ) -> None:
        super().__init__()
        self.config = config or load_config()  # the same [keys] remapping as annotate
        self.context = context
        self.lead = lead
        self.lead_id = lead_id
        self.filters = filters or Filters()

    def on_mount(self) -> None:
        if self.config.keys:
            self.set_keymap(user_keymap(self.config.keys))
        self.sub_title = f"{self.context.project_name} · {self.lead}"
        self.push_screen(
            ReviewScreen(self.context, lead=self.lead, lead_id=self.lead_id, filters=self.filters)
        )

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand(
            "Dashboard", "Progress, label distribution and agreement", self.open_dashboard
        )

    def open_dashboard(self) -> None:
        from annotator.tui.dashboard.screen import DashboardScreen

        if not isinstance(self.screen, DashboardScreen):
            self.push_screen(DashboardScreen(self.context, per_annotator=True))
