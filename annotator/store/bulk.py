"""Many rows into one table at once, straight to the driver, through a session; and the
driver's errors as SQLAlchemy's (`labels import` on the engine path reports them so).

SQLAlchemy's per-row parameter handling costs more than the database's own work at this
size, so the rows go to the driver as they are: one executemany on SQLite; COPY on
PostgreSQL, where executemany still runs an INSERT per row on the server (and multi-row
VALUES statements cost more to compile than they save). What lands is what SQLAlchemy would
have written: each value passes through its column type's own conversion. (`labels import`
itself writes through `label_db`, which needs no SQLAlchemy.)
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Table,
    insert,
)
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session


def converter(column: Column, dialect: Any) -> Any:
    """The function SQLAlchemy passes a value for `column` through (None: as it is)."""
    return column.type.dialect_impl(dialect).bind_processor(dialect)


def insert_rows(
    session: Session,
    table: Table,
    names: Sequence[str],
    rows: list[tuple[Any, ...]],
    *,
    stored: frozenset[str] = frozenset(),
) -> None:
    """Insert `rows` (tuples of values for the columns `names`) in the session's
    transaction. Columns named in `stored` already hold `db_value`s."""
    if not rows:
        return
    # A column left out that has a Python-side default: SQLAlchemy fills it (no caller of
    # `labels import` leaves one out now; kept for any that does).
    if any(c.default is not None and c.name not in names for c in table.c):
        assert not stored, "stored values would be converted twice"
        session.execute(insert(table), [dict(zip(names, row, strict=True)) for row in rows])
        return
    dialect = session.get_bind().dialect
    dbapi: Any = session.connection().connection.dbapi_connection
    if dialect.name == "postgresql":
        # psycopg converts Python values itself; a mapping or list goes as JSON text.
        encode = [i for i, n in enumerate(names) if n not in stored and _holds_json(table.c[n])]
        copy_in = f"COPY {table.name} ({', '.join(names)}) FROM STDIN"
        with (
            as_sqlalchemy_error(copy_in, dialect),
            dbapi.cursor() as cur,
            cur.copy(copy_in) as copy,
        ):
            for row in rows:
                if encode:
                    row = _json_at(row, encode)
                copy.write_row(row)
        return
    # Only the columns whose type converts a value pass through it (on SQLite: booleans,
    # dates, JSON), column by column; the rest go as they are.
    for i, name in enumerate(names):
        convert = None if name in stored else converter(table.c[name], dialect)
        if convert is not None:
            rows = [(*row[:i], convert(row[i]), *row[i + 1 :]) for row in rows]
    quote = dialect.identifier_preparer.quote
    statement = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
        f"VALUES ({', '.join('?' * len(names))})"
    )
    cursor = dbapi.cursor()
    try:
        with as_sqlalchemy_error(statement, dialect):
            cursor.executemany(statement, rows)
    finally:
        cursor.close()


def _holds_json(column: Column) -> bool:
    return isinstance(column.type, JSON)


def _json_at(row: tuple[Any, ...], at: list[int]) -> tuple[Any, ...]:
    values = list(row)
    for i in at:
        if isinstance(values[i], dict | list):
            values[i] = json.dumps(values[i])
    return tuple(values)


@contextmanager
def as_sqlalchemy_error(statement: str, dialect: Any) -> Iterator[None]:
    """The driver's own errors (raised here, outside SQLAlchemy) as SQLAlchemy's, so they are
    reported as any store error is: one line, exit 1 ("database is locked", a dropped
    connection), not as a bug. Parameters are hidden: they are people's labels."""
    try:
        yield
    except dialect.loaded_dbapi.Error as exc:
        raise DBAPIError.instance(
            statement, None, exc, dialect.loaded_dbapi.Error, hide_parameters=True, dialect=dialect
        ) from exc
