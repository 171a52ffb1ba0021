"""`annotator labels import` into a current SQLite store through sqlite3 alone
(labels.import_labels_direct, store.label_db): the same rows as through the store layer, a
database error as one line with the batches before it kept, and the store layer for
everything else."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest
from typer.testing import CliRunner

import annotator.labels as labels
from annotator.cli import app
from annotator.errors import format_user_error
from annotator.labels import import_labels, import_labels_direct
from annotator.store.engine import StoreError
from annotator.store.label_db import LabelDb
from tests.support.exports import build_store, project_of
from tests.support.probe import store_libraries_loaded

runner = CliRunner()
TIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$")
TABLES = ("document", "unit", "annotation", "annotationevent")


def write(path, records) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


def rows(db) -> dict[str, list[tuple]]:
    """Every row an import writes, annotators by name, times masked (they differ by run)."""
    con = sqlite3.connect(db)
    names = dict(con.execute("SELECT id, name FROM annotator"))
    out: dict[str, list[tuple]] = {"annotator": sorted(names.values())}
    for table in TABLES:
        cur = con.execute(f"SELECT * FROM {table} ORDER BY id")
        cols = [d[0] for d in cur.description]
        out[table] = [
            tuple(
                names[v] if c == "annotator_id" else "<time>" if TIME.match(str(v)) else v
                for c, v in zip(cols, row, strict=True)
            )
            for row in cur
        ]
    con.close()
    return out


RECORDS = [
    # labels for the store's own units (by id), one of them changed, one skipped
    {"unit_id": 1, "annotator": "alice", "values": {"bias": "non_biased"}},
    {"unit_id": 2, "annotator": "dora", "values": {"bias": "biased"}, "status": "flagged"},
    {"unit_id": 3, "annotator": "bob", "values": {}, "status": "skipped"},
    # new sentences, under new documents, with text that JSON and SQL both escape
    {"text": 'Quotes " and \\ and \u2028 and 😀.', "annotator": "dora", "task": "bias",
     "value": "Biased", "url": "https://example.org/new", "title": "Nëw", "lang": "en",
     "published": "2024-02-03T04:05:06+02:00"},
    {"text": 'Quotes " and \\ and \u2028 and 😀.', "annotator": "dora", "task": "opinion",
     "value": "entirely_factual"},  # the same annotation, a task per row
    {"text": "Tab\there, 中文。", "annotator": "erin", "values": {"bias": "non_biased"}},
    {"text": "Tab\there, 中文。", "annotator": "alice", "values": {"bias": "maybe"}},  # bad
    {"unit_id": 999, "annotator": "erin", "values": {"bias": "biased"}},  # no such unit
    {"text": "A third new one.", "annotator": "erin", "values": {"bias": "biased"},
     "url": "https://example.org/new"},
]  # fmt: skip


@pytest.fixture
def two_stores(tmp_path, monkeypatch):
    """Two copies of the export tests' store, and a file of labels to import into each."""
    monkeypatch.setattr(labels, "BATCH", 2)  # batches end mid-file
    stores = []
    for name in ("direct", "engine"):
        url = f"sqlite:///{tmp_path / name}.db"
        engine, pid = build_store(url, documents=2)
        stores.append((url, tmp_path / f"{name}.db", engine, project_of(engine, pid)))
    path = tmp_path / "labels.jsonl"
    write(path, RECORDS)
    return stores, path


def test_the_direct_path_writes_what_the_store_layer_writes(two_stores):
    stores, path = two_stores
    (url, db, _, _), (_, db2, engine, project) = stores
    for _ in range(2):  # and again: nothing changes
        direct = import_labels_direct(url, None, path, actor="me")
        layer = import_labels(engine, project, path, actor="me")
        assert direct is not None and direct == layer
        assert rows(db) == rows(db2)
    assert (direct.created, direct.updated, direct.unchanged) == (0, 0, 6)
    assert [p.split(":")[1] for p in direct.problems] == ["7", "8"]


def test_labels_import_on_sqlite_loads_no_sqlalchemy(two_stores, tmp_path):
    stores, path = two_stores
    url = stores[0][0]
    argv = ["labels", "import", str(path), "--db", url, "--as", "me"]
    assert store_libraries_loaded(argv, tmp_path) == "1 []"  # (two bad records: exit 1)
    con = sqlite3.connect(stores[0][1])
    assert con.execute("SELECT count(*) FROM annotationevent WHERE actor = 'me'").fetchone() == (6,)


def test_a_database_error_is_one_line_and_earlier_batches_stay(two_stores, monkeypatch):
    stores, path = two_stores
    url, db = stores[0][0], stores[0][1]
    calls = []
    real = LabelDb.run

    def failing(self, sql, params=()):
        if sql.startswith("INSERT INTO annotationevent"):
            calls.append(sql)
            if len(calls) == 2:  # the second batch's events, on the writer thread
                with self.guard(sql):  # as the driver raises it
                    raise sqlite3.OperationalError("disk I/O error")
        real(self, sql, params)

    monkeypatch.setattr(LabelDb, "run", failing)
    before = rows(db)
    with pytest.raises(StoreError) as err:
        import_labels_direct(url, None, path, actor="me")
    assert format_user_error(err.value) == (
        "error: database: disk I/O error (check --db / ANNOTATOR_DB)"
    )
    assert len(calls) == 2
    after = rows(db)
    # the first batch (two records, one of them a change) is stored with its events
    assert len(after["annotationevent"]) == len(before["annotationevent"]) + 2
    assert after["unit"] == before["unit"]  # the failed batch's new units are not


def test_anything_but_the_plain_case_takes_the_store_layer(two_stores, tmp_path):
    stores, path = two_stores
    url, db = stores[0][0], stores[0][1]
    assert import_labels_direct(url, "no such project", path) is None
    assert import_labels_direct(f"sqlite:///{tmp_path / 'none.db'}", None, path) is None
    assert import_labels_direct("postgresql+psycopg://nobody@127.0.0.1:1/x", None, path) is None
    con = sqlite3.connect(db)  # a schema with a document task: its answers need the models
    yaml_text = con.execute("SELECT yaml_text FROM schemaversion").fetchone()[0]
    article = "\n  - name: lean\n    type: single\n    scope: document\n    labels: [left, right]\n"
    con.execute("UPDATE schemaversion SET yaml_text = ?", (yaml_text.rstrip("\n") + article,))
    con.commit()
    con.close()
    assert import_labels_direct(url, None, path) is None
    result = runner.invoke(app, ["labels", "import", str(path), "--db", url])
    assert "9 records: 4 new labels, 2 changed, 0 unchanged, 2 bad" in result.output
    assert result.exit_code == 1  # the two bad records
