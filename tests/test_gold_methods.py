"""export --gold-method majority|dawid-skene|adjudicated-only, the Dawid-Skene posterior
column, and per-annotator estimated accuracy in `agreement`."""

from __future__ import annotations

import csv
import json

import pytest
from typer.testing import CliRunner

from annotator.cli import app as main_app
from annotator.export.options import ExportOptions
from annotator.export.run import export_project
from tests.support.agreement import make_app
from tests.support.exports import build_store, project_of


@pytest.fixture
def store(sqlite_url):
    engine, pid = build_store(sqlite_url, documents=6)
    return engine, project_of(engine, pid), sqlite_url


def jsonl(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_dawid_skene_gold_has_a_posterior_and_adjudications_win(store, tmp_path):
    engine, proj, _ = store
    opts = ExportOptions(gold=True, gold_method="dawid-skene")
    export_project(engine, proj, "jsonl", tmp_path / "d.jsonl", opts)
    rows = jsonl(tmp_path / "d.jsonl")
    assert all(set(r["gold_posterior"]) == {"bias", "opinion"} for r in rows)
    sources = {r["gold_source"]["bias"] for r in rows}
    assert "dawid-skene" in sources and "adjudicated" in sources
    for r in rows:
        p = r["gold_posterior"]["bias"]
        if r["gold_source"]["bias"] == "dawid-skene":
            assert 0.5 < p <= 1 and r["gold"]["bias"] in ("biased", "non_biased")
        if r["gold_source"]["bias"] == "adjudicated":
            assert p is None and r["gold"]["bias"] == "biased"
        assert r["gold_source"]["bias_type"] != "dawid-skene"  # multi: voted
    # every table format carries the same column
    export_project(engine, proj, "csv", tmp_path / "d.csv", opts)
    header = next(csv.reader((tmp_path / "d.csv").open(encoding="utf-8")))
    assert "gold_posterior.bias" in header and "gold_posterior.opinion" in header
    export_project(engine, proj, "parquet", tmp_path / "d.parquet", opts)
    import pyarrow.parquet as pq

    table = pq.read_table(tmp_path / "d.parquet")
    assert str(table.schema.field("gold_posterior.bias").type) == "double"
    export_project(engine, proj, "hf", tmp_path / "hf", opts)
    files = list((tmp_path / "hf" / "data").iterdir())
    assert "bias_posterior" in pq.read_table(files[0]).schema.names
    assert "bias_posterior" in (tmp_path / "hf" / "README.md").read_text(encoding="utf-8")


def test_majority_is_the_default_and_stream_equals_rows(store, tmp_path):
    engine, proj, _ = store
    export_project(engine, proj, "jsonl", tmp_path / "m.jsonl", ExportOptions(gold=True))
    rows = jsonl(tmp_path / "m.jsonl")
    assert all("gold_posterior" not in r for r in rows)
    assert {r["gold_source"]["bias"] for r in rows} <= {"unanimous", "majority", "tie",
                                                         "adjudicated"}  # fmt: skip


def test_adjudicated_only_leaves_the_rest_empty(store, tmp_path):
    engine, proj, _ = store
    opts = ExportOptions(gold=True, gold_method="adjudicated-only")
    export_project(engine, proj, "jsonl", tmp_path / "a.jsonl", opts)
    rows = jsonl(tmp_path / "a.jsonl")
    adjudicated = [r for r in rows if r["gold_source"]["bias"] == "adjudicated"]
    assert len(adjudicated) == 1 and adjudicated[0]["gold"]["bias"] == "biased"
    for r in rows:
        if r not in adjudicated:
            assert r["gold"]["bias"] is None and r["gold_source"]["bias"] == "none"


def test_cli_gold_method(store, tmp_path):
    _, _, url = store
    run = CliRunner().invoke
    out = tmp_path / "c.jsonl"
    result = run(main_app, ["export", "--gold-method", "dawid-skene", "-o", str(out), "--db", url])
    assert result.exit_code == 0, result.output
    assert "gold_posterior" in jsonl(out)[0]
    result = run(main_app, ["export", "--gold-method", "vote", "--db", url])
    assert result.exit_code != 0


def test_agreement_reports_estimated_accuracy(store):
    _, _, url = store
    result = CliRunner().invoke(make_app(), ["agreement", "--json", "--as", "lead", "--db", url])
    assert result.exit_code == 0, result.output
    people = {a["annotator"]: a for a in json.loads(result.output)["annotators"]}
    for name in ("alice", "bob", "carol"):
        acc = people[name]["estimated_accuracy"]
        assert acc is not None and 0 < acc <= 1
        assert set(people[name]["estimated_accuracy_per_task"]) == {"bias", "opinion"}
        assert 0 < people[name]["mace_competence_per_task"]["bias"] <= 1
