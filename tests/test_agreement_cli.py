"""`annotator agreement` and `annotator annotators` on a small store built through the real
label importer: figures, JSON, tables, errors and who may see per-annotator figures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from sqlalchemy import text
from typer.testing import CliRunner

from annotator.cli.agreement import agreement, report
from annotator.cli.annotators import annotators_app
from annotator.errors import UserError
from annotator.labels import import_labels
from annotator.schema import load_schema
from annotator.store.engine import open_store, session_scope
from annotator.store.projects import create_project

FIXTURES = Path(__file__).parent / "fixtures" / "agreement"


def make_app() -> typer.Typer:
    """The commands as cli.py registers them (a fresh app, so tests do not depend on it)."""
    app = typer.Typer()
    app.command()(agreement)
    app.command()(report)
    app.add_typer(annotators_app, name="annotators")
    return app


@pytest.fixture
def store(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    engine = open_store(url)
    with session_scope(engine) as session:
        project = create_project(session, "grades", load_schema(FIXTURES / "grades.yaml"))
    result = import_labels(engine, project, FIXTURES / "labels.jsonl")
    assert result.problems == []
    with engine.begin() as conn:  # time on item, as the annotate screen records it
        conn.execute(text("UPDATE annotation SET seconds = unit_id * 2.0"))
    return url


def run(url: str, *args: str):
    return CliRunner().invoke(make_app(), [*args, "--db", url])


def as_json(url: str, *args: str) -> dict:
    result = run(url, "agreement", "--json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def task(data: dict, name: str) -> dict:
    return next(t for t in data["tasks"] if t["task"] == name)


def test_alpha_through_the_store_matches_krippendorff_2011(store):
    data = as_json(store)
    grade = task(data, "grade")
    assert grade["level"] == "interval"  # from the schema
    assert grade["alpha"]["value"] == pytest.approx(0.849, abs=5e-4)
    assert (grade["alpha"]["units"], grade["alpha"]["annotators"]) == (11, 4)
    assert "same number per unit" in grade["fleiss_kappa"]["note"]
    nominal = as_json(store, "--level", "nominal", "--task", "grade")
    assert [t["task"] for t in nominal["tasks"]] == ["grade"]
    assert task(nominal, "grade")["alpha"]["value"] == pytest.approx(0.743, abs=5e-4)


def test_multi_span_and_per_annotator_figures(store):
    data = as_json(store)
    kinds = task(data, "kinds")
    assert set(kinds["per_label_alpha"]) == {"loaded", "one_sided"}
    assert kinds["distribution"] == {"loaded": 4, "one_sided": 3}
    words = task(data, "words")
    # Unit 1: ana and chen mark tokens 0-1, ben token 1; dora said non_biased, so the task
    # was not on her screen and she is left out. Pooled: 2 * (1 + 2 + 1) / (3 + 4 + 3) = 0.8.
    assert words["f1"]["value"] == pytest.approx(0.8, abs=1e-6)
    assert words["f1_pairs"]["values"][0][2] == 1.0
    bias = task(data, "bias")
    assert bias["cohen_kappa"]["annotators"] == ["ana", "ben", "chen", "dora"]
    people = {a["annotator"]: a for a in data["annotators"]}
    assert people["ana"]["done"] == 9 and people["ana"]["skipped"] == 1
    assert people["ana"]["median_seconds"] == 10.0  # units 1-9 at 2 s per unit id
    # dora's grades: the others' majority agrees on units 1-5, 7, 9, 10, 11; unit 8 (1 vs
    # the others' tie 1/2) and 6 (a tie) are not counted.
    assert people["dora"]["with_majority_per_task"]["grade"]["value"] == 1.0


def test_table_output_shows_every_section(store):
    result = run(store, "agreement")
    assert result.exit_code == 0, result.output
    for part in ("Agreement per task", "0.849", "binary alpha per label", "Cohen's kappa per pair",
                 "token F1 per pair", "Per annotator", "same number per unit"):  # fmt: skip
        assert part in result.output, part


def test_annotator_filter(store):
    data = as_json(store, "--annotators", "ana,ben")
    grade = task(data, "grade")
    assert grade["annotators"] == ["ana", "ben"]
    assert [a["annotator"] for a in data["annotators"]] == ["ana", "ben"]
    result = run(store, "agreement", "--annotators", "zoe")
    assert isinstance(result.exception, UserError) and "no labels by zoe" in str(result.exception)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--level", "loud"], "--level loud"),
        (["--task", "colour"], "no task colour"),
        (["--as", "nobody"], "--as nobody: no annotator"),
    ],
)
def test_bad_options_give_one_line(store, args, message):
    result = run(store, "agreement", *args)
    assert isinstance(result.exception, UserError)
    assert message in str(result.exception)


def test_once_there_is_a_lead_only_leads_see_per_annotator_figures(store):
    added = run(store, "annotators", "add", "dora", "--role", "lead")
    assert added.exit_code == 0 and "dora is a lead" in added.output
    again = run(store, "annotators", "add", "dora", "--role", "lead")
    assert "already a lead" in again.output
    listed = run(store, "annotators", "list")
    assert "lead" in listed.output and "ana" in listed.output
    for who in ([], ["--as", "ben"]):
        data = as_json(store, *who)
        assert data["per_annotator"] is False
        assert "annotators" not in data
        assert "cohen_kappa" not in task(data, "bias")
        assert task(data, "grade")["alpha"]["value"] == pytest.approx(0.849, abs=5e-4)
    hidden = run(store, "agreement", "--as", "ben")
    assert "Per annotator" not in hidden.output and "ben is not a lead" in hidden.output
    blocked = run(store, "agreement", "--annotators", "ana")
    assert isinstance(blocked.exception, UserError)
    lead = as_json(store, "--as", "dora")
    assert lead["per_annotator"] is True and len(lead["annotators"]) == 4


def test_annotators_add_rejects_an_unknown_role(store):
    result = run(store, "annotators", "add", "eve", "--role", "boss")
    assert result.exception is not None and "unknown role" in str(result.exception)


def test_an_empty_project_says_there_is_nothing_to_measure(tmp_path):
    url = f"sqlite:///{tmp_path / 'e.db'}"
    with session_scope(open_store(url)) as session:
        create_project(session, "empty", load_schema(FIXTURES / "grades.yaml"))
    result = run(url, "agreement")
    assert result.exit_code == 0
    assert "No labels yet" in result.output
