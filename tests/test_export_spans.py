"""Spans a model can use: every exported span (each annotator's and gold) carries character
offsets, its text and token indexes, and the unit's tokens are in the export beside them;
`labels import` takes spans as character offsets (Label Studio, Prodigy, doccano)."""

from __future__ import annotations

import csv
import json

import pytest

from annotator.export.options import ExportOptions
from annotator.export.run import export_project
from annotator.labels import import_labels
from tests.support.exports import build_store, new_project, project_of

KEYS = {"start", "end", "text", "token_start", "token_end"}


def check_span(span: dict, text: str, tokens: list[str]) -> None:
    assert set(span) >= KEYS
    assert text[span["start"] : span["end"]] == span["text"]
    words = tokens[span["token_start"] : span["token_end"]]
    assert words and words[0] in span["text"] and words[-1] in span["text"]


@pytest.fixture
def store(sqlite_url):
    engine, pid = build_store(sqlite_url, documents=4)
    return engine, project_of(engine, pid)


def test_jsonl_spans_and_tokens(store, tmp_path):
    engine, proj = store
    export_project(engine, proj, "jsonl", tmp_path / "x.jsonl", ExportOptions(gold=True))
    rows = [json.loads(line) for line in (tmp_path / "x.jsonl").read_text("utf-8").splitlines()]
    gold_spans = 0
    for row in rows:
        assert row["tokens"] == [*row["text"].rstrip(".").split(), "."]
        for a in row["annotations"]:
            for span in a["values"].get("biased_words") or []:
                check_span(span, row["text"], row["tokens"])
        for span in row["gold"]["biased_words"] or []:
            check_span(span, row["text"], row["tokens"])
            gold_spans += 1
    assert gold_spans


def test_table_and_hf_spans_and_tokens(store, tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    engine, proj = store
    export_project(engine, proj, "csv", tmp_path / "x.csv", ExportOptions(gold=True))
    seen = 0
    for r in csv.DictReader((tmp_path / "x.csv").open(encoding="utf-8", newline="")):
        tokens = json.loads(r["tokens"])
        for span in json.loads(r["gold.biased_words"] or "[]"):
            check_span(span, r["text"], tokens)
            seen += 1
    assert seen
    export_project(engine, proj, "parquet", tmp_path / "x.parquet", ExportOptions(gold=True))
    for r in pq.read_table(tmp_path / "x.parquet").to_pylist():
        for span in json.loads(r["gold.biased_words"] or "[]"):
            check_span(span, r["text"], r["tokens"])
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "cache"))
    datasets = pytest.importorskip("datasets")
    export_project(engine, proj, "hf", tmp_path / "hf", ExportOptions())
    ds = datasets.load_dataset(str(tmp_path / "hf"))
    spans = 0
    for split in ds.values():
        for r in split:
            for span in json.loads(r["biased_words"] or "[]"):
                check_span(span, r["text"], r["tokens"])
                spans += 1
    assert spans


def test_labels_import_takes_character_offsets(tmp_path):
    engine, proj = new_project(f"sqlite:///{tmp_path / 'a.db'}")
    text = "Leaders met brazenly in town."
    lines = [
        {"text": text, "annotator": "ls", "values": {"bias": "biased",
         "biased_words": [{"start": 12, "end": 20, "labels": ["loaded"]}]}},
        {"text": text, "annotator": "prodigy", "values": {"bias": "biased",
         "biased_words": [{"start": 12, "end": 20, "token_start": 2, "token_end": 3}]}},
        {"text": text, "annotator": "words", "values": {"bias": "biased",
         "biased_words": ["brazenly"]}},
        {"text": text, "annotator": "bad", "values": {"bias": "biased",
         "biased_words": [{"start": 40, "end": 45}]}},
        {"text": "Nothing marked here.", "annotator": "ls", "values": {"bias": "non_biased"}},
    ]  # fmt: skip
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines), encoding="utf-8")
    report = import_labels(engine, proj, path)
    assert report.failed == 1 and "outside the text" in report.problems[0]
    export_project(engine, proj, "jsonl", tmp_path / "out.jsonl", ExportOptions())
    row, plain = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text("utf-8").splitlines()]
    # No span given and no tokens cached: no tokenizer run for it (null tokens).
    assert plain["text"] == "Nothing marked here." and plain["tokens"] is None
    by = {a["annotator"]: a["values"]["biased_words"] for a in row["annotations"]}
    assert by["ls"] == [
        {"start": 12, "end": 20, "text": "brazenly", "label": "loaded",
         "token_start": 2, "token_end": 3}
    ]  # fmt: skip
    for spans in by.values():
        check_span(spans[0], text, row["tokens"])
        assert spans[0]["text"] == "brazenly"
