"""BABE (Spinde et al., 2021), SG2: the published agreement and gold labels, reproduced.

Loads ``../shared/datasets/babe/raw_labels_SG2.csv`` with ``annotator labels import --preset
babe`` into a project with ``schemas/media_bias.yaml`` (nothing is copied into the repo) and
checks: Krippendorff's alpha at the interval level (opinion coded 0/1/2 in the scale's order)
is the published 0.40 for bias and 0.60 for opinion, and the majority vote (ties: "No
agreement") equals ``final_labels_SG2.csv`` for every sentence. Skips when ../shared is absent.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from annotator.analysis.dawid_skene import gold_for_units
from annotator.cli import app as main_app
from annotator.schema import babe, load_schema
from annotator.store.engine import open_store, session_scope
from annotator.store.labels_query import fetch_labels
from annotator.store.projects import create_project
from tests.support.agreement import make_app

REPO = Path(__file__).resolve().parents[1]
BABE = REPO.parent / "shared" / "datasets" / "babe"
RAW, FINAL = BABE / "raw_labels_SG2.csv", BABE / "final_labels_SG2.csv"

pytestmark = pytest.mark.skipif(
    not (RAW.is_file() and FINAL.is_file()), reason="../shared/datasets/babe is not present"
)


@pytest.fixture(scope="module")
def babe_store(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('babe') / 'babe.db'}"
    with session_scope(open_store(url)) as session:
        create_project(session, "babe", load_schema(REPO / "schemas" / "media_bias.yaml"))
    result = CliRunner().invoke(
        main_app,
        ["labels", "import", str(RAW), "--preset", "babe", "--annotator-field", "annotator_id",
         "--db", url],
    )  # fmt: skip
    # One SG2 row has no text; every other row imports.
    assert "18,361 records" in result.output and " 1 bad" in result.output, result.output
    return url


def test_published_alpha_at_the_interval_level(babe_store):
    result = CliRunner().invoke(
        make_app(), ["agreement", "--level", "interval", "--json", "--db", babe_store]
    )
    assert result.exit_code == 0, result.output
    tasks = {t["task"]: t for t in json.loads(result.output)["tasks"]}
    assert round(tasks["bias"]["alpha"]["value"], 2) == 0.40
    assert round(tasks["opinion"]["alpha"]["value"], 2) == 0.60
    assert tasks["bias"]["alpha"]["annotators"] == 8


def test_majority_vote_equals_the_published_final_labels(babe_store):
    engine = open_store(babe_store)
    schema = load_schema(REPO / "schemas" / "media_bias.yaml")
    with session_scope(engine) as session:
        table = fetch_labels(session, 1)
        unit_of = {t: u for u, t in session.execute(text("SELECT id, text FROM unit"))}
    with FINAL.open(encoding="utf-8-sig", newline="") as fh:
        final = list(csv.DictReader(fh, delimiter=";"))
    assert len(final) == 3674
    wrong = []
    for task, column, convert in (
        ("bias", "label_bias", babe.bias_value),
        ("opinion", "label_opinion", babe.opinion_value),
    ):
        gold = gold_for_units(table, schema.task(task))  # type: ignore[arg-type]
        for row in final:
            # Units are matched by exact text: BABE labels apart sentences that differ only
            # in a trailing no-break space, and so must we.
            unit = unit_of.get(row["text"])
            assert unit is not None, row["text"][:60]
            want = convert(row[column])  # "No agreement" -> None, as a tie gives
            if gold[unit].value != want:
                wrong.append((task, row["text"]))
    assert wrong == []


def test_exported_gold_equals_the_published_final_labels(babe_store, tmp_path):
    """The same check through `annotator export --gold` (gold with show_if, the stream)."""
    out = tmp_path / "babe.jsonl"
    result = CliRunner().invoke(
        main_app, ["export", "--gold", "--tasks", "bias,opinion", "-o", str(out),
                   "--db", babe_store],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    gold = {}
    for line in out.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        gold[row["text"]] = row["gold"]
    with FINAL.open(encoding="utf-8-sig", newline="") as fh:
        final = list(csv.DictReader(fh, delimiter=";"))
    wrong = [
        row["text"]
        for row in final
        if gold[row["text"]]["bias"] != babe.bias_value(row["label_bias"])
        or gold[row["text"]]["opinion"] != babe.opinion_value(row["label_opinion"])
    ]
    assert wrong == []


def test_dawid_skene_accuracy_per_annotator(babe_store):
    result = CliRunner().invoke(make_app(), ["agreement", "--json", "--db", babe_store])
    assert result.exit_code == 0, result.output
    people = json.loads(result.output)["annotators"]
    assert len(people) == 8
    assert all(0.5 < p["estimated_accuracy"] <= 1 for p in people)
