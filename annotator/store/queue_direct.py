"""A cold start's queue floor, found through the sqlite3 module alone while the app loads
(by `first_look.StartScan`, in the read transaction it looks in).

Without a remembered position (see `positions`), the first next-unit query scans a large
project from its first unit: 0.3 s at 1,000,000 units when most of them are closed. Here
that scan starts as the command does, in a thread, before SQLAlchemy, SQLModel and Textual
load (0.4 s and more of Python holding its lock; SQLite scans without it). What it finds is
used as a remembered position is: a floor (every unit of the project up to it is closed for
me) and the audit event mark it was proved at, checked against every change since
(`queue.checked_floor`) before the queue starts from it, at the overlap it was proved at only.

Closed here means labelled: by me (any status), or done by as many annotators as the
overlap asks. Assignments are left out (a unit in another's document counts as open), so an
assignment made since cannot have moved a unit below the floor; the queue's own query takes
them into account from the floor on. Anything unusual (PostgreSQL, a store to upgrade, an
unknown project, a locked file) gives no floor, and the queue scans as it always has.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from annotator.store.queue_sql import SQLITE_HINT, first_unit, open_, open_1

# The queue's first open unit (`queue_sql`) without the assignment condition; on SQLite with
# the same covering index. From the first unit: :after 0.
_FIRST_OPEN_1 = first_unit(open_1(SQLITE_HINT))
_FIRST_OPEN = first_unit(open_())
# The schema's overlap, read from its YAML without a YAML parser (which would hold the lock
# the main thread imports with). A guess: the floor is used only at the overlap the schema,
# properly loaded, has.
_OVERLAP = re.compile(r"^overlap:[ \t]*(\d+)[ \t]*(?:#.*)?$", re.MULTILINE)


@dataclass(frozen=True)
class ColdFloor:
    floor: int  # every unit of the project up to this id is closed for me
    mark: int  # the newest audit event when it was proved
    overlap: int  # the overlap it was proved at


def guess_overlap(yaml_text: str | None) -> int:
    overlaps = _OVERLAP.findall(yaml_text or "")
    return int(overlaps[0]) if len(overlaps) == 1 else 1


def annotator_id(con: sqlite3.Connection, name: str) -> int:
    """The annotator's id (-1 for a name new to the store: no labels of mine yet)."""
    row = con.execute("SELECT id FROM annotator WHERE name = ?", (name,)).fetchone()
    return row[0] if row else -1


def remembered_floor(con: sqlite3.Connection, project_id: int, me: int, overlap: int) -> int | None:
    """My queue position as an earlier session saved it (unchecked), at this overlap."""
    row = con.execute(
        "SELECT floor FROM queueposition WHERE project_id = ? AND annotator_id = ? AND overlap = ?",
        (project_id, me, overlap),
    ).fetchone()
    return row[0] if row else None


def scan_floor(con: sqlite3.Connection, project_id: int, me: int, overlap: int) -> ColdFloor:
    """The scan for the first unit open for me, in a read transaction open on `con`."""
    mark = con.execute("SELECT coalesce(max(id), 0) FROM annotationevent").fetchone()[0]
    params = {"p": project_id, "me": me, "overlap": overlap, "after": 0}
    first = con.execute(_FIRST_OPEN_1 if overlap == 1 else _FIRST_OPEN, params).fetchone()
    if first is None:
        last = con.execute("SELECT max(id) FROM unit WHERE project_id = ?", (project_id,))
        return ColdFloor(floor=last.fetchone()[0] or 0, mark=mark, overlap=overlap)
    return ColdFloor(floor=first[0] - 1, mark=mark, overlap=overlap)
