"""The store's error, in a module of its own: the sqlite3-only paths (``sqlite_direct`` and
its readers) raise it without loading SQLAlchemy, which ``engine`` does."""

from __future__ import annotations

from annotator.errors import AnnotatorError


class StoreError(AnnotatorError):
    """A store that cannot be opened or used; the message is one line for a person."""
