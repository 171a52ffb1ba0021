"""`annotator labels import`: labels made elsewhere (or our own jsonl export) into a project.

Records (JSONL or CSV, see `read`) name a unit by id or exact text (or, for the schema's
document tasks, a document: see `documents`); a text not in the project becomes a new unit,
under one document per source (the record's document URL or title, else the file). Every
value is checked against the project's current schema (see `check`): a bad record gets one
line and the rest are imported. Records are stored in batches (see `store.label_writes`),
one transaction each. Importing the same file twice changes nothing: unchanged annotations
are left alone and write no audit event.
"""

from __future__ import annotations

import gc
import getpass
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

from annotator.errors import UserError, one_line
from annotator.heap import heap_left_alone
from annotator.labels.check import ValueChecker, check_annotator, check_values
from annotator.labels.model import BadRecord, Columns, ImportReport, LabelRecord
from annotator.labels.read import babe_columns, read_records, record_from
from annotator.schema.model import Schema
from annotator.schema.values import STATUSES
from annotator.store import postgres_direct
from annotator.store.label_db import LabelDb
from annotator.store.label_writes import Checked, LabelWriter
from annotator.store.sqlite_direct import (
    as_store_error,
    connect_for_writes,
    find_project,
    parse_version,
    schema_version_text,
    sqlite_path,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from annotator.labels.documents import DocumentAnswers
    from annotator.store.models import Project

__all__ = [
    "BadRecord",
    "Columns",
    "ImportReport",
    "LabelRecord",
    "babe_columns",
    "check_values",
    "import_labels",
    "import_labels_direct",
    "read_records",
]

BATCH = 2_000  # records per transaction


def importing_user() -> str:
    """Who runs this import, for the audit trail when no `--as` name is given."""
    try:
        return getpass.getuser()[:200] or "unknown"
    except (OSError, KeyError, ImportError):  # no login name in some containers
        return "unknown"


def import_labels(
    engine: Engine,
    project: Project,
    path: Path,
    cols: Columns | None = None,
    *,
    actor: str | None = None,
) -> ImportReport:
    """Import the labels in `path` into `project`; see the module docstring. Every audit
    event names `actor` (default: the user running it) and the file."""
    from sqlmodel import Session

    from annotator.labels.documents import DocumentAnswers
    from annotator.store.schema_versions import current_schema

    path = _existing(path)
    cols = cols or Columns()
    who = (actor or importing_user())[:200]
    # One connection for the whole import, each batch's transaction on it: a session on
    # the engine would hand its connection back to the pool at every commit and take it
    # again (a round trip to ping it, on PostgreSQL) for the next batch.
    with (
        engine.connect() as connection,
        Session(connection, expire_on_commit=False) as session,
        ExitStack() as stack,
    ):
        schema = current_schema(session, project)
        version_id = project.schema_version_id
        assert project.id is not None and version_id is not None
        db = LabelDb.of_session(session)
        articles = DocumentAnswers(
            session, project.id, version_id, schema, cols, actor=who, source=str(path.resolve())
        )
        # PostgreSQL: each batch is planned on a second connection while the one before is
        # written (the server's work, most of an import's time). Not with document tasks:
        # their answers are written on the session as they come.
        reads = None
        if db.postgres and not schema.document_tasks:
            reads = stack.enter_context(LabelDb.second_connection(engine))
        return _import(
            db, session.commit, project.id, version_id, schema, path, cols, who, articles, reads
        )


def import_labels_direct(
    db: str | None,
    project: str | None,
    path: Path,
    cols: Columns | None = None,
    *,
    actor: str | None = None,
) -> ImportReport | None:
    """`import_labels` into a current store through its driver alone (`db` and `project`
    as the command line gives them): a SQLite file through sqlite3, a PostgreSQL URL through
    psycopg. None when the store is not that plain case: another database or URL, a store
    to upgrade, a project not found or not named when it must be, a schema with document
    tasks (their answers are stored through the models). The full path then says what a
    person needs to hear."""
    path = _existing(path)
    with ExitStack() as stack:
        opened = _open_direct(db, stack)
        if opened is None:
            return None
        writes, reads, driver_error = opened
        con = writes.con
        schema, row, version_id, stored = None, None, None, None
        mark = "%s" if writes.postgres else "?"
        try:
            row = find_project(con, project, mark)
            version_id = row.schema_version_id if row is not None else None
            stored = schema_version_text(con, version_id, mark) if version_id else None
        except driver_error:
            stored = None
        if stored is not None and version_id is not None:
            schema = parse_version(version_id, *stored)
        if schema is None or row is None or version_id is None or schema.document_tasks:
            return None

        def commit() -> None:
            with writes.guard("COMMIT"):
                con.commit()

        who = (actor or importing_user())[:200]
        cols = cols or Columns()
        return _import(writes, commit, row.id, version_id, schema, path, cols, who, None, reads)
    return None  # (not reached: mypy cannot tell that ExitStack passes exceptions on)


def _open_direct(
    db: str | None, stack: ExitStack
) -> tuple[LabelDb, LabelDb | None, type[Exception]] | None:
    """The connection to write with, the one to look up on (PostgreSQL: see `LabelWriter`)
    and the driver's error class, for a current store `db` names; closed with `stack`."""
    file = sqlite_path(db)
    if file is not None:
        import sqlite3

        lite = connect_for_writes(file)
        if lite is None:
            return None
        stack.callback(lite.close)
        return LabelDb(lambda: lite, postgres=False, guard=as_store_error), None, sqlite3.Error
    info = postgres_direct.conninfo(db)
    if info is None:
        return None
    import psycopg

    con = postgres_direct.connect(info)
    if con is None:
        return None
    stack.callback(con.close)
    if not postgres_direct.is_current(con):
        return None
    lookups = postgres_direct.connect(info, autocommit=True)  # (each lookup on its own)
    if lookups is None:
        return None
    stack.callback(lookups.close)
    guard = postgres_direct.as_store_error
    return (
        LabelDb(lambda: con, postgres=True, guard=guard),
        LabelDb(lambda: lookups, postgres=True, guard=guard),
        psycopg.Error,
    )


def _existing(path: Path) -> Path:
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    return path


def _import(
    db: LabelDb,
    commit: Callable[[], None],
    project_id: int,
    version_id: int,
    schema: Schema,
    path: Path,
    cols: Columns,
    actor: str,
    articles: DocumentAnswers | None,
    reads: LabelDb | None = None,
) -> ImportReport:
    """The import itself, on either path: records read, checked and stored a batch (one
    transaction) at a time; document answers go to `articles`; lookups to `reads` if given
    (see `LabelWriter`)."""
    report = ImportReport()
    writer = LabelWriter(
        db,
        project_id,
        version_id,
        path.name,
        actor=actor,
        event_source=str(path.resolve()),
        reads=reads,
    )
    checker = ValueChecker(schema, cols)
    with heap_left_alone(by_hand=True), _Behind(quick=writer.ahead) as behind:
        writer.keep_statistics()
        batch: list[tuple[str, LabelRecord | str]] = []
        for item in _records(path, cols, schema):
            if isinstance(item[1], LabelRecord) and item[1].scope == "document":
                assert articles is not None  # (no document tasks: no such record)
                behind.wait()  # (the connection is the writer thread's until then)
                articles.add(item[0], item[1], report)  # an article's answers, no sentence
                continue
            # A full batch ends where the next record is for another unit or annotator, so
            # a record per task stays with its siblings (they make one annotation).
            if len(batch) >= BATCH and not _same_target(batch[-1][1], item[1]):
                _store_batch(batch, checker, writer, report, behind, commit)
                batch = []
            batch.append(item)
        _store_batch(batch, checker, writer, report, behind, commit, last=True)
    report.units_created = writer.units_created
    report.documents_created = writer.documents_created
    return report


def _store_batch(
    batch: list[tuple[str, LabelRecord | str]],
    checker: ValueChecker,
    writer: LabelWriter,
    report: ImportReport,
    behind: _Behind,
    commit: Callable[[], None],
    *,
    last: bool = False,
) -> None:
    """One batch: its last writes and its commit run behind, while the next batch is read
    (and, when the writer looks up on a connection of its own, planned)."""
    if not writer.ahead:
        behind.wait()  # (the lookups need the connection, and the batch before's rows)
    last_writes = _import_batch(batch, checker, writer, report)

    def finish() -> None:
        last_writes()
        commit()
        if not last:
            writer.keep_statistics()  # (PostgreSQL, for the next batch's lookups)

    behind.run(finish)  # (once the batch before is committed)
    # No automatic passes while the import runs (heap_left_alone): one here, while the
    # database writes (without Python's lock), not before.
    gc.collect()


class _Behind:
    """One thread that runs a batch's last writes and commit while the main thread reads
    the next batch (the database works with Python's lock released). Only one runs at a
    time, and the main thread waits for it before it uses the connection again; its error
    is raised there. Leaving the block waits for it too.

    `quick`: while the block runs, Python hands its lock over after 0.5 ms rather than 5.
    When the main thread plans a batch while this one writes (PostgreSQL), every answer
    from the server (about ten a batch) finds the main thread holding the lock, and the
    server sat idle until it let go: 0.7 s of 4.3 at 100,000 records."""

    QUICK_SWITCH = 0.0005  # seconds (Python's default: 0.005)

    def __init__(self, *, quick: bool = False) -> None:
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._quick = quick
        self._switch = sys.getswitchinterval()

    def run(self, job: Callable[[], None]) -> None:
        self.wait()

        def work() -> None:
            try:
                job()
            except BaseException as exc:  # raised on the main thread by `wait`
                self._error = exc

        self._thread = threading.Thread(target=work, name="labels-writes", daemon=True)
        self._thread.start()

    def wait(self) -> None:
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def __enter__(self) -> _Behind:
        if self._quick:
            sys.setswitchinterval(self.QUICK_SWITCH)
        return self

    def __exit__(self, kind: object, exc: object, tb: object) -> None:
        try:
            if exc is None:
                self.wait()
            elif self._thread is not None:  # the error that stopped the import is the one to tell
                self._thread.join()
                self._thread = None
        finally:
            sys.setswitchinterval(self._switch)


def _records(path: Path, cols: Columns, schema: Schema) -> Iterator[tuple[str, LabelRecord | str]]:
    """('file:line', record) for each label record, or ('file:line', problem)."""
    name = path.name
    for line, raw in read_records(path, cols):
        where = f"{name}:{line}"
        if isinstance(raw, str):
            yield where, raw
            continue
        try:
            records = record_from(raw, line, cols, schema)
        except BadRecord as exc:
            yield where, str(exc)
            continue
        for rec in records:
            yield where, rec


def _same_target(a: LabelRecord | str, b: LabelRecord | str) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return False
    return (a.unit_id, a.text, a.annotator) == (b.unit_id, b.text, b.annotator)


def _precheck(rec: LabelRecord) -> None:
    if rec.status not in STATUSES:
        raise BadRecord(f"status {rec.status!r} is not one of {', '.join(STATUSES)}")
    check_annotator(rec.annotator)


def _import_batch(
    items: list[tuple[str, LabelRecord | str]],
    checker: ValueChecker,
    writer: LabelWriter,
    report: ImportReport,
) -> Callable[[], None]:
    """Find units, check values, then make missing units and store, for one batch; returns
    the batch's last writes (`LabelWriter.last_writes`).

    Values are checked before the store is touched, so a bad record creates no unit.
    Problems are reported in file order.
    """
    problems: dict[int, str] = {}  # position in `items` -> line
    batch: list[tuple[int, str, LabelRecord]] = []
    for i, (where, rec) in enumerate(items):
        if isinstance(rec, str):
            problems[i] = f"{where}: {rec}"
        else:
            batch.append((i, where, rec))
    report.records += len(batch)
    by_id = writer.units_by_id({r.unit_id for _, _, r in batch if r.unit_id is not None})
    located: list[tuple[int, str, LabelRecord, int | None, str | None, str | None]] = []
    for i, where, rec in batch:
        unit_id, text, lang = None, rec.text, rec.document.get("lang")
        if rec.unit_id is not None:
            found = by_id.get(rec.unit_id)
            if found is None and rec.text is None:
                problems[i] = f"{where}: no unit {rec.unit_id} in this project"
                continue
            if found is not None:
                unit_id, (text, lang) = rec.unit_id, found
            # An id from another project or store (our own export): the text decides.
            if rec.text is not None and text != rec.text:
                unit_id, text, lang = None, rec.text, rec.document.get("lang")
        located.append((i, where, rec, unit_id, text, lang))
    by_text = writer.units_by_text({r.text for _, _, r, uid, _, _ in located if uid is None})  # type: ignore[misc]
    checked: list[Checked] = []
    fine: set[str] = set()  # annotator names that passed the check in this batch
    warnings: list[str] = []  # a record's, reported and cleared after it
    for i, where, rec, unit_id, text, lang in located:
        if unit_id is None and text in by_text:
            unit_id, lang = by_text[text]  # type: ignore[index]
        try:
            if rec.status not in STATUSES or rec.annotator not in fine:
                _precheck(rec)
                fine.add(rec.annotator)
            values = checker(rec.values, text, lang, warnings)
            if not values and rec.status == "done":
                raise BadRecord("no label values (empty cells or a value that means no label)")
        except BadRecord as exc:
            problems[i] = f"{where}: {exc}"
            continue
        finally:
            if warnings:
                report.warnings.extend(one_line(f"line {rec.line}: {w}") for w in warnings)
                warnings.clear()
        checked.append(Checked(rec, values, unit_id))
    # One line each, whatever a record quotes (a task name may hold a newline).
    report.problems.extend(one_line(problems[i]) for i in sorted(problems))
    writer.make_units(checked)
    writer.store(checked, report)
    return writer.last_writes()
