"""One export from start to end: select rows, plan splits, stream them to a format, card.

`export_project` (an engine and a project) is the library entry point; the CLI opens the
project with `open_source` (sqlite3 alone where it can) and calls `export_source`, which both
end in. What varies by format is declared once, in ``export.formats``; nothing here names a
format.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from annotator.analysis.aggregate import MODEL_METHODS
from annotator.errors import UserError
from annotator.export.atomic import atomic_write
from annotator.export.card import CardStats, render_card
from annotator.export.documents import WRITERS, DocumentTable, beside, document_table
from annotator.export.formats import ExportFormat, check_extra, export_format
from annotator.export.gold import gold_rules
from annotator.export.job import ExportJob, ExportResult
from annotator.export.options import SPLIT_NAMES, ExportOptions
from annotator.export.select import selected_tasks, stream_filters
from annotator.export.splits import plan_splits_stream
from annotator.schema.model import Schema
from annotator.store.export_stream import open_stream

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from annotator.store.models import Project

DEFAULT_SPLIT = (0.8, 0.1, 0.1)


@dataclass
class ExportSource:
    """What an export reads: the store (an engine, or a read-only sqlite3 connection to a
    current SQLite store, see `open_source`), the project and its current schema."""

    store: Engine | sqlite3.Connection
    project_id: int
    project_name: str
    schema: Schema

    def close(self) -> None:
        """Close what `open_source` opened (its connections closed now, not left to exit)."""
        if isinstance(self.store, sqlite3.Connection):
            self.store.close()
        else:
            self.store.dispose()


def direct_serves(schema: Schema, opts: ExportOptions) -> bool:
    """Whether the export can read through sqlite3 alone: all but the document tasks' table
    and the model gold methods, which read through the store layer's ORM queries."""
    return not schema.document_tasks and opts.gold_method not in MODEL_METHODS


def open_source(db: str | None, project: str | None, opts: ExportOptions) -> ExportSource:
    """The project `db` and `project` name, to export with `opts`. A current SQLite store is
    read through sqlite3 alone (loading SQLAlchemy, SQLModel and the models costs more than
    exporting 100k labels); anything else through the store layer, whose checks and
    messages (no store, several projects, a store to upgrade) are those a person sees."""
    direct = _direct_source(db, project, opts)
    if direct is not None:
        return direct
    from annotator.store.projects import open_project

    engine, proj = open_project(db, project, access="read")
    assert proj.id is not None
    return ExportSource(engine, proj.id, proj.name, _current_schema(engine, proj))


def _direct_source(db: str | None, project: str | None, opts: ExportOptions) -> ExportSource | None:
    from annotator.store.sqlite_direct import open_project_direct, stored_schema

    opened = open_project_direct(db, project)
    if opened is None:
        return None
    con, row = opened
    schema = stored_schema(con, row)
    if schema is None or not direct_serves(schema, opts):
        con.close()
        return None
    return ExportSource(con, row.id, row.name, schema)


def _current_schema(engine: Engine, project: Project) -> Schema:
    from sqlmodel import Session

    from annotator.store.schema_versions import current_schema

    with Session(engine) as session:
        return current_schema(session, project)


def card_path(target: Path, fmt: ExportFormat) -> Path:
    if fmt.folder:
        return target / "README.md"
    return target.with_name(target.name + ".card.md")


def export_project(
    engine: Engine,
    project: Project,
    fmt: str,
    target: Path,
    opts: ExportOptions,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> ExportResult:
    """`progress(done, total)` hears how many units the writing pass has read so far."""
    assert project.id is not None
    schema = _current_schema(engine, project)
    source = ExportSource(engine, project.id, project.name, schema)
    return export_source(source, fmt, target, opts, progress=progress)


def export_source(
    source: ExportSource,
    fmt: str,
    target: Path,
    opts: ExportOptions,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> ExportResult:
    """The export of an opened project (see `export_project`)."""
    form = export_format(fmt)
    store, pid, schema = source.store, source.project_id, source.schema
    check_extra(form)
    if form.folder:
        # Folder formats are datasets with splits and gold by nature.
        opts = replace(opts, gold=True, split=opts.split or DEFAULT_SPLIT)
    task_types = selected_tasks(schema, opts)
    spans = "span" in task_types.values()
    if form.needs_tokens and not spans:
        raise UserError(f"--format {fmt} needs a span task in the schema (or in --tasks)")
    table = None
    if opts.gold and opts.gold_method in MODEL_METHODS:
        from sqlmodel import Session

        from annotator.store.labels_query import fetch_labels

        assert not isinstance(store, sqlite3.Connection), "see direct_serves"
        with Session(store) as session:
            table = fetch_labels(session, pid)
    rules = gold_rules(schema, task_types, opts.gold_method if opts.gold else "majority", table)
    want_card = opts.card or form.folder
    with open_stream(store, pid) as stream:
        rules = replace(rules, checks=stream.known_checks())
        # Only the card says how many (a count over every annotation of the project).
        check_answers = stream.check_answers() if want_card else 0

    splits = None
    notes: list[str] = []
    split_names: tuple[str, ...] = ()
    if opts.split:
        with open_stream(store, pid, stream_filters(opts)) as stream:
            splits = plan_splits_stream(stream, task_types, opts.split, opts.seed, rules)
        split_names, notes = kept_splits(SPLIT_NAMES[len(opts.split)], opts.split, splits)
    stats = CardStats(task_types, gold=opts.gold, check_answers=check_answers)
    step = _progress_step(store, pid, progress)
    with open_stream(store, pid, stream_filters(opts), with_tokens=spans) as stream:
        watch = None
        if want_card:
            # Only a card needs the agreement code (and numpy): imported here, not above.
            from annotator.export.card_agreement import AgreementLabels, card_agreement
            from annotator.export.card_stream import StreamCard

            labels = AgreementLabels()  # the exported labels, for the card's agreement
            watch = StreamCard(stats, splits, labels, rules)
        stream.watch = watch
        stream.progress = step

        def card(yaml_header: str = "") -> str:
            assert watch is not None, "a card is rendered only when one was asked for"
            watch.finish(stream)
            return render_card(
                stats,
                project=source.project_name,
                schema_name=schema.name,
                schema_hash=schema.content_hash,
                fmt=fmt,
                opts=opts,
                yaml_header=yaml_header,
                agreement=card_agreement(schema, watch.labels, opts.tasks),
                notes=notes,
                overlap=schema.overlap,
                guidelines=schema.guidelines,
            )

        documents = None
        if schema.document_tasks:
            assert not isinstance(store, sqlite3.Connection), "see direct_serves"
            documents = document_table(store, pid, schema, splits, rules.method)
        job = ExportJob(
            fmt, target, schema, task_types, opts, rules, stream, splits, split_names, card
        )
        job.documents = documents
        result = form.write(job)
        if want_card:
            result.card = card_path(target, form)
            if not form.folder:  # a folder's writer put its card inside
                with atomic_write(result.card, "w", encoding="utf-8", newline="\n") as fh:
                    fh.write(card())
    if not result.splits and want_card:
        result.splits = dict(stats.units)
    if documents is not None:
        notes += _write_documents(form, documents, result, opts.gold, job.file_metadata)
    result.notes = notes
    return result


def _write_documents(
    form: ExportFormat,
    table: DocumentTable,
    result: ExportResult,
    gold: bool,
    metadata: dict[str, str],
) -> list[str]:
    """The document tasks' answers beside a file export; a note where the format has no
    place for them."""
    if form.documents is None:
        return [
            f"the answers to the document tasks ({', '.join(table.task_types)}) are not in "
            f"{form.name} exports: export jsonl, csv, parquet or hf to have them"
        ]
    if form.documents == "beside":
        result.documents = beside(result.target)
        result.document_records = WRITERS[form.name](table, result.documents, gold, metadata)
    return []


def kept_splits(
    names: tuple[str, ...], fractions: tuple[float, ...], plan: dict[int, str]
) -> tuple[tuple[str, ...], list[str]]:
    """The splits that received documents (in order), and a line for each left out.

    A split with no rows is left out of the files and the card: `datasets` refuses a
    declared split with no data. A document's units stay in one split, so a project with
    fewer documents than requested splits cannot fill them all."""
    used = set(plan.values())
    kept = tuple(n for n in names if n in used) or names[:1]
    empty = [n for n, f in zip(names, fractions, strict=True) if n not in kept and f > 0]
    notes: list[str] = []
    if empty:
        docs = len(plan)
        wanted = sum(1 for f in fractions if f > 0)
        why = (
            f"the export has {docs} document{'s' if docs != 1 else ''} for {wanted} splits, "
            "and a document's units stay in one split"
            if docs < wanted
            else "no document fell to them at these shares"
        )
        notes.append(f"Split{'s' if len(empty) > 1 else ''} {' and '.join(empty)} left out: {why}.")
    return kept, notes


def _progress_step(
    store: Engine | sqlite3.Connection, pid: int, progress: Callable[[int, int], None] | None
) -> Callable[[int], None] | None:
    """The stream's "n more units" turned into `progress(done, total)`."""
    if progress is None:
        return None
    with open_stream(store, pid) as stream:
        total = stream.total_units()
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        progress(done, total)

    return step
