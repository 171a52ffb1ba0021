"""The user config file: the last annotator name, key remapping, theme.

``$ANNOTATOR_CONFIG`` or ``$XDG_CONFIG_HOME/annotator/config.toml`` (default
``~/.config/annotator/config.toml``)::

    annotator = "alice"
    theme = "textual-dark"

    [keys]            # action = "key[,key]"; the actions are the remappable ones of
    skip = "k"        # the table in annotator/schema/keys.py (the help screen lists them)
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from annotator.schema.keys import REMAPPABLE

ACTIONS = REMAPPABLE  # the names a [keys] table may use


@dataclass
class UserConfig:
    annotator: str | None = None
    theme: str | None = None
    keys: dict[str, str] = field(default_factory=dict)  # action -> key(s)
    path: Path | None = None
    problem: str | None = None  # a broken file is reported, never fatal


def config_path() -> Path:
    if env := os.environ.get("ANNOTATOR_CONFIG"):
        return Path(env).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "annotator" / "config.toml"


def load_config(path: Path | None = None) -> UserConfig:
    path = path or config_path()
    config = UserConfig(path=path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return config
    # ValueError: a number too long to read; RecursionError: arrays nested past the stack.
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        config.problem = f"{path}: ignored ({exc})"
        return config
    name = data.get("annotator")
    config.annotator = name if isinstance(name, str) and name.strip() else None
    theme = data.get("theme")
    config.theme = theme if isinstance(theme, str) else None
    keys = data.get("keys", {})
    if isinstance(keys, dict):
        unknown = sorted(set(keys) - set(ACTIONS))
        if unknown:
            config.problem = f"{path}: unknown key actions {', '.join(unknown)} (ignored)"
        config.keys = {a: str(k) for a, k in keys.items() if a in ACTIONS and isinstance(k, str)}
    return config


def _toml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def save_config(config: UserConfig) -> None:
    """Write the config back (small and flat, so we write the TOML ourselves)."""
    path = config.path or config_path()
    lines = []
    if config.annotator:
        lines.append(f"annotator = {_toml_str(config.annotator)}")
    if config.theme:
        lines.append(f"theme = {_toml_str(config.theme)}")
    if config.keys:
        lines += ["", "[keys]"]
        lines += [f"{action} = {_toml_str(key)}" for action, key in sorted(config.keys.items())]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.replace(path)
