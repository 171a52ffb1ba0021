"""What every task panel shares: its task, its value, a header line, label keys, messages."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import events
from textual.color import Color
from textual.message import Message
from textual.widget import Widget

from annotator.schema.model import Label, Task
from annotator.tui.linebreak import cached_lines
from annotator.tui.safe_text import display_text


class TaskPanel(Widget, can_focus=False):
    """One task on the annotate screen. Subclasses draw the body and handle their keys.

    Panels never take the focus (the screen keeps it and routes keys to the active panel):
    moving the focus restyles and repaints the whole screen, once per unit. The active panel
    is highlighted with two inline styles instead, which no stylesheet pass has to resolve
    (a CSS class would restyle the panels on every unit).
    """

    class Picked(Message):
        """The panel was clicked: the screen makes it the active task."""

        def __init__(self, panel: TaskPanel) -> None:
            super().__init__()
            self.panel = panel

    class Changed(Message):
        """The value changed; `advance` asks the screen to move on (a choice was made)."""

        def __init__(self, panel: TaskPanel, advance: bool = False) -> None:
            super().__init__()
            self.panel = panel
            self.advance = advance

    def __init__(self, task: Task, **kwargs: Any) -> None:
        super().__init__(id=f"task-{task.name}", classes="task", **kwargs)
        self.schema_task = task
        self._value: Any = None
        self._keys = {lab.key: lab for lab in task.labels if lab.key}
        self.active = False
        self._look: tuple[Color, Color] | None = None
        # The model's suggestion, as the header shows it ("" none), and the longest one this
        # task could show: the panel's height is kept for that, so a guess never moves the
        # layout (see annotator.tui.guess).
        self.guess = ""
        self.guess_room = ""

    def set_active(self, look: tuple[Color, Color] | None) -> None:
        """Highlight this panel as the one label keys go to, with (background, bar) colours
        from the theme; None: not highlighted (the stylesheet's look)."""
        if look == self._look:
            return
        self._look, self.active = look, look is not None
        if look is None:
            self.styles.clear_rule("background")
            self.styles.clear_rule("border_left")
        else:
            self.styles.background = look[0]
            self.styles.border_left = ("thick", look[1])
        self.refresh()  # span and stance draw their cursor only when active

    def on_mouse_down(self, event: events.MouseDown) -> None:
        self.post_message(self.Picked(self))

    # --- value -------------------------------------------------------------------------
    @property
    def value(self) -> Any:
        return self._value

    def set_value(self, value: Any) -> None:
        """Show a saved value (no Changed message: nothing was chosen)."""
        if value != self._value:
            self._value = value
            self.refresh()  # same text, other styles: the height cannot change

    def change(self, value: Any, *, advance: bool = False) -> bool:
        """Set a chosen value; returns `advance` so the screen can move on at once."""
        self._value = value
        self.refresh()
        self.post_message(self.Changed(self, advance))
        return advance

    def has_value(self) -> bool:
        return self._value not in (None, "", [], {})

    def label_for_key(self, key: str) -> Label | None:
        return self._keys.get(key)

    def press_label(self, label: Label) -> bool:
        """A label key was pressed while this task is active; True: move to the next task."""
        return False

    # --- drawing -----------------------------------------------------------------------
    def show_guess(self, guess: str) -> None:
        """Show the model's suggestion in the header ("" hides it): a repaint, no layout."""
        if guess != self.guess:
            self.guess = guess
            self.refresh()

    def header(self, guess: str | None = None) -> Text:
        t = Text(no_wrap=False)
        t.append(display_text(self.schema_task.name), style="bold")
        if self.schema_task.required:
            t.append(" *", style="bold red" if not self.has_value() else "dim")
        if self.schema_task.prompt:
            t.append("  " + display_text(self.schema_task.prompt), style="italic")
        guess = self.guess if guess is None else guess
        if guess:
            t.append("  " + guess, style="dim italic")
        return t

    def label_chip(self, label: Label, selected: bool, *, mark: str = "") -> Text:
        chip = Text()
        key = f"{label.key} " if label.key else ""
        chip.append(key, style="bold cyan" if not selected else "bold")
        chip.append(mark + display_text(label.text))
        if selected:
            chip.stylize("reverse")
        return chip

    def body(self) -> Text:
        return Text()

    def panel_text(self, guess: str | None = None) -> Text:
        out = self.header(guess)
        out.append("\n")
        out.append_text(self.body())
        return out

    def get_content_height(self, container, viewport, width: int) -> int:
        if self.children:  # free text: a header and an input, laid out as widgets
            return super().get_content_height(container, viewport, width)
        room = self.guess_room or None  # the height the longest guess needs
        return len(cached_lines(self.panel_text(room).plain, max(1, width)))

    def render(self) -> Text:
        # Broken into lines by the CJK-aware rules (Textual's own wrap folds a run of hanzi
        # anywhere, even before a ，); as it is when every line fits, the usual case.
        out = self.panel_text()
        lines = cached_lines(out.plain, max(1, self.content_size.width))
        if len(lines) == out.plain.count("\n") + 1:
            return out
        return Text("\n", no_wrap=True).join(out[a:b] for a, b in lines)
