"""The store's error for people, in a module of its own: the commands that work through
sqlite3 alone (`sqlite_direct`) raise it without loading SQLAlchemy."""

from __future__ import annotations

from annotator.errors import AnnotatorError


class StoreError(AnnotatorError):
    """A store that cannot be opened or used; the message is one line for a person."""
