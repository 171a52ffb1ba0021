"""`annotator export` of a current SQLite store through sqlite3 alone (export.run.open_source,
store.sqlite_direct): the same files as through the store layer, byte for byte, and the store
layer (with its messages) for everything else."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from annotator.cli import app
from annotator.export.formats import FORMATS
from annotator.export.options import ExportOptions
from annotator.export.run import export_project, export_source, open_source
from annotator.store.engine import StoreError
from tests.support.exports import build_store, project_of
from tests.support.probe import store_libraries_loaded

runner = CliRunner()

VARIANTS = {
    "default": {},
    "gold, all statuses, unannotated units, split, card": {
        "gold": True,
        "status": "all",
        "include_unannotated": True,
        "split": (0.5, 0.5),
        "seed": 3,
        "card": True,
    },
    "two annotators, two tasks, since": {
        "annotators": frozenset({"alice", "carol"}),
        "tasks": ("bias", "biased_words"),
        "since": datetime(2000, 1, 1),
    },
    "adjudicated only, excel safe": {
        "gold": True,
        "gold_method": "adjudicated-only",
        "excel_safe": True,
    },
}


class _Noon(datetime):
    """The time a card says it was made, fixed: the two exports run a moment apart."""

    @classmethod
    def now(cls, tz=None):
        return datetime(2026, 1, 1, 12, tzinfo=UTC)


@pytest.fixture
def store(sqlite_url):
    engine, pid = build_store(sqlite_url, documents=5)
    return sqlite_url, engine, project_of(engine, pid)


def files_of(target: Path) -> dict[str, bytes]:
    """Every file an export wrote (its card and document tables beside it too), by name."""
    found = [p for p in target.parent.rglob("*") if p.is_file()]
    return {str(p.relative_to(target.parent)): p.read_bytes() for p in found}


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_direct_and_store_paths_write_the_same_bytes(store, tmp_path, monkeypatch, fmt, variant):
    monkeypatch.setattr("annotator.export.card.datetime", _Noon)
    url, engine, proj = store
    opts = ExportOptions(command="annotator export", **VARIANTS[variant])
    name = FORMATS[fmt].default_name("out")
    full = export_project(engine, proj, fmt, tmp_path / "full" / name, opts)

    source = open_source(url, proj.name, opts)
    try:
        assert isinstance(source.store, sqlite3.Connection)  # the direct path served it
        direct = export_source(source, fmt, tmp_path / "direct" / name, opts)
    finally:
        source.close()

    want, got = files_of(tmp_path / "full" / name), files_of(tmp_path / "direct" / name)
    assert want and sorted(got) == sorted(want)
    for path in want:
        assert got[path] == want[path], path
    assert (direct.records, direct.splits, direct.notes) == (full.records, full.splits, full.notes)


def test_the_store_layer_serves_anything_but_the_plain_case(store, tmp_path):
    url, engine, proj = store
    plain = ExportOptions()

    def path_of(db, project=proj.name, opts=plain):
        source = open_source(db, project, opts)
        source.close()
        return "direct" if isinstance(source.store, sqlite3.Connection) else "store"

    assert path_of(url) == "direct"
    assert path_of(url, opts=ExportOptions(gold=True, gold_method="mace")) == "store"
    with engine.begin() as conn:  # a schema with a document task: its table reads the ORM
        yaml = conn.execute(text("SELECT yaml_text FROM schemaversion")).scalar_one()
        extra = "\n  - {name: lean, type: single, scope: document, labels: [left, right]}\n"
        conn.execute(text("UPDATE schemaversion SET yaml_text = :y"), {"y": yaml + extra})
    assert path_of(url) == "store"
    with engine.begin() as conn:  # a store to upgrade: the store layer says so
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    with pytest.raises(StoreError, match=r"revision 0001 .* run `annotator migrate`"):
        path_of(url)


def test_export_messages_stay_those_of_the_store_layer(store, tmp_path, monkeypatch):
    url = store[0]
    monkeypatch.chdir(tmp_path)
    missing = runner.invoke(app, ["export", "--db", url, "-p", "nope", "-o", "x.jsonl"])
    assert missing.exit_code != 0
    assert "no project named 'nope'" in str(missing.exception)
    absent = runner.invoke(app, ["export", "--db", str(tmp_path / "none.db"), "-o", "x.jsonl"])
    assert absent.exit_code != 0 and "no annotator store yet" in str(absent.exception)
    assert not (tmp_path / "x.jsonl").exists()


def test_export_on_sqlite_loads_no_sqlalchemy(store, tmp_path):
    """The point of the direct path: a SQLite export runs without SQLAlchemy."""
    url = store[0]
    out = tmp_path / "out.csv"
    assert (
        store_libraries_loaded(["export", "-f", "csv", "-o", str(out), "--db", url], tmp_path)
        == "0 []"
    )
    assert out.read_text(encoding="utf-8").count("\n") > 20
