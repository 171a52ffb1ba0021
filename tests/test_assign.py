"""The lead assigns work: the store functions (on SQLite and PostgreSQL), `annotator assign`
and what `annotator status` shows of it."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from annotator.cli import app
from annotator.errors import UserError
from annotator.schema import builtin_schema
from annotator.store import leases
from annotator.store.annotators import get_or_create_annotator
from annotator.store.assignments import (
    assign_documents,
    find_annotators,
    pool_size,
    unassign_documents,
)
from annotator.store.engine import StoreError, open_store, session_scope
from annotator.store.models import Annotation, Annotator, Assignment, Document, Lease, Project, Unit
from annotator.store.projects import create_project
from annotator.store.selection import Selection, glob_to_like
from annotator.store.stats import team_status

SAMPLE = Path(__file__).resolve().parents[1] / "annotator" / "samples" / "voa"
runner = CliRunner()

# (title, outlet, published, units): document ids 1..6 in this order.
DOCS = [
    ("Budget talks stall", "VOA", datetime(2020, 7, 19, 18, 0, tzinfo=UTC), 3),
    ("Storm hits coast", "VOA", datetime(2020, 12, 1, 0, 0, tzinfo=UTC), 2),
    ("100% sure_ budget", "BBC", datetime(2020, 12, 31, 23, 59, tzinfo=UTC), 1),
    ("Election night", "bbc", datetime(2021, 1, 1, 0, 0, tzinfo=UTC), 2),
    ("Quiet week", None, None, 1),
    ("BUDGET passes", "RFA", datetime(2023, 5, 17, 13, 0, tzinfo=UTC), 3),
]
UNITS = {i + 1: d[3] for i, d in enumerate(DOCS)}


@pytest.fixture
def store(db_url):
    """A project with DOCS and annotators alice, bob and chen; yields (engine, project id, ids)."""
    engine = open_store(db_url)
    with session_scope(engine) as s:
        project = create_project(s, "news", builtin_schema("media_bias"))
        for n, (title, outlet, published, units) in enumerate(DOCS):
            doc = Document(
                project_id=project.id,
                title=title,
                outlet=outlet,
                published=published,
                content_hash=f"h{n}",
            )
            s.add(doc)
            s.flush()
            for pos in range(units):
                s.add(
                    Unit(
                        project_id=project.id,
                        document_id=doc.id,
                        position=pos,
                        kind="body",
                        text=f"{title} {pos}",
                        text_hash=f"{n}-{pos}",
                    )
                )
        people = {n: get_or_create_annotator(s, n).id for n in ("alice", "bob", "chen")}
        pid = project.id
    yield engine, pid, people
    engine.dispose()


def held(engine) -> set[tuple[int, str]]:
    """(document id, annotator name) of every assignment."""
    with session_scope(engine) as s:
        rows = s.execute(
            select(Assignment.document_id, Annotator.name).join(
                Annotator, Annotator.id == Assignment.annotator_id
            )
        ).all()
    return {(d, n) for d, n in rows}


def assign(engine, pid, ids, *, per_document=1, overlap=1, dry_run=False, **selection):
    with session_scope(engine) as s:
        return assign_documents(
            s,
            project_id=pid,
            selection=Selection(**selection),
            annotator_ids=ids,
            per_document=per_document,
            overlap=overlap,
            dry_run=dry_run,
        )


def unassign(engine, pid, ids=None, *, overlap=1, dry_run=False, **selection):
    with session_scope(engine) as s:
        return unassign_documents(
            s,
            project_id=pid,
            selection=Selection(**selection),
            annotator_ids=ids,
            overlap=overlap,
            dry_run=dry_run,
        )


def changes(result) -> dict[str, tuple[int, int, int, int]]:
    return {
        c.name: (c.documents, c.units, c.total_documents, c.total_units) for c in result.changes
    }


# --- selection kinds ---------------------------------------------------------------------


def test_count_deals_the_first_unassigned_documents_round_robin(store):
    engine, pid, who = store
    result = assign(engine, pid, [who["alice"], who["bob"]], count=4)
    assert held(engine) == {(1, "alice"), (2, "bob"), (3, "alice"), (4, "bob")}
    assert (result.selected, result.documents, result.units) == (4, 4, 3 + 2 + 1 + 2)
    assert changes(result) == {"alice": (2, 4, 2, 4), "bob": (2, 4, 2, 4)}
    assert (result.pool_documents, result.pool_units) == (2, 1 + 3)
    # The next count starts after the documents somebody holds.
    again = assign(engine, pid, [who["chen"]], count=5)
    assert again.selected == 2
    assert {d for d, n in held(engine) if n == "chen"} == {5, 6}
    assert (again.pool_documents, again.pool_units) == (0, 0)


def test_per_document_two_of_three_rotates_the_pairs(store):
    engine, pid, who = store
    ids = [who["alice"], who["bob"], who["chen"]]
    result = assign(engine, pid, ids, per_document=2, overlap=2, everything=True)
    expected = {1: {"alice", "bob"}, 2: {"chen", "alice"}, 3: {"bob", "chen"}}
    expected |= {4: {"alice", "bob"}, 5: {"chen", "alice"}, 6: {"bob", "chen"}}
    assert held(engine) == {(d, n) for d, names in expected.items() for n in names}
    assert [c.documents for c in result.changes] == [4, 4, 4]
    assert result.short == 0


def test_every_named_annotator_gets_every_document_when_per_document_covers_them(store):
    engine, pid, who = store
    result = assign(engine, pid, [who["alice"], who["bob"]], per_document=2, id_ranges=((2, 3),))
    assert held(engine) == {(2, "alice"), (2, "bob"), (3, "alice"), (3, "bob")}
    assert changes(result) == {"alice": (2, 3, 2, 3), "bob": (2, 3, 2, 3)}
    # With --count the INSERT reads the table it writes: the documents are still picked once.
    assign(engine, pid, [who["alice"], who["bob"]], per_document=2, count=1)
    assert {d for d, _ in held(engine)} == {1, 2, 3}


def test_ids_and_ranges(store):
    engine, pid, who = store
    assign(engine, pid, [who["alice"]], id_ranges=((1, 1), (4, 5), (40, 50)))
    assert held(engine) == {(1, "alice"), (4, "alice"), (5, "alice")}


def test_title_glob_is_case_insensitive_and_escapes_like_wildcards(store):
    engine, pid, who = store
    assign(engine, pid, [who["alice"]], title_glob="*budget*")
    assert {d for d, _ in held(engine)} == {1, 3, 6}
    # `%` and `_` are plain characters in a glob; `?` is one character.
    assert glob_to_like("100%_?*") == "100\\%\\__%"
    result = assign(engine, pid, [who["bob"]], title_glob="100% sure_ *")
    assert result.selected == 1 and (3, "bob") in held(engine)
    assert assign(engine, pid, [who["bob"]], title_glob="100%").selected == 0
    assert assign(engine, pid, [who["bob"]], title_glob="Storm hits coas?").selected == 1


def test_outlet_matches_any_case_and_several_outlets(store):
    engine, pid, who = store
    assign(engine, pid, [who["alice"]], outlets=("BBC",))
    assert {d for d, _ in held(engine)} == {3, 4}
    assign(engine, pid, [who["bob"]], outlets=("voa", "rfa"))
    assert {d for d, n in held(engine) if n == "bob"} == {1, 2, 6}


def test_published_range_is_from_inclusive_to_exclusive_and_skips_undated(store):
    engine, pid, who = store
    result = assign(
        engine,
        pid,
        [who["alice"]],
        published_from=datetime(2020, 12, 1, tzinfo=UTC),
        published_before=datetime(2021, 1, 1, tzinfo=UTC),
    )
    assert {d for d, _ in held(engine)} == {2, 3}
    assert result.selected == 2
    # Only a lower bound: everything dated from then on, never the undated document 5.
    assign(engine, pid, [who["bob"]], published_from=datetime(2020, 1, 1, tzinfo=UTC))
    assert {d for d, n in held(engine) if n == "bob"} == {1, 2, 3, 4, 6}


def test_criteria_combine_and_count_applies_after_them(store):
    engine, pid, who = store
    assign(engine, pid, [who["alice"]], title_glob="*budget*", outlets=("voa", "rfa"))
    assert held(engine) == {(1, "alice"), (6, "alice")}
    assign(engine, pid, [who["bob"]], outlets=("voa", "bbc"), count=2)
    # Document 1 is alice's already: the first two nobody holds are 2 and 3.
    assert {d for d, n in held(engine) if n == "bob"} == {2, 3}


# --- idempotence, dry run, the pool --------------------------------------------------------


def test_assigning_again_changes_nothing(store):
    engine, pid, who = store
    ids = [who["alice"], who["bob"]]
    first = assign(engine, pid, ids, per_document=2, id_ranges=((1, 3),))
    before = held(engine)
    again = assign(engine, pid, ids, per_document=2, id_ranges=((1, 3),))
    assert held(engine) == before
    assert (again.selected, again.documents, again.units) == (3, 0, 0)
    assert changes(again) == {
        name: (0, 0, total_d, total_u) for name, (_, _, total_d, total_u) in changes(first).items()
    }
    with session_scope(engine) as s:
        assert s.execute(select(func.count()).select_from(Assignment)).scalar_one() == 6


def test_dry_run_reports_what_the_real_run_does_and_writes_nothing(store):
    engine, pid, who = store
    ids = [who["alice"], who["bob"]]
    dry = assign(engine, pid, ids, count=3, dry_run=True)
    assert held(engine) == set()
    assert [d.id for d in dry.sample] == [1, 2, 3]
    assert [d.units for d in dry.sample] == [3, 2, 1]
    real = assign(engine, pid, ids, count=3)
    for field in ("selected", "documents", "units", "pool_documents", "pool_units", "short"):
        assert getattr(dry, field) == getattr(real, field), field
    assert changes(dry) == changes(real)
    dry_back = unassign(engine, pid, everything=True, dry_run=True)
    assert len(held(engine)) == 3
    assert (dry_back.documents, dry_back.pool_documents) == (3, 6)


def test_pool_takes_documents_back_from_everyone_or_from_some(store):
    engine, pid, who = store
    ids = [who["alice"], who["bob"]]
    assign(engine, pid, ids, per_document=2, overlap=2, id_ranges=((1, 2),))
    assign(engine, pid, [who["chen"]], id_ranges=((3, 3),))
    # Taking alice off: her documents stay bob's, so none goes back to the pool, and they
    # are short of the overlap of 2, as chen's document 3 (selected too) is.
    result = unassign(engine, pid, [who["alice"]], overlap=2, everything=True)
    assert held(engine) == {(1, "bob"), (2, "bob"), (3, "chen")}
    assert changes(result) == {"alice": (2, 5, 0, 0)}
    assert (result.pool_documents, result.pool_units) == (3, 2 + 1 + 3)
    assert result.short == 3
    # Without names: from everyone, and those documents are back in the pool.
    back = unassign(engine, pid, id_ranges=((2, 3),))
    assert held(engine) == {(1, "bob")}
    assert changes(back) == {"bob": (1, 2, 1, 3), "chen": (1, 1, 0, 0)}
    assert (back.documents, back.units) == (2, 3)
    assert (back.pool_documents, back.pool_units) == (5, 2 + 1 + 2 + 1 + 3)
    with session_scope(engine) as s:
        assert pool_size(s, project_id=pid) == (5, 9)


def test_overlap_above_the_assignees_is_counted_as_short(store):
    engine, pid, who = store
    result = assign(engine, pid, [who["alice"]], overlap=2, id_ranges=((1, 3),))
    assert result.short == 3
    topped = assign(engine, pid, [who["bob"]], overlap=2, id_ranges=((1, 2),))
    assert topped.short == 0  # documents 1 and 2 now have two annotators (3 is not selected)


def test_unknown_annotators_are_named_with_how_to_add_them(store):
    engine, _, _ = store
    with session_scope(engine) as s:
        assert [n for _, n in find_annotators(s, names=["bob", "alice", "bob"])] == ["bob", "alice"]
        with pytest.raises(
            StoreError, match=r"no annotator named 'zoe'.*annotator annotators add zoe"
        ):
            find_annotators(s, names=["alice", "zoe"])
        with pytest.raises(StoreError, match="'zoe', 'max'"):
            find_annotators(s, names=["zoe", "max"])


# --- status --------------------------------------------------------------------------------


def test_team_status_counts_assigned_work_live_leases_and_pool(store, monkeypatch):
    engine, pid, who = store
    assign(engine, pid, [who["alice"], who["bob"]], count=2)  # alice: doc 1 (3), bob: doc 2 (2)
    now = 1_700_000_000_000
    with session_scope(engine) as s:
        units = dict(s.execute(select(Unit.id, Unit.document_id)).all())
        sv = s.get(Project, pid).schema_version_id
        doc1 = [u for u, d in units.items() if d == 1]
        pool_units = [u for u, d in units.items() if d == 6]
        # alice works on her document; chen labels one pool unit and holds a live lease and
        # an expired one; bob holds a lease in alice's document that expires at `now`.
        s.add(Annotation(unit_id=doc1[0], annotator_id=who["alice"], schema_version_id=sv))
        s.add(Annotation(unit_id=pool_units[0], annotator_id=who["chen"], schema_version_id=sv))
        for unit, person, expires in (
            (doc1[1], who["alice"], now + 1),
            (pool_units[1], who["chen"], now + 60_000),
            (pool_units[2], who["chen"], now - 1),
            (doc1[2], who["bob"], now),
        ):
            s.add(Lease(project_id=pid, unit_id=unit, annotator_id=person, expires_ms=expires))
    monkeypatch.setattr(leases, "now_ms", lambda: now)
    with session_scope(engine) as s:
        status = team_status(s, project_id=pid)
    assert list(status.annotators) == ["alice", "bob", "chen"]
    figures = {
        n: (r.assigned_documents, r.assigned_units, r.leased) for n, r in status.annotators.items()
    }
    assert figures == {"alice": (1, 3, 1), "bob": (1, 2, 0), "chen": (0, 0, 1)}
    assert (status.pool_documents, status.pool_units) == (4, 1 + 2 + 1 + 3)
    monkeypatch.setattr(leases, "now_ms", lambda: now + 60_000)
    with session_scope(engine) as s:
        later = team_status(s, project_id=pid)
    assert "chen" not in later.annotators  # nothing assigned, and the lease has expired
    assert later.annotators["alice"].leased == 0


def test_status_shows_the_team_columns_once_work_is_assigned(store, monkeypatch):
    engine, pid, who = store
    monkeypatch.setenv("ANNOTATOR_DB", engine.url.render_as_string(hide_password=False))
    with session_scope(engine) as s:
        sv = s.get(Project, pid).schema_version_id
        s.add(Annotation(unit_id=1, annotator_id=who["chen"], schema_version_id=sv))
    alone = run("status")
    assert "assigned" not in alone.output and "Shared pool" not in alone.output
    assign(engine, pid, [who["alice"]], id_ranges=((1, 2),))
    team = run("status").output
    assert "assigned" in team and "leased" in team
    assert "Shared pool (documents nobody is assigned): 4 documents, 7 units" in team
    summary = json.loads(run("status", "--json").output)
    assert summary["annotators"]["alice"] == {
        "done": 0,
        "skipped": 0,
        "flagged": 0,
        "assigned": {"documents": 2, "units": 5},
        "leased": 0,
    }
    assert summary["annotators"]["chen"]["done"] == 1
    assert summary["pool"] == {"documents": 4, "units": 7}


# --- the command line ------------------------------------------------------------------------


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def fails(*args: str) -> str:
    """The one-line message a user sees for a command that must fail."""
    result = runner.invoke(app, list(args))
    assert result.exit_code != 0
    assert isinstance(result.exception, UserError | StoreError), result.exception
    return str(result.exception)


@pytest.fixture
def cli_store(db_url, monkeypatch, tmp_path):
    """The bundled VOA sample (4 documents) in a store, with alice, bob and chen."""
    monkeypatch.setenv("ANNOTATOR_DB", db_url)
    monkeypatch.chdir(tmp_path)
    assert run("init").exit_code == 0
    assert run("import", str(SAMPLE)).exit_code == 0
    for name in ("alice", "bob", "chen"):
        assert run("annotators", "add", name).exit_code == 0
    return db_url


def status_json() -> dict:
    result = run("status", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def assigned(summary: dict) -> dict[str, int]:
    return {n: a["assigned"]["documents"] for n, a in summary["annotators"].items()}


def test_cli_assign_count_then_status_then_pool(cli_store):
    dry = run("assign", "--count", "3", "--to", "alice", "--to", "bob", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "Dry run: nothing is written." in dry.output and "Would assign 3 documents" in dry.output
    assert status_json()["pool"]["documents"] == 4

    done = run("assign", "--count", "3", "--to", "alice,bob")
    assert done.exit_code == 0, done.output
    assert "Assigned 3 documents" in done.output and "1 annotator per document" in done.output
    summary = status_json()
    assert assigned(summary) == {"alice": 2, "bob": 1}
    assert summary["pool"]["documents"] == 1
    alice = summary["annotators"]["alice"]
    assert alice["assigned"]["units"] > 0 and alice["leased"] == 0 and alice["done"] == 0

    table = run("status")
    assert "assigned" in table.output and "leased" in table.output
    assert "Shared pool (documents nobody is assigned): 1 document," in table.output

    again = run("assign", "--count", "3", "--to", "alice,bob")  # only one left to deal
    assert "Assigned 1 document" in again.output
    assert (
        run("assign", "--doc", "1-4", "--to", "alice", "--to", "bob", "--per-doc", "2").exit_code
        == 0
    )
    same = run("assign", "--doc", "1-4", "--to", "alice", "--to", "bob", "--per-doc", "2")
    assert "All 4 selected documents are theirs already: nothing changes." in same.output

    back = run("assign", "--pool", "--from", "bob", "--all")
    assert back.exit_code == 0 and "Took back 4 documents" in back.output
    assert assigned(status_json()) == {"alice": 4}  # bob holds nothing and labelled nothing
    pooled = run("assign", "--pool", "--all")
    assert "Took back 4 documents" in pooled.output
    summary = status_json()
    assert summary["pool"] == {"documents": 4, "units": summary["units"]}
    again = run("assign", "--pool", "--all")
    assert (
        "All 4 selected documents are in the shared pool already: nothing changes." in again.output
    )


def test_cli_selection_options(cli_store):
    titles = run("assign", "--title", "*拜登*", "--to", "alice")
    assert titles.exit_code == 0 and "Assigned 1 document" in titles.output
    # All four are VOA's: the bare feed files' domain is named as the outlet on import.
    outlets = run("assign", "--outlet", "美国之音", "--to", "bob", "--dry-run")
    assert "Would assign 4 documents" in outlets.output, outlets.output
    dates = run(
        "assign", "--published-from", "2020-07-19", "--published-to", "2020-12-01", "--to", "chen"
    )
    assert dates.exit_code == 0 and "Assigned 2 documents" in dates.output
    # A bare --published-to date takes in that whole day.
    day = run("assign", "--published-to", "2020-07-19", "--to", "bob", "--dry-run")
    assert "Would assign 1 document " in day.output and "2020-07-19" in day.output


def test_cli_errors_are_one_line_for_people(cli_store):
    assert "annotator annotators add zoe" in fails("assign", "--all", "--to", "zoe")
    assert "--to NAME" in fails("assign", "--all")
    assert "choose the documents" in fails("assign", "--to", "alice")
    assert "use one of them" in fails("assign", "--all", "--to", "alice", "--pool")
    assert "--count picks documents nobody holds" in fails("assign", "--pool", "--count", "2")
    assert "only 1 annotator named" in fails("assign", "--all", "--to", "alice", "--per-doc", "2")
    assert "no document 99" in fails("assign", "--doc", "3,99", "--to", "alice")
    assert "10-20" in fails("assign", "--doc", "x", "--to", "alice")
    assert "not an ISO date" in fails("assign", "--published-from", "May", "--to", "alice")
    run("assign", "--all", "--to", "bob")
    assert "no unassigned document matches" in fails("assign", "--count", "1", "--to", "alice")
    message = fails("assign", "--outlet", "CNN", "--to", "alice")
    assert "no document matches" in message and "美国之音" in message


def test_console_prints_an_unknown_annotator_on_one_line(tmp_path):
    db = str(tmp_path / "a.db")
    env_run = [sys.executable, "-m", "annotator"]
    subprocess.run([*env_run, "init", "--db", db], check=True, capture_output=True, timeout=60)
    proc = subprocess.run(
        [*env_run, "assign", "--all", "--to", "someone-with-a-long-name", "--to", "x", "--db", db],
        capture_output=True,
        text=True,
        timeout=60,
        env={"COLUMNS": "40", "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        "error: no annotators named 'someone-with-a-long-name', 'x': add each with "
        "`annotator annotators add NAME`"
    ]


def test_assigning_or_pooling_forgets_remembered_queue_floors(store):
    # A floor remembered before the change may have passed units that are now mine: the next
    # start scans from the first unit instead of missing them.
    from annotator.store.positions import load_floor, save_floor

    engine, pid, people = store
    for change in (
        lambda: assign(engine, pid, [people["bob"]], everything=True),
        lambda: unassign(engine, pid, everything=True),
    ):
        with session_scope(engine) as s:
            save_floor(s, project_id=pid, annotator_id=people["alice"], overlap=1, floor=5, mark=0)
        change()
        with session_scope(engine) as s:
            assert load_floor(s, project_id=pid, annotator_id=people["alice"], overlap=1) == 0
