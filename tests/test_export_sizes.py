"""Every export format written for 1, 2 and 1,000 documents and read back by its real
consumer: `datasets.load_dataset` (hf), pyarrow (parquet), pandas (csv, jsonl), a CoNLL
reader, JSON (Label Studio, Prodigy). Gold obeys the schema the same way in every format."""

from __future__ import annotations

import csv
import json

import pytest
from sqlmodel import Session, select

from annotator.export.options import ExportOptions
from annotator.export.run import export_project
from annotator.store.models import Adjudication, Annotator, Unit
from tests.support.exports import build_store, project_of, read_conll

SIZES = [1, 2, 1000]


@pytest.fixture(scope="module", params=SIZES, ids=lambda n: f"{n}doc")
def sized(request, tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('sized') / 'a.db'}"
    engine, pid = build_store(url, documents=request.param)
    return request.param, engine, project_of(engine, pid)


@pytest.fixture
def offline(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "cache"))


def export(sized, fmt, target, **kw):
    _, engine, proj = sized
    return export_project(engine, proj, fmt, target, ExportOptions(command="t", **kw))


def test_hf_loads_at_any_size(sized, tmp_path, offline):
    datasets = pytest.importorskip("datasets")
    docs = sized[0]
    result = export(sized, "hf", tmp_path / "hf")
    ds = datasets.load_dataset(str(tmp_path / "hf"))
    assert sum(len(ds[s]) for s in ds) == result.records
    assert set(ds) == set(result.splits) and all(result.splits.values())
    files = sorted(p.name.split("-")[0] for p in (tmp_path / "hf" / "data").iterdir())
    assert files == sorted(ds)
    if docs < 3:
        assert len(ds) <= docs
        assert result.notes and "left out" in result.notes[0] and "document" in result.notes[0]
        card = (tmp_path / "hf" / "README.md").read_text(encoding="utf-8")
        assert result.notes[0] in card
    else:
        assert set(ds) == {"train", "validation", "test"} and not result.notes


def test_hf_two_way_split_on_two_documents(sized, tmp_path, offline):
    datasets = pytest.importorskip("datasets")
    result = export(sized, "hf", tmp_path / "hf", split=(0.5, 0.5))
    ds = datasets.load_dataset(str(tmp_path / "hf"))
    assert set(ds) == set(result.splits)
    if sized[0] >= 2:
        assert set(ds) == {"train", "test"}


def test_tables_read_back(sized, tmp_path):
    import pandas as pd
    import pyarrow.parquet as pq

    n_csv = export(sized, "csv", tmp_path / "x.csv", gold=True).records
    assert len(pd.read_csv(tmp_path / "x.csv")) == n_csv
    n_jsonl = export(sized, "jsonl", tmp_path / "x.jsonl", gold=True).records
    assert len(pd.read_json(tmp_path / "x.jsonl", lines=True)) == n_jsonl
    n_pq = export(sized, "parquet", tmp_path / "x.parquet", gold=True).records
    assert pq.read_table(tmp_path / "x.parquet").num_rows == n_pq == n_csv


def test_conll_label_studio_prodigy_read_back(sized, tmp_path):
    result = export(sized, "conll", tmp_path / "conll")
    sentences = sum(len(read_conll(tmp_path / "conll" / f"{s}.conll")) for s in result.splits if s)
    assert sentences == result.records
    assert {p.name for p in (tmp_path / "conll").glob("*.conll")} == {
        f"{s}.conll" for s in result.splits
    }
    export(sized, "label-studio", tmp_path / "ls.json", gold=True)
    assert json.loads((tmp_path / "ls.json").read_text(encoding="utf-8"))
    export(sized, "prodigy", tmp_path / "p.jsonl")
    lines = (tmp_path / "p.jsonl").read_text(encoding="utf-8").splitlines()
    assert all(json.loads(line)["text"] for line in lines)


# --- gold for an adjudicated parent, the same in every format ---------------------------


@pytest.fixture
def adjudicated(sqlite_url):
    """Unit 3 labelled biased by some (with bias_type and a span), adjudicated non_biased."""
    engine, pid = build_store(sqlite_url, documents=2)
    with Session(engine) as s:
        lead = s.exec(select(Annotator).where(Annotator.name == "lead")).one().id
        unit = s.exec(select(Unit).order_by(Unit.id).offset(2)).first()
        s.add(Adjudication(unit_id=unit.id, task="bias", value="non_biased", annotator_id=lead))
        s.commit()
        uid = unit.id
    return engine, project_of(engine, pid), uid


def test_adjudicated_parent_hides_dependent_gold_in_every_format(adjudicated, tmp_path):
    import pyarrow.parquet as pq

    engine, proj, uid = adjudicated

    def run(fmt, target, **kw):
        return export_project(engine, proj, fmt, target, ExportOptions(gold=True, **kw))

    run("jsonl", tmp_path / "x.jsonl")
    rows = [json.loads(line) for line in (tmp_path / "x.jsonl").read_text("utf-8").splitlines()]
    tie_row = next(r for r in rows if r["gold_source"]["bias"] == "tie")
    tie = tie_row["unit_id"]
    row = next(r for r in rows if r["unit_id"] == uid)
    assert any(a["values"].get("bias_type") for a in row["annotations"])  # someone gave one
    assert row["gold"]["bias"] == "non_biased" and row["gold_source"]["bias"] == "adjudicated"
    for task in ("bias_type", "biased_words"):
        assert row["gold"][task] is None and row["gold_source"][task] == "not_shown"
    # Only bias_type selected: its parent's adjudication still hides it.
    run("jsonl", tmp_path / "t.jsonl", tasks=("bias_type",))
    rows = [json.loads(line) for line in (tmp_path / "t.jsonl").read_text("utf-8").splitlines()]
    row = next(r for r in rows if r["unit_id"] == uid)
    assert row["gold"] == {"bias_type": None} and row["gold_source"]["bias_type"] == "not_shown"

    # A tie on the parent: no value, `tie`, and nothing below it, the same in every format.
    assert tie_row["gold"]["bias"] is None and tie_row["gold_source"]["bias_type"] == "not_shown"
    run("csv", tmp_path / "x.csv")
    for r in csv.DictReader((tmp_path / "x.csv").open(encoding="utf-8", newline="")):
        if int(r["unit_id"]) in (uid, tie):
            assert r["gold.bias_type"] == "" and r["gold_source.bias_type"] == "not_shown"
        if int(r["unit_id"]) == tie:
            assert r["gold.bias"] == "" and r["gold_source.bias"] == "tie"
    run("parquet", tmp_path / "x.parquet")
    for r in pq.read_table(tmp_path / "x.parquet").to_pylist():
        if r["unit_id"] in (uid, tie):
            assert r["gold.bias_type"] is None and r["gold_source.bias_type"] == "not_shown"
        if r["unit_id"] == tie:
            assert r["gold.bias"] is None and r["gold_source.bias"] == "tie"
    run("hf", tmp_path / "hf")
    seen = set()
    for f in (tmp_path / "hf" / "data").iterdir():
        for r in pq.read_table(f).to_pylist():
            if r["unit_id"] in (uid, tie):
                seen.add(r["unit_id"])
                assert r["bias_type"] is None and r["bias_type_source"] == "not_shown"
            if r["unit_id"] == tie:
                assert r["bias"] is None and r["bias_source"] == "tie"
    assert seen == {uid, tie}


def test_label_studio_config_agrees_with_the_tasks(sized, tmp_path):
    import xml.etree.ElementTree as ET

    result = export(sized, "label-studio", tmp_path / "ls.json", gold=True)
    assert result.config == tmp_path / "ls.labeling-config.xml"
    view = ET.parse(result.config).getroot()
    assert view.tag == "View" and view.find("Text").get("value") == "$text"
    allowed = {
        c.get("name"): {x.get("value") for x in c}
        for c in view
        if c.tag in ("Choices", "Labels", "TextArea")
    }
    assert {"bias", "opinion", "bias_type", "biased_words", "note"} <= set(allowed)
    assert view.find("Choices[@name='bias_type']").get("whenChoiceValue") == "biased"
    regions = 0
    for task in json.loads((tmp_path / "ls.json").read_text(encoding="utf-8")):
        for ann in task["annotations"]:
            for region in ann["result"]:
                regions += 1
                assert region["to_name"] == "text" and region["from_name"] in allowed
                value = region["value"]
                for chosen in value.get("choices", []) + value.get("labels", []):
                    assert chosen in allowed[region["from_name"]], (region, chosen)
    assert regions
