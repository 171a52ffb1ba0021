"""Check items: units with a known answer mixed into every queue. Adding them (from the
lead's decisions, from a file), the queue (rate, never twice, no interference with the
ordinary units' overlap and leases), scoring and the lead's warning, and their answers kept
out of agreement and exports; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from sqlalchemy import text
from textual.widgets import Static
from typer.testing import CliRunner

from annotator.analysis.checks import score_checks
from annotator.cli import app
from annotator.cli.failures import guarded
from annotator.store import checks, leases
from annotator.store.adjudications import save_adjudication
from annotator.store.engine import session_scope
from annotator.store.queue import my_progress
from annotator.tui.controller import Annotating
from tests.support.checks import check_store, person, unit_ids
from tests.support.queue import save_label

runner = CliRunner()


def run(url: str, *args: str):
    return runner.invoke(app, [*args, "--db", url])


def refused(capsys, url: str, *args: str) -> str:
    """Run a command as the `annotator` program does (its guard included): it must fail
    with exit code 1 and one line on stderr, which is returned."""
    capsys.readouterr()
    code = guarded(lambda: app([*args, "--db", url], prog_name="annotator"))
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert code == 1 and len(lines) == 1, captured.err
    return lines[0]


def label_all(ctx, name: str, values_of, units) -> None:
    who = person(ctx, name)
    for i, u in enumerate(units):
        save_label(ctx.engine, u, who, ctx.schema_version_id, values={"bias": values_of(i)})


def decide(ctx, unit: int, value: str) -> None:
    lead = person(ctx, "lina")
    with session_scope(ctx.engine) as s:
        save_adjudication(s, unit_id=unit, task="bias", value=value, lead_id=lead)


def make_checks(ctx, units, value="biased") -> None:
    with session_scope(ctx.engine) as s:
        items = [checks.NewCheck(u, {"bias": value}) for u in units]
        checks.add_checks(s, ctx.project_id, items, source=checks.IMPORTED)


def set_rate(ctx, rate: float, warn_below: float | None = None) -> None:
    with session_scope(ctx.engine) as s:
        checks.change_settings(s, ctx.project_id, rate=rate, warn_below=warn_below)


def annotate_all(ctx, name: str, answer="biased", *, order="sequential", limit=1000) -> list[int]:
    """Label every unit the screen's session hands out, as a person would; the units in turn."""
    session = Annotating(ctx, annotator_id=person(ctx, name), annotator_name=name, order=order)
    view = session.open_first()
    got = []
    while view is not None and len(got) < limit:
        got.append(view.unit_id)
        view = session.save({"bias": answer(view.unit_id) if callable(answer) else answer})
    return got


def marked(ctx) -> dict[tuple[str, int], bool]:
    with session_scope(ctx.engine) as s:
        rows = s.execute(
            text(
                "SELECT n.name, a.unit_id, a.is_check FROM annotation a "
                "JOIN annotator n ON n.id = a.annotator_id"
            )
        )
        return {(name, uid): bool(flag) for name, uid, flag in rows}


# --- adding ----------------------------------------------------------------------------


def test_checks_from_adjudicated_units_take_the_leads_decisions(db_url, capsys):
    ctx = check_store(db_url, units=8)
    units = unit_ids(ctx)
    label_all(ctx, "alice", lambda i: "biased", units[:4])
    label_all(ctx, "bob", lambda i: "non_biased" if i % 2 else "biased", units[:4])
    decide(ctx, units[1], "non_biased")
    decide(ctx, units[3], "biased")
    decide(ctx, units[2], "biased")
    first = run(db_url, "checks", "add", "--from-adjudicated", "--count", "2", "--as", "lina")
    assert first.exit_code == 0, first.output
    assert "Added 2 check items" in first.output
    listed = json.loads(run(db_url, "checks", "list", "--json").stdout)
    assert [
        (c["unit_id"], c["values"], c["source"], c["created_by"]) for c in listed["checks"]
    ] == [
        (units[1], {"bias": "non_biased"}, "adjudicated", "lina"),
        (units[2], {"bias": "biased"}, "adjudicated", "lina"),
    ]
    again = run(db_url, "checks", "add", "--from-adjudicated")
    assert again.exit_code == 0 and "Added 1 check item" in again.output  # unit 3 only
    none_left = run(db_url, "checks", "add", "--from-adjudicated")
    assert "Added 0 check items" in none_left.output and "note:" in none_left.stderr
    assert "nope" in refused(capsys, db_url, "checks", "add", "--from-adjudicated", "-t", "nope")


def test_import_names_units_three_ways_and_a_bad_record_gets_one_line(sqlite_url, tmp_path, capsys):
    ctx = check_store(sqlite_url, units=8)
    units = unit_ids(ctx)
    with session_scope(ctx.engine) as s:
        doc = s.execute(text("SELECT document_id FROM unit WHERE id = :u"), {"u": units[5]})
        doc_id = doc.scalar_one()
    records = [
        {"unit_id": units[0], "values": {"bias": "biased"}},
        {"text": "Sentence 0-2 about the budget vote.", "task": "bias", "value": "non_biased"},
        {"document_id": doc_id, "position": 1, "values": {"bias": "biased"}},
        {"unit_id": units[3], "values": {"bias": "maybe"}},  # not a label of the task
        {"unit_id": 99999, "values": {"bias": "biased"}},  # no such unit
        {"text": "Not a sentence of this project.", "values": {"bias": "biased"}},
        {  # our own jsonl export with --gold: the gold is the answer, not the first annotator
            "unit_id": units[6],
            "annotations": [{"annotator": "ann", "values": {"bias": "non_biased"}}],
            "gold": {"bias": "biased", "opinion": None},
        },
    ]
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n{broken\n", encoding="utf-8")
    result = run(sqlite_url, "checks", "import", str(path))
    assert result.exit_code == 1
    problems = result.stderr.strip().splitlines()
    assert [p.split(":")[1] for p in problems] == ["4", "5", "6", "8"]
    assert all(p.startswith("gold.jsonl:") for p in problems)
    assert "maybe" in problems[0] and "no unit 99999" in problems[1]
    assert "4 new check items" in result.stdout
    with session_scope(ctx.engine) as s:
        known = checks.known_answers(s, ctx.project_id)
    assert known == {
        units[0]: {"bias": "biased"},
        units[2]: {"bias": "non_biased"},
        units[5]: {"bias": "biased"},
        units[6]: {"bias": "biased"},
    }
    missing = refused(capsys, sqlite_url, "checks", "import", str(tmp_path / "none.csv"))
    assert "no such file" in missing


def test_settings_live_in_the_store_and_refuse_bad_numbers_in_one_line(sqlite_url, capsys):
    check_store(sqlite_url)
    shown = run(sqlite_url, "checks", "settings")
    assert "5% of each queue, no warning" in shown.output  # the defaults
    changed = run(sqlite_url, "checks", "settings", "--rate", "0.1", "--warn-below", "0.7")
    assert changed.exit_code == 0 and "10% of each queue, warning below 70%" in changed.output
    assert "warning below 70%" in run(sqlite_url, "checks", "settings").output
    assert "--rate 1.5" in refused(capsys, sqlite_url, "checks", "settings", "--rate", "1.5")


# --- the queue -------------------------------------------------------------------------


@pytest.mark.parametrize("order", ["sequential", "random"])
def test_checks_come_at_about_the_rate_never_twice_and_never_as_ordinary_work(db_url, order):
    ctx = check_store(db_url, units=240, per_doc=20)
    units = unit_ids(ctx)
    check_units = set(units[::6])  # 40 checks spread through the corpus, 200 ordinary units
    make_checks(ctx, check_units)
    set_rate(ctx, 0.1)
    with session_scope(ctx.engine) as s:
        ahead = my_progress(s, project_id=ctx.project_id, annotator_id=person(ctx, "alice"))
    got = annotate_all(ctx, "alice", order=order)
    seen_checks = [u for u in got if u in check_units]
    ordinary = [u for u in got if u not in check_units]
    assert sorted(ordinary) == sorted(set(units) - check_units)  # each once, none left out
    assert 10 <= len(seen_checks) <= 30
    assert len(set(seen_checks)) == len(seen_checks)  # never the same check twice
    # "left" counts the checks to come like any unit, so a check does not show by not
    # moving it; at the end nothing is left.
    assert ahead.total == 200 and abs(ahead.left - len(got)) <= 12
    with session_scope(ctx.engine) as s:
        after = my_progress(s, project_id=ctx.project_id, annotator_id=person(ctx, "alice"))
    assert (after.left, after.done) == (0, len(got))
    flags = marked(ctx)
    assert all(flags["alice", u] for u in seen_checks)
    assert not any(flags["alice", u] for u in ordinary)


def test_the_same_store_gives_the_same_checks_in_the_same_places(sqlite_url, tmp_path):
    runs = []
    for i in range(2):
        ctx = check_store(f"sqlite:///{tmp_path / f'{i}.db'}", units=60, per_doc=10)
        units = unit_ids(ctx)
        make_checks(ctx, units[::5])
        set_rate(ctx, 0.2)
        runs.append(annotate_all(ctx, "alice"))
    assert runs[0] == runs[1]


def test_a_check_takes_no_place_of_the_unit_it_is_and_leaves_ordinary_units_alone(db_url):
    ctx = check_store(db_url, units=6)
    ctx = replace(ctx, schema=replace(ctx.schema, overlap=1))
    units = unit_ids(ctx)
    label_all(ctx, "alice", lambda i: "biased", units[:1])  # unit 0: full at overlap 1
    decide(ctx, units[0], "biased")
    assert run(ctx.engine.url.render_as_string(hide_password=False), "checks", "add",
               "--from-adjudicated").exit_code == 0  # fmt: skip
    set_rate(ctx, 0.999)
    chen = Annotating(ctx, annotator_id=person(ctx, "chen"), annotator_name="chen")
    bob = Annotating(ctx, annotator_id=person(ctx, "bob"), annotator_name="bob")
    assert chen.open_first().unit_id == units[0]  # the check first (rate ~1)
    assert chen.keep_alive_now()  # no hold on a check, so none is ever "lost" on screen
    assert bob.open_first().unit_id == units[0]  # bob has not seen it either
    # While chen answers the check, the ordinary unit it came before is held for him.
    with session_scope(ctx.engine) as s:
        held = leases.live_leases(s, project_id=ctx.project_id)
    assert held == {person(ctx, "chen"): 1, person(ctx, "bob"): 1}
    chen_next = chen.save({"bias": "non_biased"})  # a full unit, but a check: no LeaseLost
    bob_next = bob.save({"bias": "biased"})
    assert chen_next is not None and bob_next is not None
    assert chen_next.unit_id != bob_next.unit_id  # no double work on ordinary units
    done = {chen_next.unit_id, bob_next.unit_id}
    for session, view in ((chen, chen_next), (bob, bob_next)):
        while view is not None:
            done.add(view.unit_id)
            view = session.save({"bias": "biased"})
    flags = marked(ctx)
    assert flags["chen", units[0]] and flags["bob", units[0]] and not flags["alice", units[0]]
    with session_scope(ctx.engine) as s:
        per_unit = dict(
            s.execute(
                text(
                    "SELECT unit_id, count(*) FROM annotation WHERE NOT is_check "
                    "AND status = 'done' GROUP BY unit_id"
                )
            ).all()
        )
    assert per_unit == {u: 1 for u in units}  # every ordinary label once, overlap 1


def test_removing_a_check_makes_it_ordinary_work_again(sqlite_url, capsys):
    ctx = check_store(sqlite_url, units=4)
    units = unit_ids(ctx)
    make_checks(ctx, [units[0]])
    set_rate(ctx, 0.0)  # none handed out: the unit is simply not ordinary work
    assert annotate_all(ctx, "alice", limit=2) == units[1:3]
    result = run(sqlite_url, "checks", "remove", str(units[0]))
    assert result.exit_code == 0 and "Removed 1 check item" in result.output
    assert annotate_all(ctx, "bob", limit=1) == [units[0]]
    assert "not a check" in refused(capsys, sqlite_url, "checks", "remove", str(units[1]))


# --- scoring ---------------------------------------------------------------------------


def test_accuracy_per_kind_and_the_warning_line():
    types = {"bias": "single", "kinds": "multi", "note": "text"}
    known = {1: {"bias": "biased", "kinds": ["a", "b"], "note": "x"}, 2: {"bias": "non_biased"}}
    answers = [
        ("ana", 1, "done", {"bias": "biased", "kinds": ["b", "a"], "note": "y"}),
        ("ana", 2, "done", {"bias": "non_biased"}),
        ("ben", 1, "done", {"bias": "non_biased"}),  # kinds left empty: wrong
        ("ben", 2, "skipped", {}),  # a skip is not scored
        ("ben", 9, "done", {"bias": "biased"}),  # not a check (any more)
    ]
    settings = checks.Settings(rate=0.1, warn_below=0.5)
    report = score_checks(types, known, answers, settings=settings)
    ana, ben = report.people
    assert (ana.checks, ana.answered, ana.correct, ana.accuracy) == (2, 3, 3, 1.0)
    assert (ben.checks, ben.answered, ben.correct, ben.accuracy) == (1, 2, 0, 0.0)
    assert "note" not in ana.tasks  # free text is not scored
    assert report.warnings() == ["ben: accuracy 0.00 on 1 check is below 0.50"]
    assert score_checks(types, known, answers).warnings() == []  # no threshold: no warning


@pytest.fixture
def checked(db_url):
    """8 units; alice and bob label 4 each as ordinary work; units 6 and 7 are checks (known:
    biased) that alice answered right and bob wrong; warning below 0.7."""
    ctx = check_store(db_url, units=8)
    units = unit_ids(ctx)
    label_all(ctx, "alice", lambda i: "biased", units[:4])
    label_all(ctx, "bob", lambda i: "biased" if i < 2 else "non_biased", units[:4])
    make_checks(ctx, units[6:])
    set_rate(ctx, 0.05, warn_below=0.7)
    for name, answer in (("alice", "biased"), ("bob", "non_biased")):
        who = person(ctx, name)
        for u in units[6:]:
            save_label(ctx.engine, u, who, ctx.schema_version_id, values={"bias": answer})
    return ctx, units


def test_agreement_scores_checks_warns_and_leaves_their_answers_out(checked, db_url):
    data = json.loads(run(db_url, "agreement", "--json", "--as", "lina").stdout)
    assert data["check_answers_left_out"] == 4
    people = data["checks"]["annotators"]
    assert (people["alice"]["accuracy"], people["bob"]["accuracy"]) == (1.0, 0.0)
    assert people["bob"]["below"] and not people["alice"]["below"]
    assert people["bob"]["tasks"]["bias"] == {"answered": 2, "correct": 0, "accuracy": 0.0}
    bias = next(t for t in data["tasks"] if t["task"] == "bias")
    assert bias["alpha"]["units"] == 4  # the check units' answers are not in the figures
    shown = run(db_url, "agreement", "--as", "lina").stdout
    assert "Accuracy on check items" in shown
    assert "warning: bob: accuracy 0.00 on 2 checks is below 0.70" in shown
    assert "Answers to check items (4) are left out" in shown
    hidden = run(db_url, "agreement", "--as", "bob").stdout  # annotators see no one's score
    assert "Answers to check items (4) are left out" in hidden and "bob:" not in hidden


def test_agreement_narrowed_to_annotators_or_tasks_narrows_the_check_scores_too(checked, db_url):
    # --annotators alice: bob's score and his warning are not hers to see in that report.
    data = json.loads(
        run(db_url, "agreement", "--json", "--as", "lina", "--annotators", "alice").stdout
    )
    assert set(data["checks"]["annotators"]) == {"alice"}
    assert data["checks"]["warnings"] == []
    shown = run(db_url, "agreement", "--as", "lina", "--annotators", "alice").stdout
    assert "alice" in shown and "warning: bob" not in shown
    both = json.loads(run(db_url, "agreement", "--json", "--as", "lina", "--task", "bias").stdout)
    assert set(both["checks"]["annotators"]) == {"alice", "bob"}
    assert both["checks"]["annotators"]["bob"]["tasks"]["bias"]["accuracy"] == 0.0


def test_report_has_the_accuracy_and_the_warning(checked, db_url, tmp_path):
    page = tmp_path / "r.html"
    assert run(db_url, "report", "-o", str(page), "--as", "lina").exit_code == 0
    html = page.read_text(encoding="utf-8")
    assert '<section id="checks">' in html
    assert "Warning: bob: accuracy 0.00 on 2 checks is below 0.70" in html


async def test_dashboard_shows_the_accuracy_and_the_warning(checked):
    from annotator.tui.dashboard.screen import DashboardApp

    ctx, _ = checked
    app = DashboardApp(ctx, per_annotator=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        shown = str(app.screen.query_one("#checks", Static).render())
        assert "100.0%" in shown and "2 of 2 right" in shown
        assert "warning: bob: accuracy 0.00 on 2 checks is below 0.70" in shown
    hidden = DashboardApp(ctx, per_annotator=False)
    async with hidden.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await hidden.workers.wait_for_complete()
        await pilot.pause()
        assert not hidden.screen.query("#checks")  # per-annotator figures are for leads


# --- exports ---------------------------------------------------------------------------


def test_exports_leave_check_answers_out_and_mark_the_known_answer_as_gold(
    checked, db_url, tmp_path
):
    ctx, units = checked
    target = tmp_path / "out.jsonl"
    result = run(db_url, "export", "--format", "jsonl", "--gold", "--card", "-o", str(target))
    assert result.exit_code == 0, result.output
    rows = {r["unit_id"]: r for r in map(json.loads, target.read_text().splitlines())}
    assert set(rows) == set(units[:4])  # the check units had only check answers
    card = target.with_name(target.name + ".card.md").read_text(encoding="utf-8")
    assert "**Check items:** 4 answers given to check items" in card
    # A check unit with ordinary labels too: its gold is the known answer, marked.
    make_checks(ctx, [units[3]], value="non_biased")
    run(db_url, "export", "--format", "jsonl", "--gold", "-o", str(target))
    rows = {r["unit_id"]: r for r in map(json.loads, target.read_text().splitlines())}
    assert rows[units[3]]["gold"]["bias"] == "non_biased"
    assert rows[units[3]]["gold_source"]["bias"] == "check"
    assert rows[units[2]]["gold_source"]["bias"] != "check"
    csv_target = tmp_path / "out.csv"
    assert run(db_url, "export", "--format", "csv", "--gold", "-o", str(csv_target)).exit_code == 0
    lines = csv_target.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = [dict(zip(header, line.split(","), strict=False)) for line in lines[1:]]
    assert {c["unit_id"] for c in cells} == {str(u) for u in units[:4]}
    marks = {c["unit_id"]: c["gold_source.bias"] for c in cells}
    assert marks[str(units[3])] == "check" and marks[str(units[0])] != "check"


def test_labels_imported_onto_a_check_unit_are_check_answers(db_url, tmp_path):
    ctx = check_store(db_url, units=4)
    units = unit_ids(ctx)
    make_checks(ctx, [units[0]])
    path = tmp_path / "labels.jsonl"
    lines = [{"unit_id": u, "annotator": "dora", "values": {"bias": "biased"}} for u in units[:2]]
    path.write_text("\n".join(json.dumps(r) for r in lines), encoding="utf-8")
    assert run(db_url, "labels", "import", str(path)).exit_code == 0
    flags = marked(ctx)
    assert flags["dora", units[0]] and not flags["dora", units[1]]


def _layout(app) -> list[tuple[str, str | None, tuple[str, ...]]]:
    return [(type(w).__name__, w.id, tuple(sorted(w.classes))) for w in app.screen.query("*")]


async def test_on_screen_a_check_looks_like_any_sentence(tmp_path):
    from tests.support.tui import BIAS_QUICK, TEXTS, make_app, make_store, screen_text

    ctx = make_store(tmp_path, BIAS_QUICK, docs=[TEXTS, TEXTS[::-1]])
    units = unit_ids(ctx)
    make_checks(ctx, [units[6]])  # in the second document
    set_rate(ctx, 0.999)
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen_text(app) == TEXTS[::-1][2]  # the check, before the first unit
        on_check = _layout(app)
        status = str(app.screen.query_one("#message").render())
        await pilot.press("1")
        await pilot.pause()
        assert screen_text(app) == TEXTS[0]
        assert _layout(app) == on_check  # the same widgets, ids and classes
        assert str(app.screen.query_one("#message").render()) == status
    assert marked(ctx) == {("alice", units[6]): True}  # marked, though nothing showed it


def test_decided_units_bring_the_tasks_decided_on_them(sqlite_url):
    from annotator.store.models import Adjudication
    from tests.support.exports import build_store

    engine, pid = build_store(sqlite_url, documents=2)  # unit 2 is decided on bias
    with session_scope(engine) as s:
        lead = s.execute(text("SELECT id FROM annotator WHERE name = 'lead'")).scalar_one()
        s.add(Adjudication(unit_id=3, task="opinion", value="entirely_factual", annotator_id=lead))
    both = run(sqlite_url, "checks", "add", "--from-adjudicated", "-t", "bias", "-t", "opinion")
    assert "Added 0 check items" in both.output  # no unit is decided on both
    assert "Added 2 check items" in run(sqlite_url, "checks", "add", "--from-adjudicated").output
    with session_scope(engine) as s:
        assert checks.known_answers(s, pid) == {
            2: {"bias": "biased"},
            3: {"opinion": "entirely_factual"},
        }
