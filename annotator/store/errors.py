"""The store's error for people, without SQLAlchemy (`engine` and the sqlite3-only paths
raise it alike)."""

from __future__ import annotations

from annotator.errors import AnnotatorError


class StoreError(AnnotatorError):
    """A store that cannot be opened or used; the message is one line for a person."""
