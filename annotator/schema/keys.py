"""The key actions: one table from which everything about keys is derived.

Each action is declared once with its default key(s), what it does and the screens it acts
on. The schema checker refuses a label key that any action keeps (`RESERVED_KEYS`); the UI
builds its bindings, the config file's action names, the footer and the help screen from the
same table (annotator/tui/keymap.py). A user may remap an action in the config file; the
defaults stay reserved, so a schema never depends on one person's keymap.

Keys are spelled as the schema checker spells them: lower-case names ("enter", "shift+tab"),
single characters as themselves ("?", "/").
"""

from __future__ import annotations

from dataclasses import dataclass

ANNOTATE = "annotate"
REVIEW = "review"
BOTH = (ANNOTATE, REVIEW)


@dataclass(frozen=True)
class KeyAction:
    id: str  # the binding id and the name in the config file's [keys] table
    keys: tuple[str, ...]  # default keys
    does: str  # what it does, in the help screen
    short: str = ""  # its name in the footer line; "" keeps it out of the footer
    screens: tuple[str, ...] = (ANNOTATE,)
    remap: bool = True  # may be remapped in the config file


ACTIONS: tuple[KeyAction, ...] = (
    KeyAction("save", ("enter",), "save and go on (review: decide as shown)", "Save", BOTH),
    KeyAction("next_task", ("tab",), "next task", screens=BOTH),
    KeyAction("prev_task", ("shift+tab",), "previous task", screens=BOTH),
    KeyAction("prev_unit", ("left",), "previous unit (span task: previous word)", "Prev", BOTH),
    KeyAction("next_unit", ("right",), "next unit (span task: next word)", "Next", BOTH),
    KeyAction("row_up", ("up",), "previous row (stance target, review: annotator)", screens=BOTH),
    KeyAction("row_down", ("down",), "next row (stance target, review: annotator)", screens=BOTH),
    KeyAction("extend_left", ("shift+left",), "span: extend or shrink the span to the left"),
    KeyAction("extend_right", ("shift+right",), "span: extend or shrink the span to the right"),
    KeyAction("toggle_word", ("space",), "span: mark or unmark the word under the cursor"),
    KeyAction("first_word", ("home",), "span: first word"),
    KeyAction("last_word", ("end",), "span: last word"),
    KeyAction("undo", ("u",), "undo my last save (review: clear this decision)", "Undo", BOTH),
    KeyAction("skip", ("s",), "skip for now (it comes back)", "Skip"),
    KeyAction("flag", ("f",), "flag for the lead, with a comment", "Flag"),
    KeyAction(
        "accept",
        ("=",),
        "take the model's suggestions for the tasks still empty, then save when nothing "
        "required is left (only with suggestions on)",
        "Accept",
    ),
    KeyAction("filter", ("/",), "narrow the review queue", "Filter", (REVIEW,)),
    KeyAction("dashboard", ("ctrl+d",), "dashboard: progress and agreement", "Dash", (REVIEW,)),
    KeyAction("document", ("ctrl+o",), "the article's questions (document tasks)"),
    KeyAction("help", ("?",), "help: keys and guidelines", "Help", BOTH),
    KeyAction("quit", ("q",), "quit", "Quit", BOTH),
    KeyAction("cancel", ("escape",), "cancel (a hint letter, a dialog)", screens=BOTH, remap=False),
    KeyAction(
        "palette",
        ("ctrl+p",),
        "command palette: documents, sentences, stats, theme",
        "Palette",
        BOTH,
        remap=False,
    ),
)
BY_ID: dict[str, KeyAction] = {a.id: a for a in ACTIONS}
# Actions a config file may remap, in table order.
REMAPPABLE: tuple[str, ...] = tuple(a.id for a in ACTIONS if a.remap)

# key -> what the UI does with it (used in the schema checker's messages)
KEY_USES: dict[str, str] = {key: a.id.replace("_", " ") for a in ACTIONS for key in a.keys}
RESERVED_KEYS: frozenset[str] = frozenset(KEY_USES)

# Other spellings of the same keys (Textual names and common aliases).
_ALIASES = {
    "return": "enter",
    "esc": "escape",
    " ": "space",
    "question_mark": "?",
    "slash": "/",
    "backtab": "shift+tab",
    "^p": "ctrl+p",
    "equals_sign": "=",
}


def actions_for(screen: str) -> tuple[KeyAction, ...]:
    return tuple(a for a in ACTIONS if screen in a.screens)


def normalise_key(key: str) -> str:
    """The canonical spelling of a key: lower-case names, aliases folded; single characters kept."""
    if len(key) == 1:
        return _ALIASES.get(key, key)
    lowered = key.lower()
    return _ALIASES.get(lowered, lowered)


def is_reserved(key: str) -> bool:
    return normalise_key(key) in RESERVED_KEYS
