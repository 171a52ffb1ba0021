"""The lead's dashboard: progress, agreement over time, label distribution, in the terminal.

`DashboardScreen` works inside any App (push it; it brings its own stylesheet); a
`DashboardApp` opens it alone for `annotator dashboard`. Figures load in a thread worker;
`r` reloads them. Per-annotator rows appear only when `per_annotator` is true: the caller
applies the lead rule (see ``annotator.cli.agreement``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.text import Text
from sqlalchemy.exc import SQLAlchemyError
from textual import work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, ProgressBar, Static

from annotator.errors import failure
from annotator.tui.crash import QuietCrashApp
from annotator.tui.dashboard.charts import distribution, hbar, sparkline
from annotator.tui.dashboard.data import AnnotatorProgress, DashboardData, load_dashboard
from annotator.tui.launch import StoreContext
from annotator.tui.safe_text import display_text

NAME_WIDTH = 14


def _row(name: str, bar: ProgressBar, counts: str, *, classes: str = "") -> Horizontal:
    return Horizontal(
        Static(Text(display_text(name), no_wrap=True, overflow="ellipsis"), classes="name"),
        bar,
        Static(Text(counts, style="dim"), classes="counts"),
        classes=f"row {classes}".strip(),
    )


def agreement_text(data: DashboardData) -> Text:
    """One line per task: measure, value, a bar on 0..1, the sparkline over time."""
    out = Text()
    for i, t in enumerate(data.tasks):
        if i:
            out.append("\n")
        name = display_text(t.name)
        out.append(f"{name[:NAME_WIDTH]:<{NAME_WIDTH}} ", style="bold")
        if t.value is None:
            if t.measure != "-":
                out.append(f"{t.measure}: –", style="dim")
            if t.note:
                out.append(f"  {display_text(t.note)}", style="dim italic")
            continue
        out.append(f"{t.value:6.3f} ")
        out.append_text(hbar(t.value, 12, "green" if t.value >= 0.667 else "yellow"))
        if t.history:
            out.append("  ")
            out.append_text(sparkline(t.history))
        out.append(f"  {t.measure}, {t.units:,} units", style="dim")
    return out


def checks_text(data: DashboardData) -> Text:
    """Accuracy on check items per annotator, one line each, and the lead's warnings."""
    checks = data.checks
    out = Text()
    if checks is None:
        return out
    below = checks.below()
    for p in checks.people:
        if out:
            out.append("\n")
        out.append(f"{display_text(p.annotator)[:NAME_WIDTH]:<{NAME_WIDTH}} ", style="bold")
        accuracy = p.accuracy
        if accuracy is None:
            out.append("–", style="dim")
        else:
            out.append(f"{accuracy:6.1%} ")
            out.append_text(hbar(accuracy, 12, "yellow" if p in below else "green"))
        out.append(f"  {p.correct:,} of {p.answered:,} right, {p.checks:,} checks", style="dim")
    if not checks.people:
        out.append("No answers to check items yet.", style="dim")
    for line in checks.warnings():
        out.append("\n")
        out.append(f"warning: {display_text(line)}", style="bold yellow")
    return out


def person_counts(a: AnnotatorProgress) -> str:
    """``392 done · 8 flagged · 4.0 s/unit``: zero counts left out to fit 80 columns."""
    parts = [f"{a.done:,} done"]
    if a.skipped:
        parts.append(f"{a.skipped:,} skipped")
    if a.flagged:
        parts.append(f"{a.flagged:,} flagged")
    if a.median_seconds is not None:
        parts.append(f"{a.median_seconds:.1f} s/unit")
    return " · ".join(parts) + (" (lead)" if a.role == "lead" else "")


class DashboardScreen(Screen):
    CSS_PATH: ClassVar = "dashboard.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "reload", "Reload", id="reload"),
        Binding("escape,q", "close", "Close", id="close"),
    ]

    def __init__(
        self,
        context: StoreContext,
        *,
        per_annotator: bool,
        note: str = "",
        standalone: bool = False,
    ) -> None:
        super().__init__()
        self.ctx = context
        self.per_annotator = per_annotator
        self.note = note  # why per-annotator figures are hidden, when they are
        self.standalone = standalone
        self.figures: DashboardData | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="dash-title", markup=False)
        yield VerticalScroll(Static("Counting…", id="dash-loading", markup=False), id="dash")
        yield Footer()

    def on_mount(self) -> None:
        title = Text(f"Dashboard · {display_text(self.ctx.project_name)}", style="bold")
        title.append(f"  schema {display_text(self.ctx.schema.name)}", style="dim")
        self.query_one("#dash-title", Static).update(title)
        self.reload()

    @work(thread=True, exclusive=True, group="dashboard")
    def reload(self) -> None:
        try:
            data = load_dashboard(self.ctx, per_annotator=self.per_annotator)
        except (SQLAlchemyError, ValueError) as exc:
            reason = failure(exc)
            # Textual awaits a coroutine function given here; its annotation says otherwise.
            self.app.call_from_thread(self._failed, reason)  # type: ignore[arg-type]
            return
        self.app.call_from_thread(self.show, data)  # type: ignore[arg-type]

    async def _failed(self, reason: str) -> None:
        await self.query_one("#dash", VerticalScroll).remove_children()
        await self.query_one("#dash", VerticalScroll).mount(
            Static(Text(f"could not load the figures: {reason}", style="bold red"))
        )

    def action_reload(self) -> None:
        self.reload()

    def action_close(self) -> None:
        if self.standalone:
            self.app.exit()
        else:
            self.app.pop_screen()

    async def show(self, data: DashboardData) -> None:
        self.figures = data
        box = self.query_one("#dash", VerticalScroll)
        await box.remove_children()  # before mounting anew: the ids must be free again
        widgets: list = [Static("Progress", classes="section")]
        overall = ProgressBar(total=data.total_units or 1, show_eta=False, id="overall")
        overall.update(progress=data.labelled_units)
        counts = f"{data.labelled_units:,} of {data.total_units:,} units labelled"
        widgets.append(_row("all units", overall, counts))
        if data.overlap > 1:
            full = ProgressBar(total=data.total_units or 1, show_eta=False)
            full.update(progress=data.complete_units)
            widgets.append(
                _row(f"{data.overlap} labels", full, f"{data.complete_units:,} with all labels")
            )
        if data.decided:
            widgets.append(Static(Text(f"{data.decided:,} decisions by a lead", style="dim")))
        if data.per_annotator:
            widgets.append(Static("Per annotator", classes="section"))
            for a in data.annotators:
                bar = ProgressBar(total=data.total_units or 1, show_eta=False, classes="person")
                bar.update(progress=a.done)
                widgets.append(_row(a.name, bar, person_counts(a)))
        elif self.note:
            widgets.append(Static(Text(self.note, style="dim italic"), classes="note"))
        if data.checks is not None:
            rate = f"{data.checks.rate:.0%} of each queue"
            widgets.append(Static(f"Check items ({data.check_items:,}, {rate})", classes="section"))
            widgets.append(Static(checks_text(data), id="checks"))
        widgets.append(
            Static("Agreement  (sparkline: as annotation went on, 0 to 1)", classes="section")
        )
        widgets.append(Static(agreement_text(data), id="agreement"))
        widgets.append(Static("Labels given, per value", classes="section"))
        for t in data.tasks:
            if not t.distribution:
                continue
            widgets.append(Static(Text(display_text(t.name), style="bold"), classes="task-name"))
            widgets.append(Static(distribution(t.distribution, 24, name_width=20), classes="dist"))
        await box.mount_all(widgets)


class DashboardApp(QuietCrashApp):
    """The dashboard on its own (`annotator dashboard`)."""

    TITLE = "annotator dashboard"

    def __init__(self, context: StoreContext, *, per_annotator: bool, note: str = "") -> None:
        super().__init__()
        self.context = context
        self.per_annotator = per_annotator
        self.note = note

    def on_mount(self) -> None:
        self.push_screen(
            DashboardScreen(
                self.context, per_annotator=self.per_annotator, note=self.note, standalone=True
            )
        )

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Reload", "Count again", screen.action_reload)  # type: ignore[attr-defined]
