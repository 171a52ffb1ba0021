"""`annotator status` through sqlite3 alone (store/status_direct.py): the same figures as the
store layer's queries, and the full path (with its messages) for everything else."""

from __future__ import annotations

import json
import sqlite3

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from annotator.cli import app
from annotator.store import leases
from annotator.store.assignments import assign_documents
from annotator.store.engine import session_scope
from annotator.store.models import Annotation, Lease, Project
from annotator.store.selection import Selection
from annotator.store.stats import current_schema_row, project_summary, team_status
from annotator.store.status_direct import read_status, sqlite_path
from tests.support.probe import store_libraries_loaded

runner = CliRunner()
SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def _through_store(engine, pid: int):
    with session_scope(engine) as s:
        counts = project_summary(s, pid)
        team = team_status(s, project_id=pid)
        version = current_schema_row(s, s.get(Project, pid).schema_version_id)
    return counts, team, (version.name, version.content_hash)


@SQLITE_ONLY
def test_direct_figures_equal_the_store_layers(queue_store, db_url, monkeypatch):
    engine, ids, alice, bob = queue_store
    pid, sv, units = ids["p"]
    now = 1_700_000_000_000
    monkeypatch.setattr(leases, "now_ms", lambda: now)
    monkeypatch.setattr("annotator.store.status_direct.time.time", lambda: now / 1000)
    with session_scope(engine) as s:
        for unit, who, status in (
            (units[0], alice, "done"),
            (units[1], alice, "skipped"),
            (units[2], alice, "flagged"),
            (units[0], bob, "done"),
        ):
            s.add(Annotation(unit_id=unit, annotator_id=who, schema_version_id=sv, status=status))
        s.add(Lease(project_id=pid, unit_id=units[4], annotator_id=bob, expires_ms=now + 1))
        s.add(Lease(project_id=pid, unit_id=units[5], annotator_id=alice, expires_ms=now))
    before = read_status(db_url, "p")
    assert before is not None
    assert (before.counts, before.team, before.schema) == _through_store(engine, pid)
    assert before.team.pool_documents == 2 and before.team.annotators["bob"].leased == 1

    with session_scope(engine) as s:  # one document of three units: the pool halves
        assign_documents(
            s, project_id=pid, selection=Selection(count=1), annotator_ids=[alice], per_document=1
        )
    after = read_status(db_url, "p")
    assert after is not None
    assert (after.counts, after.team, after.schema) == _through_store(engine, pid)
    assert after.team.annotators["alice"].assigned_units == 3
    assert (after.team.pool_documents, after.team.pool_units) == (1, 3)

    other = read_status(db_url, "other")  # the second project: nothing labelled
    assert other is not None and other.counts["annotators"] == {} and other.project == "other"


@SQLITE_ONLY
def test_anything_but_the_plain_case_is_left_to_the_full_path(queue_store, db_url, tmp_path):
    engine, _, _, _ = queue_store
    assert read_status(db_url, None) is None  # two projects: the full path names them
    assert read_status(db_url, "nope") is None
    assert read_status(str(tmp_path / "absent.db"), "p") is None
    assert read_status("postgresql+psycopg://u@h/db", "p") is None
    assert sqlite_path(f"{db_url}?mode=ro") is None  # options: SQLAlchemy reads those
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    assert read_status(db_url, "p") is None  # an older store: `migrate` is the answer


@SQLITE_ONLY
def test_status_messages_stay_those_of_the_full_path(queue_store, db_url, monkeypatch):
    monkeypatch.setenv("ANNOTATOR_DB", db_url)
    several = runner.invoke(app, ["status"])
    assert several.exit_code != 0
    assert "several projects (p, other): choose one with --project" in str(several.exception)
    shown = runner.invoke(app, ["status", "--json", "-p", "p"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)["project"] == "p"


def test_status_on_sqlite_loads_no_sqlalchemy(sqlite_url, tmp_path):
    """The point of the direct path: a SQLite `status` starts without SQLAlchemy."""
    assert runner.invoke(app, ["init", "--db", sqlite_url]).exit_code == 0
    assert store_libraries_loaded(["status", "--db", sqlite_url], tmp_path) == "0 []"
    con = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"))
    assert con.execute("SELECT count(*) FROM project").fetchone() == (1,)
