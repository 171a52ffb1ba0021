"""Bindings, footer hints and the help table, all read from the action table in
annotator/schema/keys.py and the user's remapping (the config file's ``[keys]``).

A screen says which of its methods carries out each action (`methods`); the table says the
keys and words. A binding's id is the action's id, so Textual's keymap applies the config
file's remapping directly.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from rich.table import Table
from rich.text import Text
from textual.app import App
from textual.binding import Binding, BindingType
from textual.keys import _character_to_key

from annotator.schema.keys import BY_ID, actions_for, normalise_key

# Actions no screen binding carries out: the app's palette binding, Textual's escape.
ELSEWHERE = frozenset({"palette", "cancel"})


def textual_key(key: str) -> str:
    """A key as Textual names it in a binding ("?" -> "question_mark")."""
    return _character_to_key(key) if len(key) == 1 else key


def bindings(screen: str, methods: Mapping[str, str]) -> list[BindingType]:
    """Priority bindings for every action of `screen`, each to its method."""
    out: list[BindingType] = []
    for action in actions_for(screen):
        if action.id in ELSEWHERE:
            continue
        keys = ",".join(textual_key(k) for k in action.keys)
        out.append(
            Binding(
                keys,
                methods[action.id],
                action.short,
                show=bool(action.short),
                id=action.id,
                priority=True,
            )
        )
    return out


def missing_methods(screen: str, methods: Mapping[str, str]) -> set[str]:
    """Actions of `screen` that no method carries out (a test keeps this empty)."""
    wanted = {a.id for a in actions_for(screen)} - ELSEWHERE
    return wanted ^ set(methods)


def user_keymap(overrides: Mapping[str, str]) -> dict[str, str]:
    """The config file's ``action = "key[,key]"`` as Textual's keymap (binding id -> keys)."""
    out = {}
    for action, keys in overrides.items():
        if action in BY_ID and BY_ID[action].remap:
            names = [textual_key(normalise_key(k.strip())) for k in keys.split(",") if k.strip()]
            if names:
                out[action] = ",".join(names)
    return out


def keys_of(action: str, overrides: Mapping[str, str]) -> list[str]:
    """The Textual key names `action` answers to now (remapped or default)."""
    mapped = user_keymap({action: overrides[action]}) if action in overrides else {}
    if action in mapped:
        return mapped[action].split(",")
    return [textual_key(k) for k in BY_ID[action].keys]


def shown(app: App, key: str) -> str:
    """A key as the footer shows it (Textual's way: ⏎, ^p, ←)."""
    return app.get_key_display(Binding(key, ""))


def hints(app: App, screen: str, overrides: Mapping[str, str]) -> list[tuple[str, str]]:
    """(key, name) for the footer line: the actions with a short name, as remapped."""
    return [
        (shown(app, keys_of(a.id, overrides)[0]), a.short) for a in actions_for(screen) if a.short
    ]


def hints_of(app: App, action: str, overrides: Mapping[str, str]) -> tuple[str, str]:
    """(key, name) of one action in the footer line."""
    return (shown(app, keys_of(action, overrides)[0]), BY_ID[action].short)


def help_table(
    app: App, screen: str, overrides: Mapping[str, str], hidden: Collection[str] = ()
) -> Table:
    """Every action of `screen` but the `hidden` ones (off for this schema): its keys (as
    remapped) and what it does."""
    table = Table(show_header=True, header_style="bold", box=None, padding=(0, 2, 0, 0))
    table.add_column("key", no_wrap=True)
    table.add_column("does")
    for action in actions_for(screen):
        if action.id in hidden:
            continue
        keys = " ".join(shown(app, k) for k in keys_of(action.id, overrides))
        table.add_row(keys, Text(action.does))
    return table
