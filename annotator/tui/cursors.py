"""Where my sequential queue stood when I last stopped, so reopening starts there at once.

A cursor is a floor (every unit up to it was closed for me) and the audit event mark it is
valid at; the store checks the events since the mark before the floor is trusted (see
``annotations.checked_floor``). Losing this file only costs one slower start.

``$XDG_CACHE_HOME/annotator/cursors.json`` (default ``~/.cache/annotator/cursors.json``).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

_MAX_ENTRIES = 200  # one per store, project and annotator; the oldest are dropped


def cursors_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "annotator" / "cursors.json"


@dataclass(frozen=True)
class Cursor:
    floor: int
    mark: int


def _read(path: Path) -> dict[str, list[int]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def load_cursor(path: Path, key: str) -> Cursor | None:
    entry = _read(path).get(key)
    if (
        isinstance(entry, list)
        and len(entry) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in entry)
    ):
        return Cursor(floor=entry[0], mark=entry[1])
    return None


def save_cursor(path: Path, key: str, cursor: Cursor) -> None:
    """Write atomically (a kill mid-write leaves the old file); errors are the caller's."""
    data = _read(path)
    data.pop(key, None)
    data[key] = [cursor.floor, cursor.mark]
    while len(data) > _MAX_ENTRIES:
        data.pop(next(iter(data)))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    tmp.replace(path)
