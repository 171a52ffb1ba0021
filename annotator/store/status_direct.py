"""`annotator status` on a SQLite store through the sqlite3 module alone.

Loading SQLAlchemy, SQLModel and the models takes longer than the counts themselves (about
0.3 s of a 0.55 s `status` on a quiet machine), so the plain case (see `sqlite_direct`) is
read here. The queries are those of `stats` and `assignments`, written out. Anything else
gives None, and the command takes the full path, whose checks and messages are the ones a
person should see.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from typing import Any

from annotator.store.sqlite_direct import connect_current, find_project, sqlite_path
from annotator.store.status_figures import TeamRow, TeamStatus


@dataclass
class StatusFigures:
    project: str
    schema: tuple[str, str] | None  # name, content hash
    counts: dict[str, Any]  # as stats.project_summary
    team: TeamStatus


def read_status(db: str | None, project: str | None) -> StatusFigures | None:
    """What `annotator status` shows, or None when the full path must answer."""
    path = sqlite_path(db)
    con = connect_current(path) if path is not None else None
    if con is None:
        return None
    try:
        with con:  # one read transaction: every count from the same snapshot
            con.execute("BEGIN")
            return _figures(con, project)
    except sqlite3.Error:
        return None
    finally:
        con.close()


def _figures(con: sqlite3.Connection, name: str | None) -> StatusFigures | None:
    found = find_project(con, name)
    if found is None:
        return None  # none, or several: the full path says which
    pid, project, version_id = found.id, found.name, found.schema_version_id
    schema = None
    if version_id:
        schema = con.execute(
            "SELECT name, content_hash FROM schemaversion WHERE id = ?", (version_id,)
        ).fetchone()
    one = con.execute
    documents = one("SELECT count(*) FROM document WHERE project_id = ?", (pid,)).fetchone()[0]
    units = one("SELECT count(*) FROM unit WHERE project_id = ?", (pid,)).fetchone()[0]
    labelled = one(
        "SELECT a.annotator_id, a.status, count(*) FROM annotation a "
        "JOIN unit u ON u.id = a.unit_id WHERE u.project_id = ? "
        "GROUP BY a.annotator_id, a.status",
        (pid,),
    ).fetchall()
    held = {
        aid: (docs, int(n or 0))
        for aid, docs, n in one(
            "SELECT h.annotator_id, count(*), "
            "sum((SELECT count(*) FROM unit WHERE unit.document_id = h.document_id)) "
            "FROM (SELECT document_id, annotator_id FROM assignment WHERE project_id = ?) h "
            "GROUP BY h.annotator_id",
            (pid,),
        )
    }
    leased = dict(
        one(
            "SELECT annotator_id, count(*) FROM lease WHERE project_id = ? AND expires_ms > ? "
            "GROUP BY annotator_id",
            (pid, int(time.time() * 1000)),
        ).fetchall()
    )
    ids = {aid for aid, _, _ in labelled} | set(held) | set(leased)
    names = _names(con, ids)

    per_annotator: dict[str, dict[str, int]] = {}
    for aid, status, count in sorted(labelled, key=lambda row: names[row[0]]):
        per_annotator.setdefault(names[aid], {"done": 0, "skipped": 0, "flagged": 0})[status] = (
            count
        )
    team = TeamStatus()
    for aid in sorted(set(held) | set(leased), key=names.__getitem__):
        docs, n = held.get(aid, (0, 0))
        team.annotators[names[aid]] = TeamRow(docs, n, leased.get(aid, 0))
    if one("SELECT id FROM assignment WHERE project_id = ? LIMIT 1", (pid,)).fetchone():
        team.pool_documents, pool_units = one(
            "SELECT count(*), coalesce(sum((SELECT count(*) FROM unit "
            "WHERE unit.document_id = d.id)), 0) FROM document d WHERE d.project_id = ? "
            "AND NOT EXISTS (SELECT 1 FROM assignment s WHERE s.document_id = d.id)",
            (pid,),
        ).fetchone()
        team.pool_units = int(pool_units)
    else:
        team.pool_documents, team.pool_units = documents, units
    counts = {"documents": documents, "units": units, "annotators": per_annotator}
    return StatusFigures(project, tuple(schema) if schema else None, counts, team)


def _names(con: sqlite3.Connection, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    marks = ", ".join("?" * len(ids))
    sql = f"SELECT id, name FROM annotator WHERE id IN ({marks})"
    return dict(con.execute(sql, sorted(ids)).fetchall())
