"""`labels import` formats its COPY rows itself on PostgreSQL (store.label_db.copy_text, so
the thread that writes sends one buffer): what lands must be what psycopg's own `write_row`
lands, for every kind of value the import writes. The round trip needs
ANNOTATOR_TEST_PG_URL (skipped without it)."""

from __future__ import annotations

import os
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone

import pytest

from annotator.store import postgres_direct
from annotator.store.label_db import LabelDb, copy_text
from tests.conftest import PG_ENV, _pg_schema_url

ROWS = [
    (1, "plain", '{"bias": "biased"}', True, datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC), 7),
    # every character COPY's text format escapes, and some it does not
    (2, 'tab\there, new\nline, cr\r, back\\slash, \\N, "quotes", \u2028, 中文, 😀', None, False,
     datetime(2024, 2, 3, 4, 5, 6, tzinfo=timezone(timedelta(hours=2))), None),
    (3, "\\.", '{"q": "a \\"quoted\\" \\\\ word\\n"}', False,
     datetime(2024, 2, 3, 4, 5, 6), 0),  # (naive: read in the session's zone, UTC)
    (4, "", "[]", None, None, -2_147_483_648),
    # each on its own (a string is escaped only if it holds one)
    *((5 + i, f"only {c} here", None, None, None, None) for i, c in enumerate("\\\t\n\r")),
]  # fmt: skip
COLUMNS = ("id", "t", "j", "b", "at", "n")
LATIN1_ROW = (2, "café, Zürich, tab\there", '{"c": "ñ"}', True, None, 1)


def test_a_value_without_a_copy_text_is_refused():
    with pytest.raises(TypeError, match="float"):
        copy_text([(1, 0.5)])


@pytest.mark.parametrize("encoding", ["UTF8", "LATIN1"])
def test_copy_text_lands_what_psycopg_lands(encoding):
    # LATIN1: a session whose client encoding is not UTF-8 (a URL option, PGCLIENTENCODING,
    # a role's setting) still lands the characters, not their UTF-8 bytes read as Latin-1.
    rows = ROWS if encoding == "UTF8" else [ROWS[0], LATIN1_ROW, *ROWS[2:]]
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"needs {PG_ENV} (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)")
    with contextmanager(_pg_schema_url)(base) as url:
        info = postgres_direct.conninfo(url)
        assert info is not None
        con = postgres_direct.connect(info)
        try:
            con.execute(f"SET client_encoding TO '{encoding}'")
            for table in ("ours", "theirs"):
                con.execute(
                    f"CREATE TABLE {table} (id int, t text, j json, b bool, at timestamptz, n int)"
                )
            db = LabelDb(lambda: con, postgres=True, guard=postgres_direct.as_store_error)
            db.insertion("ours", COLUMNS, rows)()
            with (
                con.cursor() as cur,
                cur.copy(f"COPY theirs ({', '.join(COLUMNS)}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
            ours, theirs = (
                con.execute(f"SELECT {table}::text FROM {table} ORDER BY id").fetchall()
                for table in ("ours", "theirs")
            )
            assert len(ours) == len(rows) == 8 and ours == theirs
            assert con.execute("SELECT t FROM ours WHERE id = 2").fetchone() == (rows[1][1],)
        finally:
            con.close()
