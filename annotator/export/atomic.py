"""Write to a temporary file beside the target and rename at the end.

A crash or an error mid-export leaves the target as it was, never half written.
"""

from __future__ import annotations

import os
import tempfile
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
    formats records. At most `depth` jobs are queued or running, so memory stays flat; an
    error in the worker is raised in the caller at its next `submit` or at the end of the
    block, and the jobs after it are dropped, not run.

        with Background() as bg:
            bg.submit(fh.write, text)

    A thread and a queue of its own, not concurrent.futures: that package (and the logging
    it loads) costs about 5 ms to import, a hundredth of an export of 100k labels.
    """

    def __init__(self, depth: int = 3, *, sync: IO | None = None, sync_every: int = 4) -> None:
        import threading
        from queue import SimpleQueue

        self._room = threading.BoundedSemaphore(depth)
        self._queue: SimpleQueue = SimpleQueue()
        self._error: BaseException | None = None
        # `sync`: the file the jobs write, sent to disk after every `sync_every` jobs, on the
        # worker thread while the caller builds what comes next (so the fsync that ends
        # `atomic_write` has only the last few chunks left to wait for).
        self._sync = sync
        self._sync_every = sync_every
        self._jobs = 0
        self._thread = threading.Thread(target=self._work, name="export-write", daemon=True)
        self._thread.start()

    def _work(self) -> None:
        while (job := self._queue.get()) is not None:
            fn, args, kwargs = job
            try:
                if self._error is None:
                    fn(*args, **kwargs)
            except BaseException as exc:
                self._error = exc
            finally:
                self._room.release()

    def _put(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        self._room.acquire()
        if self._error is not None:
            self._room.release()  # (the slot goes back: nothing is queued)
            self._raise()
        self._queue.put((fn, args, kwargs))

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        self._raise()
        self._put(fn, *args, **kwargs)
        self._jobs += 1
        if self._sync is not None and self._jobs % self._sync_every == 0:
            self._put(_to_disk, self._sync)

    def __enter__(self) -> Background:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None and self._error is None:
            self._error = exc  # the jobs still queued are dropped
        self._queue.put(None)
        self._thread.join()
        if exc_type is None:
            self._raise()


def _to_disk(fh: IO) -> None:
    """What was written to `fh` so far, on disk (fdatasync: the data and the size)."""
    fh.flush()
    getattr(os, "fdatasync", os.fsync)(fh.fileno())
