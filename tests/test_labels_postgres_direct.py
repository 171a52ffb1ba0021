"""`annotator labels import` into a current PostgreSQL store through psycopg alone
(labels.import_labels_direct, store.postgres_direct): the same rows as through the store
layer, no SQLAlchemy loaded, a driver error as the line the store layer gives, and the
store layer for everything else. Needs ANNOTATOR_TEST_PG_URL (skipped without it)."""

from __future__ import annotations

import json
import os
from contextlib import ExitStack, contextmanager

import pytest
import sqlalchemy as sa

import annotator.labels as labels
from annotator.errors import format_user_error
from annotator.labels import import_labels, import_labels_direct
from annotator.store import postgres_direct
from annotator.store.errors import StoreError
from tests.conftest import PG_ENV, _pg_schema_url
from tests.support.exports import build_store, project_of
from tests.support.probe import store_libraries_loaded
from tests.test_labels_direct import RECORDS, TABLES, write

TIMES = {"imported_at", "created_at", "updated_at", "at"}


@pytest.fixture
def pg_stores(tmp_path, monkeypatch):
    """Two copies of the export tests' store in schemas of their own, and a file of labels."""
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"needs {PG_ENV} (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)")
    monkeypatch.setattr(labels, "BATCH", 2)  # batches end mid-file
    path = tmp_path / "labels.jsonl"
    write(path, RECORDS)
    with ExitStack() as stack:
        stores = []
        for _ in range(2):
            url = stack.enter_context(contextmanager(_pg_schema_url)(base))
            engine, pid = build_store(url, documents=2)
            stack.callback(engine.dispose)
            stores.append((url, engine, project_of(engine, pid)))
        yield stores, path


def rows(engine) -> dict[str, list[tuple]]:
    """Every row an import writes, annotators by name, times left out (they differ by run)."""
    with engine.connect() as conn:
        names = dict(conn.execute(sa.text("SELECT id, name FROM annotator")).all())
        out: dict[str, list[tuple]] = {"annotator": sorted(names.values())}
        for table in TABLES:
            result = conn.execute(sa.text(f"SELECT * FROM {table} ORDER BY id"))
            cols = list(result.keys())
            out[table] = [
                tuple(
                    names[v] if c == "annotator_id" else json.dumps(v) if c == "values" else v
                    for c, v in zip(cols, row, strict=True)
                    if c not in TIMES
                )
                for row in result
            ]
    return out


def test_the_direct_path_writes_what_the_store_layer_writes(pg_stores):
    ((url, engine, _), (_, engine2, project)), path = pg_stores
    for _ in range(2):  # and again: nothing changes
        direct = import_labels_direct(url, None, path, actor="me")
        layer = import_labels(engine2, project, path, actor="me")
        assert direct is not None and direct == layer
        assert rows(engine) == rows(engine2)
    assert (direct.created, direct.updated, direct.unchanged) == (0, 0, 6)
    assert [p.split(":")[1] for p in direct.problems] == ["7", "8"]
    assert len(rows(engine)["annotationevent"]) > 6  # (the store's own events and ours)


def test_labels_import_on_postgresql_loads_no_sqlalchemy(pg_stores, tmp_path):
    ((url, engine, _), _), path = pg_stores
    argv = ["labels", "import", str(path), "--db", url, "--as", "me"]
    assert store_libraries_loaded(argv, tmp_path) == "1 []"  # (two bad records: exit 1)
    with engine.connect() as conn:
        mine = "SELECT count(*) FROM annotationevent WHERE actor = 'me'"
        assert conn.execute(sa.text(mine)).scalar() == 6


def test_a_store_to_upgrade_or_hosts_given_as_options_take_the_store_layer(pg_stores):
    ((url, engine, _), _), path = pg_stores
    assert postgres_direct.conninfo(f"{url}&host=127.0.0.1") is None  # SQLAlchemy's multi-host
    assert postgres_direct.conninfo(url.replace("+psycopg", "+psycopg2", 1)) is None
    assert import_labels_direct(url, "no such project", path) is None
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0008'"))
    assert import_labels_direct(url, None, path) is None
    with engine.connect() as conn:  # nothing was written
        assert conn.execute(sa.text("SELECT count(*) FROM unit")).scalar() == 8


def _line(fail_through_engine, fail_through_psycopg) -> tuple[str | None, str | None]:
    with pytest.raises(sa.exc.DBAPIError) as layer:
        fail_through_engine()
    with pytest.raises(StoreError) as direct:
        fail_through_psycopg()
    return format_user_error(layer.value), format_user_error(direct.value)


def test_driver_errors_read_as_the_store_layer_gives_them(pg_stores):
    ((url, engine, _), _), _ = pg_stores
    info = postgres_direct.conninfo(url)
    assert info is not None
    con = postgres_direct.connect(info)
    columns = "id, name, role, created_at"
    twice = f"INSERT INTO annotator ({columns}) SELECT {columns} FROM annotator"

    def through_engine() -> None:
        with engine.begin() as conn:
            conn.exec_driver_sql(twice)

    def through_psycopg() -> None:
        with postgres_direct.as_store_error(twice):
            con.execute(twice)

    layer, direct = _line(through_engine, through_psycopg)
    assert direct == layer and layer is not None and "UniqueViolation" in layer
    con.rollback()
    # A connection that goes away: "the connection was lost: run it again", both ways.
    with engine.connect() as conn:
        pid = con.info.backend_pid
        conn.execute(sa.text("SELECT pg_terminate_backend(:p)"), {"p": pid})
    with pytest.raises(StoreError) as lost, postgres_direct.as_store_error("SELECT 1"):
        con.execute("SELECT 1")
    assert format_user_error(lost.value) == (
        "error: database: terminating connection due to administrator command "
        "(the connection was lost: run it again)"
    )
    con.close()
