"""`annotator import` into a SQLite store through sqlite3 alone (`store/import_direct.py`):
the same rows as the full path, without loading SQLAlchemy, and the same care for bad files
and a store that cannot be written."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from annotator.cli.app import app
from annotator.cli.failures import guarded
from annotator.errors import format_user_error
from annotator.ingest.parse import ParseOptions, parse_one
from annotator.ingest.pipeline import import_files
from annotator.store.errors import StoreError
from annotator.store.import_direct import DirectImport
from tests.support.exports import new_project
from tests.support.probe import store_libraries_loaded

SAMPLE = Path(__file__).resolve().parents[1] / "annotator" / "samples" / "voa"


def rows(path: Path) -> tuple[list[tuple], list[tuple]]:
    """Every document (its import time as the time it names) and unit, in id order."""
    con = sqlite3.connect(path)
    try:
        docs = [
            (*row[:-1], datetime.fromisoformat(row[-1]) is not None)
            for row in con.execute(
                "SELECT id, project_id, source_path, url, title, outlet, published, lang, "
                "content_hash, meta, imported_at FROM document ORDER BY id"
            )
        ]
        units = con.execute("SELECT * FROM unit ORDER BY id").fetchall()
    finally:
        con.close()
    return docs, units


def test_the_direct_writer_stores_what_the_full_path_stores(tmp_path):
    direct, full = tmp_path / "direct.db", tmp_path / "full.db"
    new_project(f"sqlite:///{direct}")[0].dispose()
    files = sorted(SAMPLE.glob("*.md"))
    # The command, as a person runs it: SQLAlchemy and SQLModel never load.
    argv = ["import", *map(str, files), "--db", str(direct)]
    assert store_libraries_loaded(argv, tmp_path) == "0 []"
    engine, project = new_project(f"sqlite:///{full}")
    report = import_files(engine, project.id, files, workers=1)
    engine.dispose()
    assert report.documents == len(files) and not report.failed
    docs, units = rows(direct)
    assert (docs, units) == rows(full)
    assert any(d[6] for d in docs) and any(d[9] != "{}" for d in docs)  # dates and metadata
    assert len(units) > 100  # whole statements of a hundred units, and the rest


def _jsonl_files(folder: Path) -> list[Path]:
    folder.mkdir()
    paths = []
    for i in range(10):
        path = folder / f"good{i}.jsonl"
        path.write_text(json.dumps({"text": f"Good sentence number {i}. One more."}) + "\n")
        paths.append(path)
    bad = folder / "bad.jsonl"
    bad.write_text(json.dumps({"text": "Refused by the store."}) + "\n")
    return [*paths, bad]


def test_a_document_the_store_refuses_is_named_and_the_rest_are_stored(tmp_path, capsys):
    db = tmp_path / "a.db"
    new_project(f"sqlite:///{db}")[0].dispose()
    con = sqlite3.connect(db)
    con.execute(
        "CREATE TRIGGER refuse BEFORE INSERT ON unit WHEN NEW.text LIKE 'Refused%' "
        "BEGIN SELECT RAISE(ABORT, 'refused'); END"
    )
    con.commit()
    con.close()
    paths = _jsonl_files(tmp_path / "in")
    code = guarded(lambda: app(["import", str(tmp_path / "in"), "--db", str(db)], "annotator"))
    said = capsys.readouterr()
    assert code == 1
    assert f"{paths[-1]}: the store refused it (refused)" in " ".join(said.err.split())
    assert re.search(r"documents added\s*│\s*10\b", said.out)
    assert "Traceback" not in said.err + said.out
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM document").fetchone() == (10,)
    con.close()


def test_a_store_locked_by_another_writer_is_one_line(tmp_path):
    db = tmp_path / "a.db"
    new_project(f"sqlite:///{db}")[0].dispose()
    [prepared] = parse_one(_jsonl_files(tmp_path / "in")[0], ParseOptions()).docs
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    con = sqlite3.connect(db, isolation_level=None, timeout=0)  # no waiting for the lock
    try:
        with pytest.raises(StoreError) as raised:
            DirectImport(con, 1).add([prepared])
    finally:
        con.close()
        holder.rollback()
        holder.close()
    assert format_user_error(raised.value) == (
        "error: database: database is locked (check --db / ANNOTATOR_DB)"
    )
