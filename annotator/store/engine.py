"""The one engine factory: URL resolution, SQLite pragmas, migrations on open, sessions."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError
from sqlmodel import Session, create_engine

DEFAULT_DB_FILE = "annotator.db"
DB_ENV = "ANNOTATOR_DB"


class StoreError(Exception):
    """A store that cannot be opened or used; the message is one line for a person."""


def resolve_url(db: str | None = None) -> str:
    """`--db` beats `ANNOTATOR_DB` beats ./annotator.db. A bare path means a SQLite file."""
    value = db or os.environ.get(DB_ENV) or DEFAULT_DB_FILE
    if "://" not in value:
        return f"sqlite:///{Path(value).expanduser()}"
    return value


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    # Every connection, not just the first: pragmas other than journal_mode are per connection.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _postgres_session(dbapi_conn, _record) -> None:
    # The queue's per-key queries take a few ms; PostgreSQL's JIT would spend ~0.5 s compiling
    # the heavier ones (status and progress counts) before running them.
    cur = dbapi_conn.cursor()
    cur.execute("SET jit = off")
    cur.close()
    dbapi_conn.commit()


def make_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(f"{url}: not a database URL (give a file path or a URL)") from None
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            parent = Path(parsed.database).expanduser().resolve().parent
            if not parent.is_dir():
                raise StoreError(f"{parsed.database}: folder {parent} does not exist")
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    try:
        engine = create_engine(url, pool_pre_ping=True)
    except ModuleNotFoundError as exc:
        raise StoreError(
            f"{parsed.drivername}: driver {exc.name} is not installed "
            "(for PostgreSQL: pip install 'annotator[postgres]')"
        ) from None
    if parsed.get_backend_name() == "postgresql":
        event.listen(engine, "connect", _postgres_session)
    return engine


def open_store(db: str | None = None, *, migrate: bool = True) -> Engine:
    """Open (and bring up to date) the store named by `db`, the environment, or the default file."""
    url = resolve_url(db)
    engine = make_engine(url)
    if migrate:
        from annotator.store.migrate import upgrade

        upgrade(engine)
    return engine


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A short transaction: committed on success, rolled back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
