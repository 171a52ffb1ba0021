"""`annotator import`'s writes to a SQLite store through the sqlite3 module alone.

The import's own process writes while two workers parse, on a machine that may have two
cores: loading SQLAlchemy, SQLModel and the models there costs more CPU (about 0.5 s) than
writing 100,000 units. So in the plain case (see `sqlite_direct`: a SQLite file at the
current revision that can be written, holding the project asked for) the documents and
units go straight to sqlite3, with the values `documents.add_documents` writes (a test holds
the two to the same rows). Anything else gives None, and the command takes the full path,
whose checks and messages are the ones a person should see.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime

from annotator.errors import database_problem
from annotator.store.added import AddResult
from annotator.store.errors import StoreError
from annotator.store.hashes import PreparedDocument
from annotator.store.sqlite_direct import connect_for_writes, find_project, sqlite_path

_EXISTING = (
    "SELECT content_hash FROM document WHERE project_id = ? "
    "AND content_hash IN (SELECT value FROM json_each(?))"
)
_DOCUMENT = (
    "INSERT INTO document (project_id, source_path, url, title, outlet, published, lang, "
    "content_hash, meta, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
# Units go a hundred rows to a statement: SQLite's work per statement (setting up, and a
# statement journal to undo a half-done one) costs a third of the insert at one row each.
_UNIT = "INSERT INTO unit (project_id, document_id, position, kind, text, text_hash) VALUES "
_UNIT_ROW = "(?, ?, ?, ?, ?, ?)"
_UNIT_COLUMNS = 6
_UNITS_PER_STATEMENT = 100
_OUTLETS = "SELECT id, outlet, url FROM document WHERE project_id = ?"
_RENAME = "UPDATE document SET outlet = ? WHERE id IN (SELECT value FROM json_each(?))"

# The page cache while the import runs (the connection is its own, closed at the end): the
# indexes a large import grows stay in memory from one batch to the next.
_CACHE_KIB = 65_536


def stored_time(value: datetime) -> str:
    """A time as SQLAlchemy stores it in a SQLite DATETIME column (the zone left out: the
    store's times are UTC)."""
    return (
        f"{value.year:04d}-{value.month:02d}-{value.day:02d} "
        f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}.{value.microsecond:06d}"
    )


class DirectImport:
    """Batches of prepared documents into one project, each batch in its own transaction."""

    def __init__(self, con: sqlite3.Connection, project_id: int) -> None:
        self._con = con
        self.project_id = project_id

    def add(self, docs: Sequence[PreparedDocument]) -> AddResult:
        """As `documents.add_documents`: the documents not in the project yet (by content
        hash), with their units, in one transaction."""
        result = AddResult()
        hashed: dict[str, PreparedDocument] = {}
        for prepared in docs:
            hashed.setdefault(prepared.content_hash, prepared)
        result.duplicates = len(docs) - len(hashed)
        if not hashed:
            return result
        pid = self.project_id
        with self._transaction() as con:
            existing = {
                h for (h,) in con.execute(_EXISTING, (pid, json.dumps(list(hashed)))).fetchall()
            }
            result.duplicates += len(existing)
            new = [p for h, p in hashed.items() if h not in existing]
            if not new:
                return result
            now = stored_time(datetime.now(UTC))
            cur = con.cursor()
            ids = []
            for p in new:
                doc = p.doc
                published = doc.published
                cur.execute(
                    _DOCUMENT,
                    (
                        pid,
                        doc.source_path,
                        doc.url,
                        doc.title,
                        doc.outlet,
                        None if published is None else stored_time(published),
                        doc.lang,
                        p.content_hash,
                        json.dumps(doc.meta),
                        now,
                    ),
                )
                ids.append(cur.lastrowid)
            values: list[object] = []
            for doc_id, p in zip(ids, new, strict=True):
                for pos, (kind, text, thash) in enumerate(p.units):
                    values += (pid, doc_id, pos, kind, text, thash)
            _insert_units(cur, values)
            cur.close()
        result.documents = len(new)
        result.units = len(values) // _UNIT_COLUMNS
        return result

    def refusal(self, exc: Exception) -> str | None:
        """The store's reason when `exc` is its refusal of these documents (another batch may
        still be stored), else None. A store that cannot be used (locked, full) is a
        `StoreError` by then, raised on: no other file would fare better."""
        if isinstance(exc, sqlite3.Error):
            return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        return None

    def rename_outlets(self, name_of: Callable[[str | None, str | None], str | None]) -> int:
        """As `documents.rename_outlets`, in one transaction."""
        with self._transaction() as con:
            changes: dict[str | None, list[int]] = {}
            for doc_id, outlet, url in con.execute(_OUTLETS, (self.project_id,)):
                name = name_of(outlet, url)
                if name != outlet:
                    changes.setdefault(name, []).append(doc_id)
            for name, ids in changes.items():
                for i in range(0, len(ids), 5_000):
                    con.execute(_RENAME, (name, json.dumps(ids[i : i + 5_000])))
        return sum(len(ids) for ids in changes.values())

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> DirectImport:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (the lock taken at its start, as a writer should in WAL mode),
        committed on success; a store that cannot be used raises `StoreError`, one line."""
        con = self._con
        try:
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
                con.execute("COMMIT")
            finally:
                if con.in_transaction:
                    con.rollback()
        except sqlite3.OperationalError as exc:
            reason = (str(exc).strip().splitlines() or [""])[0]
            raise StoreError(database_problem(reason)) from None


def _insert_units(cur: sqlite3.Cursor, values: list[object]) -> None:
    """The units whose column values follow one another in `values`, in that order."""
    step = _UNIT_COLUMNS * _UNITS_PER_STATEMENT
    whole = len(values) - len(values) % step
    if whole:
        full = _UNIT + ", ".join([_UNIT_ROW] * _UNITS_PER_STATEMENT)
        cur.executemany(full, (values[i : i + step] for i in range(0, whole, step)))
    if whole < len(values):
        rest = (len(values) - whole) // _UNIT_COLUMNS
        cur.execute(_UNIT + ", ".join([_UNIT_ROW] * rest), values[whole:])


def open_import(db: str | None, project: str | None) -> DirectImport | None:
    """The writer for the plain case, or None when the full path must open the store."""
    path = sqlite_path(db)
    if path is None or not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)):
        return None  # a file that cannot be written: the full path says so, in its words
    con = connect_for_writes(path)
    if con is None:
        return None
    try:
        found = find_project(con, project)
        if found is not None:
            con.isolation_level = None  # the writer begins its own transactions
            con.execute(f"PRAGMA cache_size=-{_CACHE_KIB}")
            return DirectImport(con, found.id)
    except sqlite3.Error:
        pass
    con.close()
    return None
