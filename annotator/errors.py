"""The errors meant for people, at the bottom of the layers, and the one line shown for one.

Every layer's own error derives from `AnnotatorError` (the store's `StoreError`, ingest's
`IngestError`, the schema's `SchemaError`, and `UserError` for bad input anywhere), so a
command or a screen tells a person's problem from a bug by its class alone, without knowing
the layers. What the command line does with either (exit codes, crash logs) is
``annotator.cli.failures``.
"""

from __future__ import annotations

import errno
import os
import re
import sys

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


def failure(exc: BaseException, limit: int = 200) -> str:
    """The first line of what went wrong (a database error's driver message, not SQLAlchemy's
    wrapping with the statement), for a screen's message line."""
    orig = getattr(exc, "orig", None) or exc
    return one_line((str(orig).strip().splitlines() or [type(exc).__name__])[0][:limit])


# What drivers say when a connection that was open goes away (a server restart, a dropped
# network, an administrator ending the session): not a wrong --db.
_DROPPED = ("terminating connection", "server closed the connection", "connection reset")


class AnnotatorError(Exception):
    """A problem the person can fix: the message says what is wrong and what to do."""


class UserError(AnnotatorError):
    """Bad input from the user (an option, a file), anywhere in the layers."""

    def __init__(self, message: str) -> None:
        super().__init__(one_line(str(message)))


def database_problem(reason: str) -> str:
    """The line for a database that cannot be used (locked, full, unreachable, dropped), from
    the driver's first line, whichever library met it."""
    reason = reason or "cannot reach the database"
    if any(w in reason.lower() for w in _DROPPED):  # it was reached, then lost
        return f"database: {reason} (the connection was lost: run it again)"
    return f"database: {reason} (check --db / ANNOTATOR_DB)"


def format_user_error(exc: BaseException) -> str | None:
    """The one line to show for `exc`, or None if it is a bug (which gets a crash log).

    The command line and the annotate screen both show it. A database error can only come
    from SQLAlchemy once it is loaded: a command that never opened a store does not load it
    here either."""
    if isinstance(exc, AnnotatorError):
        return f"error: {exc}"
    if "sqlalchemy" in sys.modules:
        from sqlalchemy.exc import OperationalError, SQLAlchemyError

        if isinstance(exc, OperationalError):
            first = str(exc.orig).strip().splitlines()[0] if exc.orig else ""
            return f"error: {database_problem(first)}"
        if isinstance(exc, SQLAlchemyError):
            return f"error: database: {type(exc).__name__}: {str(exc).splitlines()[0]}"
    if isinstance(exc, OSError) and exc.filename:
        return f"error: {exc.filename}: {exc.strerror}"
    if isinstance(exc, OSError) and exc.errno in _ENVIRONMENT_ERRNOS:
        return f"error: {exc.strerror or os.strerror(exc.errno or 0)}"
    return None
