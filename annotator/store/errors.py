"""The store's errors, in a module of its own: the commands that work through sqlite3 alone
(`sqlite_direct`) raise them, and the screens catch them, without loading SQLAlchemy."""

from __future__ import annotations

from typing import TYPE_CHECKING

from annotator.errors import AnnotatorError, database_problem

if TYPE_CHECKING:
    from sqlalchemy.exc import SQLAlchemyError


class StoreError(AnnotatorError):
    """A store that cannot be opened or used; the message is one line for a person."""


def database_unusable(exc: BaseException) -> StoreError:
    """A driver's OperationalError (locked, refused, dropped) as the full path's line for
    it, for the paths that use a driver alone (`sqlite_direct`, `postgres_direct`)."""
    text = str(exc).strip()
    return StoreError(database_problem(text.splitlines()[0] if text else ""))


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
