"""The SQL `labels import` runs, on a DB-API connection (sqlite3 or psycopg) without
SQLAlchemy: a current store is written through its driver alone, sqlite3 or psycopg
(loading SQLAlchemy, SQLModel and the models costs a tenth of an import of 100,000 records
on SQLite, 0.3-0.4 s on PostgreSQL), and on every path the rows go to the driver as they
are (SQLAlchemy's per-row parameter handling costs more than the database's own work at
this size).

Values are stored as SQLAlchemy's column types store them: on SQLite, JSON as `json.dumps`
text and times as 'YYYY-MM-DD HH:MM:SS.ffffff' text (`stamp`, `json_text`); PostgreSQL
takes Python values, which psycopg converts (JSON goes as its text). SQL texts use `?`
for parameters; on PostgreSQL they become `%s`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from datetime import datetime
from typing import Any

Guard = Callable[[str], AbstractContextManager[None]]
# COPY's text format: a row per line, columns split by tabs, \N for NULL, and a backslash
# before the characters that would end a field or a row (and before itself).
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})


class LabelDb:
    """The store's connection, as `labels import` uses it. `guard(sql)` turns the
    driver's errors into the ones the caller reports (SQLAlchemy's on the engine path, a
    `StoreError` on the sqlite3 path)."""

    def __init__(self, connection: Callable[[], Any], *, postgres: bool, guard: Guard) -> None:
        self._connection = connection  # the connection to use now (a session's may change)
        self.postgres = postgres
        self.guard = guard

    @classmethod
    def of_session(cls, session: Any) -> LabelDb:
        """The driver's connection under a SQLAlchemy `session` (the engine path), its errors
        raised as SQLAlchemy's, as the rest of that path raises them."""
        from annotator.store.bulk import as_sqlalchemy_error

        dialect = session.get_bind().dialect
        return cls(
            lambda: session.connection().connection.dbapi_connection,
            postgres=dialect.name == "postgresql",
            guard=lambda sql: as_sqlalchemy_error(sql, dialect),
        )

    @classmethod
    @contextmanager
    def second_connection(cls, engine: Any) -> Iterator[LabelDb]:
        """Another connection of `engine` (PostgreSQL) for an import's lookups and new ids,
        while the session's connection writes and commits the batch before: it only reads
        (what is committed) and takes ids from sequences, so it never holds a write."""
        from annotator.store.bulk import as_sqlalchemy_error

        dialect = engine.dialect
        raw = engine.raw_connection()
        driver = raw.driver_connection

        def guard(sql: str) -> AbstractContextManager[None]:
            return as_sqlalchemy_error(sql, dialect)

        try:
            with guard("autocommit"):
                raw.rollback()  # (a pooled connection may be in a transaction of its own)
                driver.autocommit = True  # each lookup on its own: no transaction held open
            yield cls(lambda: driver, postgres=dialect.name == "postgresql", guard=guard)
        finally:
            with suppress(dialect.loaded_dbapi.Error):  # (a broken one is closed all the same)
                driver.autocommit = False  # as the pool lends its connections
            raw.close()

    @property
    def con(self) -> Any:
        return self._connection()

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.postgres else sql

    # --- running SQL -------------------------------------------------------------------

    @contextmanager
    def _cursor(self, sql: str) -> Iterator[Any]:
        """A cursor for `sql` (already in the driver's parameter style), its errors guarded."""
        with self.guard(sql):
            cur = self.con.cursor()
            try:
                yield cur
            finally:
                cur.close()

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        sql = self._sql(sql)
        with self._cursor(sql) as cur:
            cur.execute(sql, params)
            return [tuple(row) for row in cur.fetchall()]

    def run(self, sql: str, params: Sequence[Any] = ()) -> None:
        sql = self._sql(sql)
        with self._cursor(sql) as cur:
            cur.execute(sql, params)

    def many(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        sql = self._sql(sql)
        with self._cursor(sql) as cur:
            cur.executemany(sql, rows)

    def insertion(
        self, table: str, names: Sequence[str], rows: list[tuple[Any, ...]]
    ) -> Callable[[], None]:
        """The insert of `rows` (values for the columns `names`, as `stamp`/`json_text` give
        them) into `table`, to run now or later: one executemany on SQLite; COPY on
        PostgreSQL, where executemany still runs an INSERT per row on the server. The COPY's
        text is made here (`copy_text`), on the thread that plans the batch: the thread that
        writes it then sends one buffer, where psycopg's `write_row` would format each row
        there, taking Python's lock from the planning thread at every turn (the server then
        waited: 0.3 s of an import of 100,000 records)."""
        columns = ", ".join(f'"{n}"' for n in names)
        if not self.postgres:
            insert = f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' * len(names))})"
            return lambda: self.many(insert, rows)
        copy_in = f"COPY {table} ({columns}) FROM STDIN"
        text = copy_text(rows)

        def send() -> None:
            with self.guard(copy_in), self.con.cursor() as cur, cur.copy(copy_in) as copy:
                copy.write(text)

        return send

    # --- values and lists --------------------------------------------------------------

    def listed(self, values: Sequence[Any], sql_type: str) -> tuple[str, Any]:
        """`IN values` for a batch's lookups (append to a column), with its one parameter:
        hundreds of separate ones cost the driver and the parser more than the lookup
        itself. SQLite reads a JSON list (`json_each`), PostgreSQL an array (`= ANY`); both
        still search the column's index per value. `sql_type`: bigint or text."""
        if self.postgres:
            return f" = ANY(?::{sql_type}[])", list(values)
        return " IN (SELECT value FROM json_each(?))", json.dumps(list(values))

    def stamp(self, when: datetime | None) -> Any:
        """A time as the store's DateTime columns hold it (SQLite: SQLAlchemy's text)."""
        if when is None or self.postgres:
            return when
        return (
            f"{when.year:04d}-{when.month:02d}-{when.day:02d} "
            f"{when.hour:02d}:{when.minute:02d}:{when.second:02d}.{when.microsecond:06d}"
        )

    def json_text(self, value: Any) -> str:
        """A JSON column's value as stored (SQLAlchemy's JSON type writes `json.dumps`)."""
        return json.dumps(value)

    def new_ids(self, table: str, count: int) -> list[int]:
        """`count` ids for new rows of `table`, so rows go in with their ids and none is read
        back. PostgreSQL takes them from the table's sequence (one round trip); SQLite gives
        a new row the largest id plus one, so once this connection holds the write lock (no
        other writer until it commits) the next ids are known."""
        if count <= 0:
            return []
        if self.postgres:
            # The sequence's name looked up once (MATERIALIZED: else the planner inlines
            # the lookup into every row, which costs the server eight times the nextval).
            found = self.rows(
                "WITH s AS MATERIALIZED "
                f"(SELECT pg_get_serial_sequence('{table}', 'id')::regclass AS seq) "
                "SELECT nextval(s.seq) FROM s, generate_series(1, ?)",
                (count,),
            )
            return [row[0] for row in found]
        if not self.con.in_transaction:
            self.run("BEGIN IMMEDIATE")
        last = self.rows(f"SELECT max(id) FROM {table}")[0][0] or 0
        return list(range(last + 1, last + 1 + count))


def copy_text(rows: list[tuple[Any, ...]]) -> str:
    """`rows` in COPY's text format, for the values `labels import` writes: text,
    whole numbers, booleans, times (ISO 8601: an aware time keeps its offset, a naive one is
    read in the session's time zone, as psycopg sends them) and NULL. Any other value (a
    subclass too) is a mistake here, and raises rather than guessing its text."""
    escapes = _COPY_ESCAPES
    times: dict[int, str] = {}  # a batch's rows share a time or two: each written out once

    def cell(value: Any) -> str:
        kind = type(value)
        if kind is str:  # (most hold nothing to escape: four scans cost a twentieth of it)
            if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
                return value.translate(escapes)
            return value
        if kind is int:
            return str(value)
        if value is None:
            return "\\N"
        if kind is bool:
            return "t" if value else "f"
        if kind is datetime:
            text = times.get(id(value))  # (alive in `rows` for the whole call)
            if text is None:
                text = times[id(value)] = str(value)
            return text
        raise TypeError(f"copy_text: no COPY text for {type(value).__name__}")

    lines = ["\t".join(map(cell, row)) for row in rows]
    lines.append("")
    return "\n".join(lines)  # (psycopg encodes it as the connection's client encoding asks)
