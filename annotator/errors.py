"""Errors meant for people, and how the CLI prints them: one line, no traceback."""

from __future__ import annotations


class UserError(Exception):
    """Bad input from the user: the message says what is wrong and what to do."""


def format_user_error(exc: BaseException) -> str | None:
    """The one line to show for `exc`, or None if it is a bug (which should show a traceback)."""
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
    return None
