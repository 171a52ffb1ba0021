"""Many rows into one table at once, straight to the driver (`labels import`'s writes).

SQLAlchemy's per-row parameter handling costs more than the database's own work at this
size, so the rows go to the driver as they are: one executemany on SQLite; COPY on
PostgreSQL, where executemany still runs an INSERT per row on the server (and multi-row
VALUES statements cost more to compile than they save). What lands is what SQLAlchemy would
have written: each value passes through its column type's own conversion.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import ARRAY, Column, ColumnElement, Table, any_, bindparam, insert
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session


def converter(column: Column, dialect: Any) -> Any:
    """The function SQLAlchemy passes a value for `column` through (None: as it is)."""
    return column.type.dialect_impl(dialect).bind_processor(dialect)


def db_value(session: Session, column: Column, value: Any) -> Any:
    """`value` as `insert_rows` passes it on for `column`, for a value many rows share:
    converted once, then named in `stored`. On SQLite that is SQLAlchemy's conversion (JSON
    text, its date text); PostgreSQL's COPY takes Python values, which psycopg converts."""
    dialect = session.get_bind().dialect
    if dialect.name == "postgresql":
        return json.dumps(value) if isinstance(value, dict | list) else value
    convert = converter(column, dialect)
    return value if convert is None else convert(value)


def among(session: Session, column: Column, values: list[Any]) -> ColumnElement[bool]:
    """`column IN values` for a batch's lookups. On PostgreSQL the list goes as one array
    (`= ANY(:array)`): hundreds of separate parameters cost SQLAlchemy, the driver and the
    server's parser more than the lookup (a quarter of its time at 700 text hashes)."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(values)


def insert_rows(
    session: Session,
    table: Table,
    rows: list[dict[str, Any]],
    *,
    stored: frozenset[str] = frozenset(),
) -> None:
    """Insert `rows` (dicts with the same keys, in the same order) in the session's
    transaction. Columns named in `stored` already hold `db_value`s."""
    if not rows:
        return
    names = list(rows[0])
    # Python-side defaults (document.imported_at) are SQLAlchemy's to fill: few rows.
    if any(c.default is not None and c.name not in names for c in table.c):
        assert not stored, "stored values would be converted twice"
        session.execute(insert(table), rows)
        return
    dialect = session.get_bind().dialect
    dbapi: Any = session.connection().connection.dbapi_connection
    if dialect.name == "postgresql":
        copy_in = f"COPY {table.name} ({', '.join(names)}) FROM STDIN"
        with (
            as_sqlalchemy_error(copy_in, dialect),
            dbapi.cursor() as cur,
            cur.copy(copy_in) as copy,
        ):
            for row in rows:
                copy.write_row(
                    [json.dumps(v) if isinstance(v, dict | list) else v for v in row.values()]
                )
        return
    convert = [None if n in stored else converter(table.c[n], dialect) for n in names]
    if any(convert):
        params = [
            tuple(v if f is None else f(v) for v, f in zip(row.values(), convert, strict=True))
            for row in rows
        ]
    else:
        params = [tuple(row.values()) for row in rows]
    quote = dialect.identifier_preparer.quote
    statement = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
        f"VALUES ({', '.join('?' * len(names))})"
    )
    cursor = dbapi.cursor()
    try:
        with as_sqlalchemy_error(statement, dialect):
            cursor.executemany(statement, params)
    finally:
        cursor.close()


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
