"""Errors meant for people, how the CLI prints them, and what it does with a bug.

Exit codes (the README lists them): 0 done, 1 bad data or a problem the user can fix,
2 bad usage (Click's own), 70 an internal error (sysexits' EX_SOFTWARE: a bug, whose
traceback goes to a log file rather than the terminal), 130 interrupted.
"""

from __future__ import annotations

import errno
import os
import re
import sys
import tempfile
import traceback
from datetime import UTC, datetime
from pathlib import Path

EXIT_DATA = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130

# OSErrors that come from the machine, not from us: a full disk, a read-only folder.
_ENVIRONMENT_ERRNOS = {
    errno.ENOSPC,
    errno.EDQUOT,
    errno.EROFS,
    errno.EACCES,
    errno.EPERM,
    errno.EIO,
    errno.EMFILE,
    errno.ENAMETOOLONG,
}


# Control characters (C0 but tab, DEL, C1): a name from a file may hold a newline or an
# escape sequence, which would break the one line or drive the terminal.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str) -> str:
    """`text` safe to print as one line: control characters shown as escapes (\\n, \\x1b)."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


class UserError(Exception):
    """Bad input from the user: the message says what is wrong and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(one_line(str(message)))


def format_user_error(exc: BaseException) -> str | None:
    """The one line to show for `exc`, or None if it is a bug (which gets a crash log)."""
    from sqlalchemy.exc import OperationalError, SQLAlchemyError

    from annotator.ingest.model import IngestError
    from annotator.schema.errors import SchemaError
    from annotator.store.engine import StoreError

    if isinstance(exc, UserError | StoreError | IngestError | SchemaError):
        return f"error: {exc}"
    if isinstance(exc, OperationalError):
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else "cannot reach the database"
        return f"error: database: {reason} (check --db / ANNOTATOR_DB)"
    if isinstance(exc, SQLAlchemyError):
        return f"error: database: {type(exc).__name__}: {str(exc).splitlines()[0]}"
    if isinstance(exc, OSError) and exc.filename:
        return f"error: {exc.filename}: {exc.strerror}"
    if isinstance(exc, OSError) and exc.errno in _ENVIRONMENT_ERRNOS:
        return f"error: {exc.strerror or os.strerror(exc.errno or 0)}"
    return None


def crash_log_dirs() -> list[Path]:
    """Where crash logs go, first choice first: the XDG state folder, then a temp folder."""
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return [Path(state) / "annotator", Path(tempfile.gettempdir()) / "annotator"]


def write_crash_log(exc: BaseException, argv: list[str] | None = None) -> Path | None:
    """The traceback of a bug, with the command line and versions, in a new file; its path
    (None when no folder could be written: the caller then prints the traceback)."""
    from annotator import __version__

    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    body = "".join(
        [
            f"annotator {__version__}, Python {sys.version.split()[0]}, {sys.platform}\n",
            f"command: {' '.join(argv if argv is not None else sys.argv)}\n",
            f"time: {datetime.now(UTC).isoformat()}\n\n",
            *traceback.format_exception(exc),
        ]
    )
    for folder in crash_log_dirs():
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"crash-{stamp}-{os.getpid()}.log"
            with path.open("x", encoding="utf-8", errors="backslashreplace") as fh:
                fh.write(body)
            return path
        except OSError:
            continue
    return None
