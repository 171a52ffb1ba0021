"""Files to store: parse in worker processes, write in batches from this one.

Parsing (HTML, sentence splitting) is CPU-bound and independent per file, so it runs in a
process pool; SQLite has one writer, so all writes happen here, in short transactions.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from annotator.ingest.model import IngestError
from annotator.ingest.outlet_rules import check_rules, use_rules_folder
from annotator.ingest.outlets import outlet_for, outlet_table
from annotator.ingest.readers import RecordOptions, read_file
from annotator.store.documents import (
    PreparedDocument,
    add_documents,
    prepare_document,
    rename_outlets,
)
from annotator.store.engine import large_cache, session_scope

# Below this many files a pool costs more to start than it saves.
_POOL_MIN_FILES = 16
_BATCH_UNITS = 20_000


@dataclass
class FileResult:
    path: Path
    docs: list[PreparedDocument] = field(default_factory=list)
    error: str | None = None
    empty: int = 0  # documents without any text beyond a title


@dataclass
class ImportReport:
    files: int = 0
    documents: int = 0
    units: int = 0
    skipped: Counter[str] = field(default_factory=Counter)  # reason -> documents
    failed: list[tuple[Path, str]] = field(default_factory=list)
    outlets_renamed: int = 0  # documents whose outlet the domain table renamed


@dataclass(frozen=True)
class ParseOptions:
    format: str | None = None
    lang: str | None = None
    records: RecordOptions | None = None
    outlet_rules: str | None = None  # the user's rule folder (--outlet-rules), for every worker


def parse_one(path: Path, options: ParseOptions) -> FileResult:
    """Read one file into prepared documents; any failure becomes the result's error line."""
    if options.outlet_rules is not None:
        use_rules_folder(options.outlet_rules)  # a spawned worker starts without it
    try:
        docs = read_file(path, format=options.format, lang=options.lang, records=options.records)
        result = FileResult(path)
        for doc in docs:
            if all(u.kind == "title" for u in doc.units):
                result.empty += 1
            else:
                result.docs.append(prepare_document(doc))
                doc.units = []  # the prepared tuples carry them: don't pickle the text twice
        return result
    except IngestError as exc:
        return FileResult(path, error=str(exc))
    except Exception as exc:  # a reader bug must not stop a thousand good files
        return FileResult(path, error=f"{path}: internal error ({exc!r}); please report it")


def _parse_star(args: tuple[Path, ParseOptions]) -> FileResult:
    return parse_one(*args)


def _watch_parent(parent: int) -> None:
    """Pool worker start-up: exit when the parent is gone. A parent killed with SIGKILL never
    shuts its pool down, and a forked worker holds both ends of its task pipe, so it would
    wait for work forever; checking once a second costs nothing."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


def parse_files(
    paths: list[Path], options: ParseOptions, workers: int | None = None
) -> Iterator[FileResult]:
    """Parse files in order, in parallel when there are enough of them."""
    workers = workers or min(os.cpu_count() or 1, 8)
    if workers <= 1 or len(paths) < _POOL_MIN_FILES:
        for path in paths:
            yield parse_one(path, options)
        return
    with ProcessPoolExecutor(
        max_workers=workers, initializer=_watch_parent, initargs=(os.getpid(),)
    ) as pool:
        chunk = max(1, min(32, len(paths) // (workers * 8)))
        yield from pool.map(_parse_star, ((p, options) for p in paths), chunksize=chunk)


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
    options = options or ParseOptions()
    if options.outlet_rules is not None:
        use_rules_folder(options.outlet_rules)
    check_rules()  # raises IngestError for a broken rule file, before any file is read
    paths = list(paths)
    report = ImportReport(files=len(paths))
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

    for result in parse_files(paths, options, workers):
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
