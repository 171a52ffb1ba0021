"""A current SQLite store opened through the sqlite3 module alone, for the commands that
read it (`status`, `export`) and for `labels import`, which writes.

Loading SQLAlchemy, SQLModel and the models costs more than many reads themselves (about
0.3 s on this machine), so the plain case is served here: a SQLite file, at the current
revision, holding the project asked for. Anything else (PostgreSQL, a URL with options, a
store to upgrade, an unknown project, a file that cannot be opened read-only) gives None,
and the command takes the full path, whose checks and messages are the ones a person
should see.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotator.store.errors import StoreError, database_unusable
from annotator.store.revision import HEAD

if TYPE_CHECKING:
    from annotator.schema.model import Schema

# Which store a command means; here, not in engine.py, which loads SQLAlchemy.
DB_ENV = "ANNOTATOR_DB"
DEFAULT_DB_FILE = "annotator.db"
# Every connection that may write (the engine factory's and `connect_for_writes`').
WRITE_PRAGMAS = ("journal_mode=WAL", "foreign_keys=ON", "busy_timeout=5000", "synchronous=NORMAL")


def db_given(db: str | None) -> str:
    """`--db` beats `ANNOTATOR_DB` beats ./annotator.db."""
    return db or os.environ.get(DB_ENV) or DEFAULT_DB_FILE


@dataclass(frozen=True)
class ProjectRow:
    id: int
    name: str
    schema_version_id: int | None


def sqlite_path(db: str | None) -> Path | None:
    """The file a plain SQLite `db` names (a path, or sqlite:/// and a path with nothing
    that would need URL decoding), else None."""
    value = db_given(db)
    if "://" in value:
        if not value.startswith("sqlite:///") or any(c in value for c in "%?#"):
            return None
        value = value.removeprefix("sqlite:///")
        if not value or value == ":memory:":
            return None
    return Path(value).expanduser()


def connect_current(path: Path) -> sqlite3.Connection | None:
    """A read-only connection to a current annotator store at `path`, else None."""
    if not path.is_file():
        return None
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        con.execute("PRAGMA busy_timeout=5000")  # as the engine factory's connections
        known = con.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        ).fetchone()
        if known and con.execute("SELECT version_num FROM alembic_version").fetchone() == (HEAD,):
            return con
    except sqlite3.Error:
        pass
    con.close()
    return None


def connect_for_writes(path: Path) -> sqlite3.Connection | None:
    """A connection to a current annotator store at `path` that may write, set up as the
    engine factory sets up its connections, else None."""
    if not path.is_file():
        return None
    try:
        con = sqlite3.connect(path, check_same_thread=False)
    except sqlite3.Error:
        return None
    try:
        con.execute("PRAGMA busy_timeout=5000")
        known = con.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        ).fetchone()
        if known and con.execute("SELECT version_num FROM alembic_version").fetchone() == (HEAD,):
            for pragma in WRITE_PRAGMAS:
                con.execute(f"PRAGMA {pragma}")
            return con
    except sqlite3.Error:
        pass
    con.close()
    return None


@contextmanager
def as_store_error(statement: str) -> Iterator[None]:
    """sqlite3's errors as the one line the engine path gives for SQLAlchemy's ("database is
    locked"); the statement and its parameters (people's labels) are not shown."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        raise database_unusable(exc) from exc
    except sqlite3.Error as exc:
        first = (str(exc).splitlines() or [""])[0]
        raise StoreError(f"database: {type(exc).__name__}: {first}") from exc


def find_project(con: Any, name: str | None, mark: str = "?") -> ProjectRow | None:
    """The project `name` (the only one when None); None when there is none, or several:
    the full path says which. `con`: sqlite3's, or psycopg's with `mark` "%s"."""
    which = f"WHERE name = {mark}" if name is not None else "ORDER BY id"
    found = con.execute(
        f"SELECT id, name, schema_version_id FROM project {which}", () if name is None else (name,)
    ).fetchall()
    return ProjectRow(*found[0]) if len(found) == 1 else None


def schema_version_text(con: Any, version_id: int, mark: str = "?") -> tuple[str, str] | None:
    """A stored schema version's (name, YAML text); `con` and `mark` as for `find_project`."""
    row = con.execute(
        f"SELECT name, yaml_text FROM schemaversion WHERE id = {mark}", (version_id,)
    ).fetchone()
    return (row[0], row[1]) if row else None


def stored_schema(con: sqlite3.Connection, project: ProjectRow) -> Schema | None:
    """The project's current schema, parsed as ``schema_versions.schema_of_version`` parses
    it; None where the full path must say what is wrong (no schema yet, a stored version that
    no longer validates, a row that cannot be read)."""
    if project.schema_version_id is None:
        return None
    try:
        stored = schema_version_text(con, project.schema_version_id)
    except sqlite3.Error:
        return None
    return parse_version(project.schema_version_id, *stored) if stored is not None else None


def parse_version(version_id: int, name: str, text: str) -> Schema | None:
    """A stored schema version's YAML, parsed (None: it no longer validates)."""
    from annotator.schema.errors import SchemaError
    from annotator.schema.loader import parse_schema

    try:
        return parse_schema(text, f"<schema version {version_id} {name}>")
    except SchemaError:
        return None


def open_project_direct(
    db: str | None, name: str | None
) -> tuple[sqlite3.Connection, ProjectRow] | None:
    """A read-only connection and the project, in the plain case; else None."""
    path = sqlite_path(db)
    con = connect_current(path) if path is not None else None
    if con is None:
        return None
    try:
        project = find_project(con, name)
    except sqlite3.Error:
        project = None
    if project is None:
        con.close()
        return None
    return con, project
