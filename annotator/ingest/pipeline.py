"""Files to store: parse in worker processes (``ingest.parse``), write in batches from this one
(``ingest.storing``), here through SQLAlchemy: any store, PostgreSQL included.

Parsing (HTML, sentence splitting) is CPU-bound and independent per file, so it runs in a
process pool; SQLite has one writer, so all writes happen here, in short transactions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from annotator.ingest.parse import FileResult, ParseOptions, Parsing, start_parsing
from annotator.ingest.storing import DocumentWriter, ImportReport, store_results
from annotator.store.added import AddResult
from annotator.store.documents import add_documents, rename_outlets
from annotator.store.engine import large_cache, session_scope
from annotator.store.hashes import PreparedDocument

__all__ = ["ImportReport", "import_files", "session_writer", "store_parsed"]


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
    writer = session_writer(engine, project_id)
    return store_results(writer, parsing, parsing.files, on_file=on_file, outlets=outlets)


def session_writer(engine: Engine, project_id: int) -> DocumentWriter:
    """The writer that stores an import's batches through SQLAlchemy sessions."""
    return _SessionWriter(engine, project_id)


class _SessionWriter:
    """`storing.DocumentWriter` through SQLAlchemy sessions, one per batch."""

    def __init__(self, engine: Engine, project_id: int) -> None:
        self.engine = engine
        self.project_id = project_id

    def add(self, docs: Sequence[PreparedDocument]) -> AddResult:
        with session_scope(self.engine) as session, large_cache(session):
            return add_documents(session, self.project_id, docs)

    def refusal(self, exc: Exception) -> str | None:
        if not isinstance(exc, DBAPIError) or _store_unusable(exc):
            return None
        return str(exc.orig or exc).strip().splitlines()[0]

    def rename_outlets(self, name_of: Callable[[str | None, str | None], str | None]) -> int:
        with session_scope(self.engine) as session:
            return rename_outlets(session, self.project_id, name_of)


def _store_unusable(exc: DBAPIError) -> bool:
    """A lost connection, a locked or full store: no other file would fare better."""
    return exc.connection_invalidated or isinstance(exc, OperationalError)
