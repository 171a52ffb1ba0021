"""The store's errors, in a module of its own: the commands that work through sqlite3 alone
(`sqlite_direct`) raise them, and the screens catch them, without loading SQLAlchemy."""

from __future__ import annotations

from typing import TYPE_CHECKING

from annotator.errors import AnnotatorError

if TYPE_CHECKING:
    from sqlalchemy.exc import SQLAlchemyError


class StoreError(AnnotatorError):
    """A store that cannot be opened or used; the message is one line for a person."""


class LeaseLost(Exception):
    """The unit was taken by others after my hold on it expired; nothing was saved."""


class NotShown(Exception):
    """My label was saved, but the unit after it could not be read from the store."""


def db_failure() -> type[SQLAlchemyError]:
    """What the database layer raises (read-only, full, locked, unreachable), for an
    `except db_failure():` clause. Python evaluates that class only when an exception is
    being matched, by then through a store that has loaded SQLAlchemy: so the annotate
    screen, which draws the first unit before SQLAlchemy is loaded, does not import it."""
    from sqlalchemy.exc import SQLAlchemyError

    return SQLAlchemyError
