"""A start's first look at the store, through the sqlite3 module alone, in a thread begun as
`annotate` starts: the project and its schema, the cold start's queue floor (`queue_direct`),
then the unit the session will most likely open with, read as the screen draws it. The
screen draws that unit while SQLAlchemy, SQLModel and the models load (about 0.3 s of a
start), then the session takes over.

The look is a view, never a claim: nothing is written or held here. The session, once
loaded, finds and holds its first unit as it always has and draws it; the two differ only
when someone took the unit in between, or a change since my remembered position reopened
an earlier one, and then the session's unit replaces it. There is no look where the
session would open with something other than its queue's first open unit (a project with
check items) or where this cannot answer (PostgreSQL, a store to upgrade, an unknown
project, a locked file): the start is then as it was.

The thread imports nothing (a module the main thread is importing meanwhile would reach it
half-initialised): the schema's YAML is parsed by whoever asks for `opening()`, and the
overlap the look needs is read from the YAML as the cold floor reads it.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from annotator.store.queue_direct import (
    ColdFloor,
    annotator_id,
    guess_overlap,
    remembered_floor,
    scan_floor,
)
from annotator.store.queue_sql import SQLITE_HINT, next_for_me
from annotator.store.sqlite_direct import (
    ProjectRow,
    connect_current,
    find_project,
    parse_version,
    schema_version_text,
    sqlite_path,
)
from annotator.store.views import (
    CONTEXT_SQL,
    MAX_CONTEXT,
    UNIT_SQL,
    UnitView,
    context_params,
    unit_view,
)

if TYPE_CHECKING:
    from annotator.schema.model import Schema


@dataclass(frozen=True)
class Opening:
    """The project as the session will find it (its schema parsed as the store parses it)."""

    project_id: int
    project_name: str
    schema_version_id: int
    schema: Schema
    folder: Path  # the store's folder, where a project's relative paths start


@dataclass(frozen=True)
class _Stored:
    project: ProjectRow
    version_id: int
    version_name: str
    yaml_text: str
    folder: Path


def first_look(
    con: sqlite3.Connection, project_id: int, me: int, overlap: int, after: int
) -> UnitView | None:
    """The first unit open for me and free after unit `after` (my floor: the cold one found,
    else the remembered one as it was saved), with as much context as a screen reads."""
    checks = con.execute("SELECT 1 FROM checkitem WHERE project_id = ? LIMIT 1", (project_id,))
    if checks.fetchone():
        return None  # a check may come first: the queue decides
    query = next_for_me(overlap_1=overlap == 1, free=True, hint=SQLITE_HINT)
    now = int(time.time() * 1000)  # as leases.now_ms
    params = {"p": project_id, "me": me, "overlap": overlap, "after": after, "now": now}
    found = con.execute(query, params).fetchone()
    if found is None:
        return None  # skipped units, or nothing: the session says which
    unit = con.execute(UNIT_SQL, {"uid": found[0]}).fetchone()
    around = context_params(unit, MAX_CONTEXT, MAX_CONTEXT)  # the screen keeps what it reads
    return unit_view(unit, con.execute(CONTEXT_SQL, around).fetchall())


class StartScan:
    """In a thread begun at once, one read transaction: the project and its schema's text
    (`opening()` waits for them alone), then the cold floor (`floor()`) and the first look
    (`look()`). Never raises: all of it only makes a start faster, and None sends the start
    the usual way."""

    def __init__(self, db: str | None, project: str | None, annotator: str) -> None:
        self._stored: _Stored | None = None
        self._opening: Opening | None = None
        self._floor: ColdFloor | None = None
        self._look: UnitView | None = None
        self._opened = threading.Event()
        self._done = threading.Event()
        name = annotator.strip()

        def run() -> None:
            try:
                path = sqlite_path(db)
                con = connect_current(path) if path is not None else None
                if path is None or con is None:
                    return
                try:
                    with con:  # the floor and the look see the same store
                        con.execute("BEGIN")
                        stored = self._stored = _read_project(con, project, path)
                        self._opened.set()
                        if stored is not None:
                            self._scan(con, stored, name)
                finally:
                    con.close()
            except Exception:
                pass
            finally:
                self._opened.set()
                self._done.set()

        threading.Thread(target=run, name="start-scan", daemon=True).start()

    def _scan(self, con: sqlite3.Connection, stored: _Stored, name: str) -> None:
        pid, overlap = stored.project.id, guess_overlap(stored.yaml_text)
        me = annotator_id(con, name)
        remembered = remembered_floor(con, pid, me, overlap)
        if remembered is None:  # a cold start: the floor the session checks and starts from
            self._floor = scan_floor(con, pid, me, overlap)
        after = self._floor.floor if self._floor is not None else remembered or 0
        self._look = first_look(con, pid, me, overlap, after)

    def opening(self) -> Opening | None:
        """The project and its parsed schema (None: the usual start says what is wrong)."""
        self._opened.wait()
        stored = self._stored
        if self._opening is None and stored is not None:
            version = stored.version_id
            schema = parse_version(version, stored.version_name, stored.yaml_text)
            if schema is not None:
                project = stored.project
                self._opening = Opening(project.id, project.name, version, schema, stored.folder)
        return self._opening

    def floor(self) -> ColdFloor | None:
        self._done.wait()
        return self._floor

    def look(self) -> UnitView | None:
        self._done.wait()
        return self._look


def _read_project(con: sqlite3.Connection, name: str | None, path: Path) -> _Stored | None:
    project = find_project(con, name)
    version = project.schema_version_id if project is not None else None
    stored = schema_version_text(con, version) if version is not None else None
    if project is None or version is None or stored is None:
        return None  # none, or several, or no schema yet: the full path says which
    return _Stored(project, version, stored[0], stored[1], path.expanduser().resolve().parent)
