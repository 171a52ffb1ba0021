"""The one engine factory: URL resolution, SQLite pragmas, migrations on open, sessions."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Literal

from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlmodel import Session, create_engine

from annotator.store.errors import StoreError as StoreError  # where the commands import it
from annotator.store.postgres_direct import quiet_driver_log
from annotator.store.sqlite_direct import WRITE_PRAGMAS, db_given

# What a command may do to the store it opens: `create` it (and bring it up to date: init),
# `write` to one that exists (upgrading it if it is older), or only `read` one that is
# current, never changing it (status, export, agreement: an archived or foreign file stays
# as it was, and a store in a read-only folder can still be read).
Access = Literal["create", "write", "read"]


def resolve_url(db: str | None = None) -> str:
    """`--db` beats `ANNOTATOR_DB` beats ./annotator.db. A bare path means a SQLite file."""
    value = db_given(db)
    if "://" not in value:
        # Built, not formatted: a '?' or '#' in a file name is part of the name.
        path = str(Path(value).expanduser())
        return URL.create("sqlite", database=path).render_as_string(hide_password=False)
    return value


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    # Every connection, not just the first: pragmas other than journal_mode are per connection.
    cur = dbapi_conn.cursor()
    for pragma in WRITE_PRAGMAS:
        cur.execute(f"PRAGMA {pragma}")
    cur.close()


def _postgres_session(dbapi_conn, _record) -> None:
    # The queue's per-key queries take a few ms; PostgreSQL's JIT would spend ~0.5 s compiling
    # the heavier ones (status and progress counts) before running them.
    cur = dbapi_conn.cursor()
    cur.execute("SET jit = off")
    # Times are UTC in the store: a column without a time zone keeps an aware UTC time as it
    # is only when the session's zone is UTC, whatever the server's own setting says.
    cur.execute("SET TIME ZONE 'UTC'")
    cur.close()
    dbapi_conn.commit()


def _sqlite_read_pragmas(dbapi_conn, _record) -> None:
    # No journal_mode: setting it writes the file header, which a read-only open refuses.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def _sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names (None for another database or an in-memory one)."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:" or parsed.database.startswith("file:"):
        return None
    return Path(parsed.database).expanduser()


def _read_only_url(path: Path) -> str:
    """A URL that opens `path` for reading only. A WAL store needs its -shm file, which a
    read-only folder cannot hold; then the file is opened as immutable (nothing can be
    writing it there either)."""
    uri = path.resolve().as_uri()
    options = "mode=ro"
    try:
        probe = sqlite3.connect(f"{uri}?{options}", uri=True)
        try:
            probe.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            probe.close()
    except sqlite3.OperationalError:
        options = "mode=ro&immutable=1"
    query = dict(item.split("=") for item in options.split("&"))
    url = URL.create("sqlite", database=uri, query={**query, "uri": "true"})
    return url.render_as_string(hide_password=False)


def make_engine(url: str, *, read_only: bool = False) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(f"{url}: not a database URL (give a file path or a URL)") from None
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            parent = Path(parsed.database).expanduser().resolve().parent
            if not parent.is_dir():
                raise StoreError(f"{parsed.database}: folder {parent} does not exist")
        path = _sqlite_file(url)
        if read_only and path is not None:
            engine = create_engine(_read_only_url(path), connect_args={"check_same_thread": False})
            event.listen(engine, "connect", _sqlite_read_pragmas)
            return engine
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
        quiet_driver_log()
    return engine


def store_name(engine: Engine) -> str:
    """The store as a person names it: the file for SQLite, else the URL without password."""
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return url.database
    return url.render_as_string(hide_password=True)


def open_store(db: str | None = None, *, migrate: bool = True, access: Access = "create") -> Engine:
    """Open the store named by `db`, the environment, or the default file; see `Access`.

    `create` (the default) makes the store if needed and brings it up to date unless
    `migrate` is False; `write` and `read` refuse a file that is not an annotator store,
    and `read` one that is not current.
    """
    url = resolve_url(db)
    path = _sqlite_file(url)
    if access != "create" and path is not None and not path.is_file():
        raise StoreError(f"{path}: no annotator store yet: run `annotator init` first")
    engine = make_engine(url, read_only=access == "read")
    from annotator.store.migrate import prepare

    # Messages name the store as the user gave it (not the read-only URI made from it).
    where = str(path) if path is not None else engine.url.render_as_string(hide_password=True)
    if access == "create":
        if migrate:
            prepare(engine, create=True, upgrade=True, where=where)
    else:
        prepare(engine, create=False, upgrade=access == "write", where=where)
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


def project_folder(engine: Engine) -> Path:
    """The folder a project's relative paths start from: the SQLite store's, else (a
    server database) the current directory."""
    url = engine.url
    name = url.database or ""
    if url.get_backend_name() != "sqlite" or name in ("", ":memory:"):
        return Path.cwd()
    if name.startswith("file:"):  # a read-only store is opened by URI
        from urllib.parse import unquote, urlparse

        name = unquote(urlparse(name).path)
    return Path(name).expanduser().resolve().parent


@contextmanager
def large_cache(session: Session) -> Iterator[None]:
    """A 64 MB SQLite page cache while a batch is written, so the indexes a large import
    grows stay in memory; then the connection's own size again (it is pooled, and a
    reader that kept 64 MB of pages read once would hold them for its life)."""
    conn = session.connection()
    if conn.dialect.name != "sqlite":
        yield
        return
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql("PRAGMA cache_size=-65536")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size={int(before or -2000)}")


class Interrupted(SQLAlchemyError):
    """A statement stopped by `interruptible`'s stop function."""


@contextmanager
def interruptible(session: Session) -> Iterator[Callable[[], None]]:
    """A stop function for the reads `session` runs in the body, callable from another
    thread: the statement running then fails (SQLite interrupts it; PostgreSQL: the server
    cancels it) and so does every later one. For long reads nobody
    waits for any more (counts over a large store); never for writes."""
    conn = session.connection()
    raw = conn.connection.dbapi_connection
    stopped = threading.Event()

    def refuse(*_args: object) -> None:
        if stopped.is_set():
            raise Interrupted("stopped: nobody waits for this read any more")

    lite = raw if isinstance(raw, sqlite3.Connection) else None

    def stop() -> None:
        stopped.set()
        if lite is not None:
            _quietly(lite.interrupt)  # (thread-safe; a no-op when no statement runs)
            return
        cancel = getattr(raw, "cancel", None)  # psycopg: connects to the server to ask, so
        if cancel is not None:  # not on the caller's thread (the screen's, as it quits)
            threading.Thread(target=_quietly, args=(cancel,), daemon=True).start()

    event.listen(conn, "before_cursor_execute", refuse)
    if lite is not None:
        # For a statement that had not begun when interrupt() came. Rare: each call takes
        # Python's lock, which costs the count dearly while another thread is busy.
        lite.set_progress_handler(stopped.is_set, 1_000_000)
    try:
        yield stop
    finally:
        if lite is not None:
            lite.set_progress_handler(None, 0)  # the connection goes back to the pool
        event.remove(conn, "before_cursor_execute", refuse)


def _quietly(call: Callable[[], object]) -> None:
    with suppress(Exception):  # finished or closed meanwhile: nothing to stop
        call()
