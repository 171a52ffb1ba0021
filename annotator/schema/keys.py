"""Keys the annotation UI keeps for itself; a schema may not give them to a label.

The UI imports ``RESERVED_KEYS`` from here so the two never drift apart.
"""

from __future__ import annotations

# key -> what the UI does with it (used in messages)
KEY_USES: dict[str, str] = {
    "enter": "save and next",
    "tab": "next task",
    "shift+tab": "previous task",
    "left": "previous unit",
    "right": "next unit",
    "u": "undo",
    "s": "skip",
    "f": "flag",
    "q": "quit",
    "?": "help",
    "space": "toggle a word in span tasks",
    "escape": "cancel",
    "ctrl+p": "command palette",
    "ctrl+d": "the article's questions (document tasks)",
}
RESERVED_KEYS: frozenset[str] = frozenset(KEY_USES)

# Other spellings of the same keys (Textual names and common aliases).
_ALIASES = {
    "return": "enter",
    "esc": "escape",
    " ": "space",
    "question_mark": "?",
    "backtab": "shift+tab",
    "^p": "ctrl+p",
}


def normalise_key(key: str) -> str:
    """The canonical spelling of a key: lower-case names, aliases folded; single characters kept."""
    if len(key) == 1:
        return _ALIASES.get(key, key)
    lowered = key.lower()
    return _ALIASES.get(lowered, lowered)


def is_reserved(key: str) -> bool:
    return normalise_key(key) in RESERVED_KEYS
