"""Write to a temporary file beside the target and rename at the end.

A crash or an error mid-export leaves the target as it was, never half written.
"""

from __future__ import annotations

import os
import tempfile
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from annotator.errors import UserError


def cannot_write(target: Path, exc: OSError) -> UserError:
    """A full disk, a read-only folder, a quota: one line naming the target, not the
    temporary file the error happened in (which is gone by the time it is read)."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    return UserError(f"{target}: could not be written ({reason}); nothing was left behind")


@contextmanager
def atomic_write(target: Path, mode: str = "w", **open_kwargs) -> Iterator[IO]:
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise cannot_write(target, exc) from exc
    try:
        with os.fdopen(fd, mode, **open_kwargs) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise cannot_write(target, exc) from exc
        raise


class Background:
    """Run writes on one worker thread, in order, while the caller builds the next chunk.

    File writes and Parquet encoding release the GIL, so they overlap with the Python that
    formats records. At most `depth` chunks wait, so memory stays flat; an error in the
    worker is raised in the caller at its next `submit` or at the end of the block.

        with Background() as bg:
            bg.submit(fh.write, text)
    """

    def __init__(self, depth: int = 3, *, sync: IO | None = None, sync_every: int = 4) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self.depth = depth
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="export-write")
        self._pending: deque = deque()
        # `sync`: the file the jobs write, sent to disk after every `sync_every` jobs, on the
        # worker thread while the caller builds what comes next (so the fsync that ends
        # `atomic_write` has only the last few chunks left to wait for).
        self._sync = sync
        self._sync_every = sync_every
        self._jobs = 0

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        while len(self._pending) >= self.depth:
            self._pending.popleft().result()
        self._pending.append(self._pool.submit(fn, *args, **kwargs))
        self._jobs += 1
        if self._sync is not None and self._jobs % self._sync_every == 0:
            self._pending.append(self._pool.submit(_to_disk, self._sync))

    def __enter__(self) -> Background:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            while self._pending:
                future = self._pending.popleft()
                if exc_type is None:
                    future.result()
                else:
                    future.cancel()
        finally:
            self._pool.shutdown(wait=True)


def _to_disk(fh: IO) -> None:
    """What was written to `fh` so far, on disk (fdatasync: the data and the size)."""
    fh.flush()
    getattr(os, "fdatasync", os.fsync)(fh.fileno())
