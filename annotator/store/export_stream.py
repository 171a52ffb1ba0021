"""The store read for an export: the project's units in id order, each with its annotations.

Every query an export runs over the store tables lives here; ``annotator.export`` turns
what this stream gives into files.

Two ordered queries stream side by side, the project's units and their annotations, and
are merged by unit id; documents are read in pages as they are first needed, and
adjudications (when the project has any) in a third ordered stream. Memory stays flat and
no query runs per unit or per page of units. Filters on annotations (annotator, status,
since) run in SQL; a unit left with no annotation is passed over unless asked for.

On SQLite the queries run on the raw DB-API cursor (no ORM objects, no type processing),
the engine's or a sqlite3 connection of `store.sqlite_direct` (same SQL, same rows); on
PostgreSQL the same SQL runs as server-side cursors (``stream_results``), with JSON cast
to text and timestamps formatted by the server. Either way the
stream gives plain tuples: annotation values as their stored JSON text, so a writer may
splice them into its output instead of decoding and re-encoding them, and timestamps as
SQLite stores them, UTC text 'YYYY-MM-DD HH:MM:SS.ffffff' (``iso_text`` makes them ISO
8601; writers do it inline, which costs less than doing it in SQL).

    unit:       (id, document_id, position, kind, text[, tokens as JSON text])
    annotation: (unit_id, annotator_id, values JSON text, status, comment, seconds,
                 schema_version_id, created_at, updated_at, assisted)

`assisted`: whether the model's suggestions were on the screen when the label was given
(None: not given on the annotate screen, say imported).
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import groupby
from operator import itemgetter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine


PROGRESS_EVERY = 2_000  # units read between progress reports
STREAM_CHUNK = 5_000  # rows per fetch from a server-side cursor
DOC_PAGE = 2_000  # documents per lookup query
DOC_CACHE = 5_000  # documents kept before the cache is dropped (they come in id order)
VALUES = 'a."values"'  # a reserved word in SQL, so always quoted
NO_ANNOTATION = (None,) * 9  # an annotation tuple's fields after the unit id: none
Unit = tuple[Any, ...]
Ann = tuple[Any, ...]


@dataclass(frozen=True)
class Filters:
    """Which annotations an export sees; a unit none of them touch is left out."""

    annotators: frozenset[str] | None = None  # None: everyone
    statuses: tuple[str, ...] | None = None  # None: any status
    since: datetime | None = None  # updated at or after
    include_unannotated: bool = False  # units with no (matching) annotation too


def iso_text(raw: str | None) -> str | None:
    """Stored UTC text -> ISO 8601 to the microsecond with a ``Z`` (fixed width, so the text
    sorts as the instants do)."""
    return None if raw is None else f"{raw.replace(' ', 'T', 1)}Z"  # as the writers inline it


class UnitStream:
    """One pass over a project for an export. Iterate for ``(unit, annotations, gold)``, or
    take ``flat_chunks`` for writers of a record per annotation.

    `names` (annotator id -> name) and `hashes` (schema version id -> content hash) map the
    ids in the annotation tuples; `document(id)` gives a unit's document as a dict; `gold`
    is the unit's adjudicated values {task: value} or None.
    """

    def __init__(
        self,
        conn: Connection | sqlite3.Connection,
        project_id: int,
        filters: Filters | None = None,
        *,
        with_tokens: bool = False,
    ) -> None:
        self.conn = conn
        self.project_id = project_id
        self.filters = filters or Filters()
        self.with_tokens = with_tokens
        self.raw: Any = None  # the sqlite3 connection the SQL runs on, if SQLite
        if isinstance(conn, sqlite3.Connection):
            self.raw = conn
        elif conn.dialect.name == "sqlite":
            self.raw = conn.connection.dbapi_connection
        self.sqlite = self.raw is not None
        # (iter: dict() would take a SQLAlchemy result, which has keys(), for a mapping)
        self.names: dict[int, str] = dict(iter(self._rows("SELECT id, name FROM annotator", {})))
        self.hashes: dict[int, str] = dict(
            iter(
                self._rows(
                    "SELECT id, content_hash FROM schemaversion WHERE project_id = :p",
                    {"p": project_id},
                )
            )
        )
        self._docs: dict[int, dict[str, Any]] = {}
        self._doc_texts: dict[int, str] = {}
        # Sees every unit (or chunk) the stream gives, e.g. the dataset card's counts: an
        # object with ``unit(stream, unit, anns, gold)`` and ``chunk(stream, units, anns,
        # golds)`` (``export.card_stream.StreamCard``).
        self.watch: Any = None
        # Told how many more units have been read, now and then (a progress bar).
        self.progress: Callable[[int], None] | None = None
        self._conds, self._params = self._annotation_conditions()

    # --- plumbing ----------------------------------------------------------------------

    def _rows(self, sql: str, params: dict[str, Any], *, stream: bool = False) -> Any:
        """An iterator of row tuples that also has ``fetchmany`` (a DB-API cursor or a
        SQLAlchemy result); `stream` keeps a large result on the server (PostgreSQL)."""
        if self.raw is not None:
            return self.raw.execute(sql, params)
        from sqlalchemy import text

        assert not isinstance(self.conn, sqlite3.Connection)
        options = {"stream_results": True, "yield_per": STREAM_CHUNK} if stream else {}
        return self.conn.execute(text(sql), params, execution_options=options)

    def _json(self, col: str) -> str:
        return col if self.sqlite else f"CAST({col} AS TEXT)"

    def _stamp(self, col: str) -> str:
        """A timestamp column as stored UTC text (SQLite keeps it so; others format it)."""
        if self.sqlite:
            return col
        return f"to_char({col} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"

    def _annotation_conditions(self) -> tuple[str, dict[str, Any]]:
        f = self.filters
        # Answers to check items are never ordinary labels (see store.checks): no export
        # carries them; a check unit's gold is its known answer (`known_checks`).
        conds: list[str] = ["NOT a.is_check"]
        params: dict[str, Any] = {}
        if f.annotators is not None:
            ids = [i for i, name in self.names.items() if name in f.annotators]
            if not ids:
                conds.append("1 = 0")
            else:
                conds.append(f"a.annotator_id IN ({_bind('who', ids, params)})")
        if f.statuses is not None:
            conds.append(f"a.status IN ({_bind('st', f.statuses, params)})")
        if f.since is not None:
            since = f.since if f.since.tzinfo else f.since.replace(tzinfo=UTC)
            if self.sqlite:  # compare as stored: naive UTC text
                params["since"] = since.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
            else:
                params["since"] = since
            conds.append("a.updated_at >= :since")
        return "".join(f" AND {c}" for c in conds), params

    # --- the three streams -------------------------------------------------------------

    def _unit_columns(self) -> str:
        cols = "u.id, u.document_id, u.position, u.kind, u.text"
        return cols + ", " + self._json("u.tokens") if self.with_tokens else cols

    def _units(self) -> Iterator[Unit]:
        # Every unit of the project: the merge passes over those without annotations. (An
        # EXISTS test here costs more than it saves unless few units are annotated.)
        sql = f"SELECT {self._unit_columns()} FROM unit u WHERE u.project_id = :p ORDER BY u.id"
        return iter(self._rows(sql, {"p": self.project_id}, stream=True))

    def units_between(self, first: int, last: int) -> list[Unit]:
        """The project's units with ids from `first` to `last`, in id order."""
        sql = (
            f"SELECT {self._unit_columns()} FROM unit u "
            "WHERE u.project_id = :p AND u.id BETWEEN :first AND :last ORDER BY u.id"
        )
        return list(self._rows(sql, {"p": self.project_id, "first": first, "last": last}))

    def flat_chunks(self, size: int) -> Iterator[tuple[list[Unit], list[Ann], dict[int, Any]]]:
        """For writers of a record per annotation (no grouping by unit): the annotations in
        lists of about `size`, each with the units they belong to (and maybe a few more) and
        those units' adjudicated values (unit id -> {task: value}). A unit's annotations are
        never split between two lists, so a writer can compute per-unit gold from one.

        With `include_unannotated`, a unit nobody annotated comes with one annotation tuple
        of Nones (its record has no annotator). Otherwise no Python runs per unit: the
        annotations are fetched `size` at a time and their units by one id-range query.
        """
        if self.filters.include_unannotated:
            units: list[Unit] = []
            anns: list[Ann] = []
            golds: dict[int, Any] = {}
            for unit, unit_anns, gold in self:
                units.append(unit)
                anns.extend(unit_anns or [(unit[0], *NO_ANNOTATION)])
                if gold:
                    golds[unit[0]] = gold
                if len(anns) >= size:
                    yield units, anns, golds
                    units, anns, golds = [], [], {}
            if anns:
                yield units, anns, golds
            return
        cursor = self._annotations()
        has_golds = self._has_adjudications()
        carry: list[Ann] = []
        while True:
            rows = cursor.fetchmany(size)
            chunk = carry + list(rows) if carry else list(rows)
            if not chunk:
                return
            if rows:  # hold back the last unit: more of its annotations may follow
                last = chunk[-1][0]
                cut = len(chunk)
                while cut and chunk[cut - 1][0] == last:
                    cut -= 1
                if not cut:
                    carry = chunk
                    continue
                chunk, carry = chunk[:cut], chunk[cut:]
            else:
                carry = []
            first, last = chunk[0][0], chunk[-1][0]
            adjudicated = self.adjudicated_between(first, last) if has_golds else {}
            units = self.units_between(first, last)
            if self.watch is not None:
                self.watch.chunk(self, units, chunk, adjudicated)
            if self.progress is not None:
                self.progress(len({a[0] for a in chunk}))
            yield units, chunk, adjudicated

    def _annotations(self) -> Any:
        sql = (
            f"SELECT a.unit_id, a.annotator_id, {self._json(VALUES)}, "
            "a.status, a.comment, a.seconds, a.schema_version_id, "
            f"{self._stamp('a.created_at')}, {self._stamp('a.updated_at')}, a.assisted "
            "FROM unit u JOIN annotation a ON a.unit_id = u.id "
            f"WHERE u.project_id = :p{self._conds} "
            "ORDER BY u.id, a.annotator_id"
        )
        return self._rows(sql, {"p": self.project_id, **self._params}, stream=True)

    _ADJ_FROM = "FROM adjudication j JOIN unit u ON u.id = j.unit_id WHERE u.project_id = :p"

    def _has_adjudications(self) -> bool:
        sql = f"SELECT 1 {self._ADJ_FROM} LIMIT 1"
        return next(iter(self._rows(sql, {"p": self.project_id})), None) is not None

    def _adjudications(self) -> Iterator[tuple[int, str, Any]] | None:
        if not self._has_adjudications():
            return None
        sql = (
            f"SELECT j.unit_id, j.task, {self._json('j.value')} {self._ADJ_FROM} "
            "ORDER BY j.unit_id, j.id"
        )
        return iter(self._rows(sql, {"p": self.project_id}, stream=True))

    def adjudicated_between(self, first: int, last: int) -> dict[int, dict[str, Any]]:
        """Unit id -> {task: adjudicated value} for the units with ids `first` to `last`."""
        sql = (
            f"SELECT j.unit_id, j.task, {self._json('j.value')} {self._ADJ_FROM} "
            "AND j.unit_id BETWEEN :first AND :last ORDER BY j.unit_id, j.id"
        )
        out: dict[int, dict[str, Any]] = {}
        params = {"p": self.project_id, "first": first, "last": last}
        for uid, task, value in self._rows(sql, params):
            out.setdefault(uid, {})[task] = _loads(value)
        return out

    def known_checks(self) -> dict[int, dict[str, Any]]:
        """Unit id -> known answer, for every check item of the project (a few thousand at
        most: read whole)."""
        values = self._json('c."values"')
        sql = f"SELECT c.unit_id, {values} FROM checkitem c WHERE c.project_id = :p"
        return {uid: _loads(v) or {} for uid, v in self._rows(sql, {"p": self.project_id})}

    def check_answers(self) -> int:
        """Answers to check items in the project: left out of every export."""
        sql = (
            "SELECT count(*) FROM annotation a JOIN unit u ON u.id = a.unit_id "
            "WHERE u.project_id = :p AND a.is_check"
        )
        return int(next(iter(self._rows(sql, {"p": self.project_id})))[0])

    def total_units(self) -> int:
        sql = "SELECT count(*) FROM unit WHERE project_id = :p"
        return int(next(iter(self._rows(sql, {"p": self.project_id})))[0])

    _DOC_PAGE = "FROM document WHERE project_id = :p AND id >= :first ORDER BY id LIMIT :n"

    def document(self, doc_id: int) -> dict[str, Any]:
        found = self._docs.get(doc_id)
        if found is not None:
            return found
        if len(self._docs) > DOC_CACHE:
            self._docs.clear()
        sql = (
            f"SELECT id, title, url, outlet, {self._stamp('published')}, lang, source_path "
            + self._DOC_PAGE
        )
        for did, title, url, outlet, published, lang, source in self._rows(
            sql, {"p": self.project_id, "first": doc_id, "n": DOC_PAGE}
        ):
            self._docs[did] = {
                "id": did,
                "title": title,
                "url": url,
                "outlet": outlet,
                "published": iso_text(published),
                "lang": lang,
                "source_path": source,
            }
        return self._docs[doc_id]

    def document_json(self, doc_id: int) -> str:
        """`document(doc_id)` as compact JSON text, as ``json.dumps`` with
        ``ensure_ascii=False, separators=(",", ":")`` writes it, for a writer that splices it
        into its own text (every jsonl line holds its document). On SQLite, SQLite's JSON
        functions build it in the query, a page at a time (their escapes are Python's: a
        test holds the two equal), instead of a dict and an encoding per document."""
        found = self._doc_texts.get(doc_id)
        if found is not None:
            return found
        if len(self._doc_texts) > DOC_CACHE:
            self._doc_texts.clear()
        if not self.sqlite:
            found = self._doc_texts[doc_id] = _compact(self.document(doc_id))
            return found
        # (the stored UTC text made ISO 8601 as `iso_text` makes it: the first space a T)
        space = "instr(published, ' ')"
        iso = (
            f"CASE WHEN {space} THEN substr(published, 1, {space} - 1) || 'T' || "
            f"substr(published, {space} + 1) || 'Z' ELSE published || 'Z' END"
        )
        fields = ", ".join(
            f"'{name}', {iso if name == 'published' else name}"
            for name in ("id", "title", "url", "outlet", "published", "lang", "source_path")
        )
        sql = f"SELECT id, json_object({fields}) " + self._DOC_PAGE
        self._doc_texts.update(
            self._rows(sql, {"p": self.project_id, "first": doc_id, "n": DOC_PAGE})
        )
        return self._doc_texts[doc_id]

    def __iter__(self) -> Iterator[tuple[Unit, list[Ann], dict[str, Any] | None]]:
        keep_empty = self.filters.include_unannotated
        groups = groupby(iter(self._annotations()), key=itemgetter(0))
        g_uid, g_rows = next(groups, (None, None))
        adjudications = self._adjudications()
        golds = groupby(adjudications, key=itemgetter(0)) if adjudications is not None else None
        j_uid, j_rows = next(golds, (None, None)) if golds is not None else (None, None)
        seen = 0
        for unit in self._units():
            uid = unit[0]
            seen += 1
            if seen == PROGRESS_EVERY and self.progress is not None:
                self.progress(seen)
                seen = 0
            # The two queries may see different snapshots if someone writes meanwhile:
            # annotations of a unit the unit query did not return are passed over.
            while g_uid is not None and g_uid < uid:
                g_uid, g_rows = next(groups, (None, None))
            if g_uid == uid:
                anns = list(g_rows)  # type: ignore[arg-type]
                g_uid, g_rows = next(groups, (None, None))
            elif keep_empty:
                anns = []
            else:
                continue
            gold = None
            if golds is not None:
                while j_uid is not None and j_uid < uid:
                    j_uid, j_rows = next(golds, (None, None))
                if j_uid == uid:
                    gold = {task: _loads(value) for _, task, value in j_rows}  # type: ignore[union-attr]
                    j_uid, j_rows = next(golds, (None, None))
            if self.watch is not None:
                self.watch.unit(self, unit, anns, gold)
            yield unit, anns, gold
        if self.progress is not None:
            self.progress(seen)


def _bind(prefix: str, values: Any, params: dict[str, Any]) -> str:
    """Named parameters for an IN list: adds them to `params`, returns ':p0, :p1, ...'."""
    names = [f"{prefix}{i}" for i in range(len(values))]
    params.update(zip(names, values, strict=True))
    return ", ".join(f":{n}" for n in names)


def _loads(value: str | None) -> Any:
    return json.loads(value) if value is not None else None


_compact = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


@contextmanager
def open_stream(
    source: Engine | sqlite3.Connection,
    project_id: int,
    filters: Filters | None = None,
    *,
    with_tokens: bool = False,
) -> Iterator[UnitStream]:
    """A `UnitStream` on its own connection of the engine, closed (and its cursors with it)
    at the end; on a sqlite3 connection, the stream reads through it (its owner closes it).

    It reads with SQLite's default small page cache: one ordered pass reads each page about
    once (the 64 MB cache is only set around import batches, see ingest.pipeline)."""
    if isinstance(source, sqlite3.Connection):
        yield UnitStream(source, project_id, filters, with_tokens=with_tokens)
        return
    from sqlalchemy.exc import DBAPIError

    conn = source.connect()
    try:
        yield UnitStream(conn, project_id, filters, with_tokens=with_tokens)
    finally:
        # Only reads ran here: a connection dropped after the last row can fail its closing
        # rollback, which loses nothing, so it must not fail an export already written whole.
        with contextlib.suppress(DBAPIError):
            conn.close()
