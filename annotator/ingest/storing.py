"""Parsed files to the store in batches: the loop an import runs in its own process while the
workers parse (``ingest.parse``), whichever writer stores the rows (SQLAlchemy's session,
``ingest.pipeline``, or sqlite3 alone, ``store.import_direct``). Nothing here loads SQLAlchemy.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from annotator.heap import heap_left_alone
from annotator.ingest.outlets import outlet_for, outlet_table
from annotator.ingest.parse import FileResult
from annotator.store.added import AddResult
from annotator.store.hashes import PreparedDocument

_BATCH_UNITS = 20_000


@dataclass
class ImportReport:
    files: int = 0
    documents: int = 0
    units: int = 0
    skipped: Counter[str] = field(default_factory=Counter)  # reason -> documents
    failed: list[tuple[Path, str]] = field(default_factory=list)
    outlets_renamed: int = 0  # documents whose outlet the domain table renamed


class DocumentWriter(Protocol):
    def add(self, docs: Sequence[PreparedDocument]) -> AddResult:
        """The documents not in the project yet, with their units, in one transaction."""
        ...

    def refusal(self, exc: Exception) -> str | None:
        """The store's one-line reason when `exc` is its refusal of the documents just given
        (the others may still be stored), None when the store cannot be used at all."""
        ...

    def rename_outlets(self, name_of: Callable[[str | None, str | None], str | None]) -> int:
        """Each document's outlet set to ``name_of(outlet, url)``; how many changed."""
        ...


def store_results(
    writer: DocumentWriter,
    results: Iterable[FileResult],
    files: int,
    *,
    on_file: Callable[[FileResult], None] | None = None,
    outlets: Mapping[str, str] | None = None,
) -> ImportReport:
    """Store what the files gave, in batches; bad files are reported, never raised. Then
    every document's outlet is re-derived from its URL through the domain table (the
    built-in one extended by `outlets`), new and earlier documents alike."""
    with heap_left_alone():
        return _store_all(writer, results, ImportReport(files=files), on_file, outlets)


def _store_all(
    writer: DocumentWriter,
    results: Iterable[FileResult],
    report: ImportReport,
    on_file: Callable[[FileResult], None] | None,
    outlets: Mapping[str, str] | None,
) -> ImportReport:
    batch: list[tuple[Path, PreparedDocument]] = []
    batch_units = 0

    def flush() -> None:
        nonlocal batch, batch_units
        if batch:
            try:
                _store(writer, [doc for _, doc in batch], report)
            except Exception as exc:
                if writer.refusal(exc) is None:
                    raise
                # One document the store refuses must not lose the batch or hide its file:
                # again file by file, each in its own transaction, naming the one that fails.
                _store_per_file(writer, batch, report)
        batch, batch_units = [], 0

    for result in results:
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
    report.outlets_renamed = writer.rename_outlets(
        lambda outlet, url: outlet_for(outlet, url, table)
    )
    return report


def _store(writer: DocumentWriter, docs: list[PreparedDocument], report: ImportReport) -> None:
    added = writer.add(docs)
    report.documents += added.documents
    report.units += added.units
    if added.duplicates:
        report.skipped["already imported"] += added.duplicates


def _store_per_file(
    writer: DocumentWriter, batch: list[tuple[Path, PreparedDocument]], report: ImportReport
) -> None:
    by_file: dict[Path, list[PreparedDocument]] = {}
    for path, doc in batch:
        by_file.setdefault(path, []).append(doc)
    for path, docs in by_file.items():
        try:
            _store(writer, docs, report)
        except Exception as exc:
            reason = writer.refusal(exc)
            if reason is None:
                raise
            report.failed.append((path, f"{path}: the store refused it ({reason})"))
