"""Files to store: parse in worker processes (``ingest.parse``), write in batches from this one.

Parsing (HTML, sentence splitting) is CPU-bound and independent per file, so it runs in a
process pool; SQLite has one writer, so all writes happen here, in short transactions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from annotator.ingest.outlets import outlet_for, outlet_table
from annotator.ingest.parse import FileResult, ParseOptions, Parsing, start_parsing
from annotator.store.documents import PreparedDocument, add_documents, rename_outlets
from annotator.store.engine import large_cache, session_scope

_BATCH_UNITS = 20_000


@dataclass
class ImportReport:
    files: int = 0
    documents: int = 0
    units: int = 0
    skipped: Counter[str] = field(default_factory=Counter)  # reason -> documents
    failed: list[tuple[Path, str]] = field(default_factory=list)
    outlets_renamed: int = 0  # documents whose outlet the domain table renamed


def import_files(
    engine: Engine,
    project_id: int,
    paths: Iterable[Path],
    options: ParseOptions | None = None,
    *,
    on_file: Callable[[FileResult], None] | None = None,
    workers: int | None = None,
    outlets: Mapping[str, str] | None = None,
) -> ImportReport:
    """Import files into a project. Bad files are reported, never raised; the rest go on.

    Then every document's outlet is re-derived from its URL through the domain table (the
    built-in one extended by `outlets`), new and earlier documents alike."""
    with start_parsing(list(paths), options or ParseOptions(), workers) as parsing:
        return store_parsed(engine, project_id, parsing, on_file=on_file, outlets=outlets)


def store_parsed(
    engine: Engine,
    project_id: int,
    parsing: Parsing,
    *,
    on_file: Callable[[FileResult], None] | None = None,
    outlets: Mapping[str, str] | None = None,
) -> ImportReport:
    """`import_files` for files already being parsed (`ingest.parse.start_parsing`)."""
    report = ImportReport(files=parsing.files)
    batch: list[tuple[Path, PreparedDocument]] = []
    batch_units = 0

    def flush() -> None:
        nonlocal batch, batch_units
        if batch:
            try:
                _store(engine, project_id, [doc for _, doc in batch], report)
            except DBAPIError as exc:
                if _store_unusable(exc):
                    raise
                # One document the store refuses must not lose the batch or hide its file:
                # again file by file, each in its own transaction, naming the one that fails.
                _store_per_file(engine, project_id, batch, report)
        batch, batch_units = [], 0

    for result in parsing:
        if result.error is not None:
            report.failed.append((result.path, result.error))
        if result.empty:
            report.skipped["no text"] += result.empty
        for doc in result.docs:
            batch.append((result.path, doc))
            batch_units += len(doc.units)
        if batch_units >= _BATCH_UNITS:
            flush()
        if on_file is not None:
            on_file(result)
    flush()
    table = outlet_table(outlets)
    with session_scope(engine) as session:
        report.outlets_renamed = rename_outlets(
            session, project_id, lambda outlet, url: outlet_for(outlet, url, table)
        )
    return report


def _store(
    engine: Engine, project_id: int, docs: list[PreparedDocument], report: ImportReport
) -> None:
    with session_scope(engine) as session, large_cache(session):
        added = add_documents(session, project_id, docs)
    report.documents += added.documents
    report.units += added.units
    if added.duplicates:
        report.skipped["already imported"] += added.duplicates


def _store_per_file(
    engine: Engine,
    project_id: int,
    batch: list[tuple[Path, PreparedDocument]],
    report: ImportReport,
) -> None:
    by_file: dict[Path, list[PreparedDocument]] = {}
    for path, doc in batch:
        by_file.setdefault(path, []).append(doc)
    for path, docs in by_file.items():
        try:
            _store(engine, project_id, docs, report)
        except DBAPIError as exc:
            if _store_unusable(exc):
                raise
            reason = str(exc.orig or exc).strip().splitlines()[0]
            report.failed.append((path, f"{path}: the store refused it ({reason})"))


def _store_unusable(exc: DBAPIError) -> bool:
    """A lost connection, a locked or full store: no other file would fare better."""
    return exc.connection_invalidated or isinstance(exc, OperationalError)
