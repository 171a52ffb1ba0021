"""Files to prepared documents, in worker processes: the CPU-bound half of an import.

Nothing here touches the store or loads SQLAlchemy. `start_parsing` hands the files to a
process pool at once, so the workers read while the parent opens the store and checks the
project; the parent then writes what they give, in file order (``ingest.pipeline``).
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from annotator.ingest.model import IngestError
from annotator.ingest.outlet_rules import check_rules, use_rules_folder
from annotator.ingest.readers import RecordOptions, read_file
from annotator.store.hashes import PreparedDocument, prepare_document

# Below this many files a pool costs more to start than it saves.
_POOL_MIN_FILES = 16


@dataclass
class FileResult:
    path: Path
    docs: list[PreparedDocument] = field(default_factory=list)
    error: str | None = None
    empty: int = 0  # documents without any text beyond a title


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

    # ctrl+c is the parent's to handle (it stops the pool): a worker printing its own
    # KeyboardInterrupt traceback would bury the one line that says what happened.
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


class Parsing:
    """Files being parsed, in parallel when there are enough of them: iterate for their
    results in file order. As a context manager it stops the workers at the end (results
    not read yet are dropped)."""

    def __init__(self, paths: list[Path], options: ParseOptions, workers: int | None = None):
        self.files = len(paths)
        self._pool: ProcessPoolExecutor | None = None
        workers = workers or min(os.cpu_count() or 1, 8)
        if workers <= 1 or len(paths) < _POOL_MIN_FILES:
            self._results: Iterator[FileResult] = (parse_one(p, options) for p in paths)
            return
        self._pool = ProcessPoolExecutor(
            max_workers=workers, initializer=_watch_parent, initargs=(os.getpid(),)
        )
        chunk = max(1, min(32, len(paths) // (workers * 8)))
        # map submits every chunk now: the workers start on them before anyone reads.
        self._results = self._pool.map(_parse_star, ((p, options) for p in paths), chunksize=chunk)

    def __iter__(self) -> Iterator[FileResult]:
        return self._results

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> Parsing:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def start_parsing(paths: list[Path], options: ParseOptions, workers: int | None = None) -> Parsing:
    """Check the outlet rules (an `IngestError` for a broken rule file, before any file is
    read), then start parsing `paths`."""
    if options.outlet_rules is not None:
        use_rules_folder(options.outlet_rules)
    check_rules()
    return Parsing(paths, options, workers)
