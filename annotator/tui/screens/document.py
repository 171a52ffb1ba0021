"""The document tasks of one article (`scope: document`), asked once when the annotator
leaves an article they read (see `Annotating.document_due`): the same panels and keys as the
annotate screen, over the whole article."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, ClassVar

from rich.text import Text
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.color import Color
from textual.containers import Vertical, VerticalScroll
from textual.keys import _character_to_key
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from annotator.schema.model import Schema
from annotator.schema.values import given
from annotator.schema.visibility import parents_first, show_if_of, visible_tasks
from annotator.tui.widgets.base import TaskPanel
from annotator.tui.widgets.panels import make_panel
from annotator.tui.widgets.text import TextPanel

now: Callable[[], float] = time.monotonic  # the dialog's clock (a test sets its own)


class DocumentScreen(ModalScreen[dict[str, Any] | None]):
    """Dismissed with the answers ({task: value}, visible tasks only) on enter, or None on
    escape (asked again with ctrl+o).

    It opens while a fast annotator may still be typing the next sentence's label and enter:
    when it opens by itself (`settle`), label keys and enter pressed in the first `SETTLE`
    seconds are dropped (with a line that says so) rather than answering a question nobody
    read. Opened with ctrl+o, it takes keys at once."""

    SETTLE = 0.4  # seconds

    DEFAULT_CSS = """
    DocumentScreen { align: center middle; }
    DocumentScreen > Vertical {
        width: 90%; max-width: 110; height: auto; max-height: 90%;
        border: thick $accent; background: $surface; padding: 0 1;
    }
    DocumentScreen #doc-title { text-style: bold; }
    DocumentScreen #doc-tasks { height: auto; max-height: 30; }
    DocumentScreen #doc-message { color: $warning; }
    DocumentScreen #doc-keys { color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "focus_task(1)", show=False, priority=True),
        Binding("shift+tab", "focus_task(-1)", show=False, priority=True),
        Binding("up", "row(-1)", show=False, priority=True),
        Binding("down", "row(1)", show=False, priority=True),
        Binding("enter", "save", show=False, priority=True),
        Binding("escape", "later", show=False, priority=True),
    ]

    def __init__(
        self,
        schema: Schema,
        title: str,
        about: str,
        values: dict[str, Any] | None = None,
        *,
        settle: bool = False,
    ) -> None:
        super().__init__()
        self.settle = settle
        self.tasks = schema.document_tasks
        self.title_text, self.about = title, about
        self.panels = {t.name: make_panel(t, schema.targets) for t in self.tasks}
        self.order = parents_first([t.name for t in self.tasks], show_if_of(schema.per_document()))
        self.rules = show_if_of(schema.per_document())
        self.active: TaskPanel | None = None
        self.opened_at = now()
        for name, value in (values or {}).items():
            if name in self.panels:
                self.panels[name].set_value(value)
        for key in sorted({lab.key for t in self.tasks for lab in t.labels if lab.key}):
            name = _character_to_key(key) if len(key) == 1 else key
            self._bindings.bind(name, f"label_key({key!r})", show=False, priority=True)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.title_text), id="doc-title")
            yield Static(Text(self.about), id="doc-about")
            with VerticalScroll(id="doc-tasks"):
                yield from self.panels.values()
            yield Static(id="doc-message", markup=False)
            yield Static(
                "tab next task · keys pick · enter save · esc later", id="doc-keys", markup=False
            )

    def on_mount(self) -> None:
        self.opened_at = now()
        self.update_visibility()
        shown = self.shown()
        if shown:
            self.activate(shown[0])

    def values(self) -> dict[str, Any]:
        return {name: p.value for name, p in self.panels.items() if given(p.value)}

    def shown(self) -> list[TaskPanel]:
        visible = visible_tasks(self.order, self.rules, self.values())
        return [p for name, p in self.panels.items() if name in visible]

    def update_visibility(self) -> None:
        visible = {id(p) for p in self.shown()}
        for panel in self.panels.values():
            panel.display = id(panel) in visible

    def activate(self, panel: TaskPanel | None) -> None:
        """Label keys go to `panel`; only a free-text box takes the focus (to type)."""
        if self.active is not None and self.active is not panel:
            self.active.set_active(None)
        self.active = panel
        if panel is None:
            return
        theme = self.app.theme_variables
        panel.set_active((Color.parse(theme["boost"]), Color.parse(theme["accent"])))
        self.set_focus(panel.input if isinstance(panel, TextPanel) else None)
        panel.scroll_visible(animate=False)

    def typing(self) -> bool:
        return isinstance(self.focused, Input)

    def on_task_panel_changed(self, event: TaskPanel.Changed) -> None:
        self.update_visibility()

    def action_focus_task(self, step: int) -> None:
        shown = self.shown()
        if shown:
            at = shown.index(self.active) if self.active in shown else -1
            self.activate(shown[(at + step) % len(shown)])

    def action_row(self, step: int) -> None:
        if self.typing():
            raise SkipAction()
        row = getattr(self.active, "action_row", None)
        if row is not None:
            row(step)

    def settling(self) -> bool:
        """Whether a key comes too soon after opening to be meant for this dialog."""
        if not self.settle or now() - self.opened_at >= self.SETTLE:
            return False
        self.say("Keys pressed as the article's questions opened were ignored: choose again.")
        return True

    def action_label_key(self, key: str) -> None:
        panel = self.active
        if panel is None or self.typing():
            raise SkipAction()
        if self.settling():
            return
        label = panel.label_for_key(key)
        if label is None:
            self.say(f"{key}: not a key of {panel.schema_task.name}")
            return
        advance = panel.press_label(label)
        self.update_visibility()
        if advance:
            self.action_focus_task(1)

    def say(self, message: str) -> None:
        self.query_one("#doc-message", Static).update(message)

    def action_save(self) -> None:
        if self.settling():
            return
        shown = self.shown()
        missing = [
            p.schema_task.name for p in shown if p.schema_task.required and not p.has_value()
        ]
        if missing:
            self.say("Still needed: " + ", ".join(missing))
            self.activate(self.panels[missing[0]])
            return
        names = {p.schema_task.name for p in shown}
        self.dismiss({k: v for k, v in self.values().items() if k in names})

    def action_later(self) -> None:
        self.dismiss(None)
