"""A current PostgreSQL store opened through psycopg alone, for `labels import`.

Loading SQLAlchemy, SQLModel and the models costs about 0.3 s before the first row is
written, a sixth of an import of 20,000 records; `sqlite_direct` spares SQLite the same.
The plain case is served here: a `postgresql+psycopg://` URL (libpq reads the same URL,
its options included, once the `+psycopg` is dropped), a store at the current revision,
the project asked for. Anything else (another driver, hosts given as options, a server
that cannot be reached, a store to upgrade, an unknown project) gives None, and the
command takes the full path, whose checks and messages are the ones a person should see.
Each connection is set up as the engine factory sets up its own (`engine._postgres_session`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any
from urllib.parse import parse_qs, urlsplit

from annotator.store.errors import StoreError, database_unusable
from annotator.store.revision import HEAD
from annotator.store.sqlite_direct import db_given

SCHEME = "postgresql+psycopg://"
# DB-API's error classes: SQLAlchemy names a driver's error by the first of its classes
# (most particular first) that has one of these names, and the full path's line says it.
_DBAPI_ERRORS = frozenset(
    (
        "IntegrityError",
        "DataError",
        "OperationalError",
        "ProgrammingError",
        "InternalError",
        "NotSupportedError",
        "DatabaseError",
        "InterfaceError",
    )
)


def quiet_driver_log() -> None:
    """For every PostgreSQL connection, direct or through the engine: psycopg logs, at
    WARNING, an error met while cleaning up after the one it raises (a COPY cut short by a
    dropped connection), and SQLAlchemy's pool logs, at ERROR with its traceback, the
    rollback that fails as it takes such a connection back ("Exception during reset or
    similar"). With no handler of ours, Python's last resort would print them on stderr
    above the one line the CLI prints for the error raised."""
    for name in ("psycopg", "sqlalchemy.pool"):
        log = logging.getLogger(name)
        if not any(isinstance(h, logging.NullHandler) for h in log.handlers):
            log.addHandler(logging.NullHandler())


def conninfo(db: str | None) -> str | None:
    """The libpq URL for a plain `postgresql+psycopg://` `db`, else None (SQLAlchemy reads
    `host` and `port` options itself, for several hosts: the full path takes those)."""
    value = db_given(db)
    if not value.startswith(SCHEME):
        return None
    query = parse_qs(urlsplit(value).query)
    if "host" in query or "port" in query:
        return None
    return "postgresql://" + value.removeprefix(SCHEME)


def connect(info: str, *, autocommit: bool = False) -> Any:
    """A psycopg connection to `info`, set up as the engine's are; None when it cannot be
    made (the full path says why)."""
    import psycopg

    quiet_driver_log()
    try:
        con = psycopg.connect(info, autocommit=autocommit)
    except (psycopg.Error, ValueError):
        return None
    try:
        # (why: engine._postgres_session)
        con.execute("SET jit = off")
        con.execute("SET TIME ZONE 'UTC'")
        if not autocommit:
            con.commit()
    except psycopg.Error:
        con.close()
        return None
    return con


def is_current(con: Any) -> bool:
    """Whether `con` reaches an annotator store at this annotator's revision."""
    import psycopg

    try:
        if con.execute("SELECT to_regclass('alembic_version')").fetchone() == (None,):
            return False
        return con.execute("SELECT version_num FROM alembic_version").fetchall() == [(HEAD,)]
    except psycopg.Error:
        return False
    finally:
        with suppress(psycopg.Error):
            con.rollback()


@contextmanager
def as_store_error(statement: str) -> Iterator[None]:
    """psycopg's errors as the line the full path gives for them once SQLAlchemy wrapped
    them (`errors.format_user_error`): a lost or refused connection says so and what to do;
    another error names its DB-API class and the driver's first line. The statement and its
    parameters (people's labels) are not shown."""
    import psycopg

    try:
        yield
    except psycopg.OperationalError as exc:
        raise database_unusable(exc) from exc
    except psycopg.Error as exc:
        names = (kind.__name__ for kind in type(exc).__mro__)
        kind = next((name for name in names if name in _DBAPI_ERRORS), "DBAPIError")
        first = (str(exc).splitlines() or [""])[0]
        where = f"{type(exc).__module__}.{type(exc).__name__}"
        raise StoreError(f"database: {kind}: ({where}) {first}") from exc
