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
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from annotator.errors import UserError, one_line
from annotator.labels.check import ValueChecker, check_annotator, check_values
from annotator.labels.documents import DocumentAnswers
from annotator.labels.model import BadRecord, Columns, ImportReport, LabelRecord
from annotator.labels.read import babe_columns, read_records, record_from
from annotator.schema.model import Schema
from annotator.store.annotations import STATUSES
from annotator.store.label_writes import Checked, LabelWriter
from annotator.store.models import Project
from annotator.store.schema_versions import current_schema

__all__ = [
    "BadRecord",
    "Columns",
    "ImportReport",
    "LabelRecord",
    "babe_columns",
    "check_values",
    "import_labels",
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
    cols = cols or Columns()
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    report = ImportReport()
    with _heap_left_alone(), Session(engine, expire_on_commit=False) as session:
        schema = current_schema(session, project)
        version_id = project.schema_version_id
        assert project.id is not None and version_id is not None
        writer = LabelWriter(
            session,
            project.id,
            version_id,
            path.name,
            actor=(actor or importing_user())[:200],
            event_source=str(path.resolve()),
        )
        writer.keep_statistics()
        checker = ValueChecker(schema, cols)
        articles = DocumentAnswers(
            session,
            project.id,
            version_id,
            schema,
            cols,
            actor=writer.actor,
            source=writer.event_source,
        )
        batch: list[tuple[str, LabelRecord | str]] = []
        for item in _records(path, cols, schema):
            if isinstance(item[1], LabelRecord) and item[1].scope == "document":
                articles.add(item[0], item[1], report)  # an article's answers, no sentence
                continue
            # A full batch ends where the next record is for another unit or annotator, so
            # a record per task stays with its siblings (they make one annotation).
            if len(batch) >= BATCH and not _same_target(batch[-1][1], item[1]):
                _import_batch(batch, checker, writer, report)
                session.commit()
                writer.keep_statistics()
                batch = []
            batch.append(item)
        _import_batch(batch, checker, writer, report)
        session.commit()
    report.units_created = writer.units_created
    report.documents_created = writer.documents_created
    return report


@contextmanager
def _heap_left_alone() -> Iterator[None]:
    """Keep the objects that exist before the import (modules, SQLAlchemy's tables and
    caches: most of the heap) out of the cyclic collector's full passes while it runs. The
    records make enough objects for a dozen full passes per 100,000 records, each walking
    all of them again: a tenth of the import's time. Afterwards they are collected as usual
    (a process that froze its own objects is left as it is)."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


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
) -> None:
    """Find units, check values, then make missing units and store, for one batch.

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
    for i, where, rec, unit_id, text, lang in located:
        if unit_id is None and text in by_text:
            unit_id, lang = by_text[text]  # type: ignore[index]
        warnings: list[str] = []
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
        checked.append(Checked(rec, values, unit_id))
    # One line each, whatever a record quotes (a task name may hold a newline).
    report.problems.extend(one_line(problems[i]) for i in sorted(problems))
    writer.make_units(checked)
    writer.store(checked, report)
