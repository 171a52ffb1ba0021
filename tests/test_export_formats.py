"""Each export format read back by its consumer, on a small annotated store."""

from __future__ import annotations

import csv
import json
import os

import pytest

from annotator.export.options import ExportOptions
from annotator.export.run import export_project
from tests.support.exports import build_store, project_of, read_conll


@pytest.fixture
def store(sqlite_url):
    engine, pid = build_store(sqlite_url)
    return engine, project_of(engine, pid)


def run(store, fmt, target, **kw):
    engine, proj = store
    return export_project(
        engine, proj, fmt, target, ExportOptions(command="annotator export", **kw)
    )


def test_jsonl_rows_carry_filtered_annotations_and_gold(store, tmp_path):
    out = tmp_path / "x.jsonl"
    run(store, "jsonl", out, gold=True, annotators=frozenset({"alice", "bob"}), tasks=("bias",))
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows and all(r["schema"]["hash"] for r in rows)
    for r in rows:
        assert {a["annotator"] for a in r["annotations"]} <= {"alice", "bob"}
        assert all(set(a["values"]) <= {"bias"} for a in r["annotations"])
        assert set(r["gold"]) == {"bias"}
    # unit 2 carries the lead's adjudication: it wins over the vote
    second = next(r for r in rows if r["unit_id"] == 2)
    assert second["gold"]["bias"] == "biased" and second["gold_source"]["bias"] == "adjudicated"


def test_status_all_keeps_skipped_and_done_drops_them(store, tmp_path):
    run(store, "csv", tmp_path / "done.csv")
    run(store, "csv", tmp_path / "all.csv", status="all")
    statuses = lambda p: {r["status"] for r in csv.DictReader(p.open(encoding="utf-8"))}  # noqa: E731
    assert statuses(tmp_path / "done.csv") == {"done"}
    assert "skipped" in statuses(tmp_path / "all.csv")


def test_csv_one_row_per_unit_and_annotator_with_json_cells(store, tmp_path):
    out = tmp_path / "x.csv"
    n = run(store, "csv", out).records
    rows = list(csv.DictReader(out.open(encoding="utf-8", newline="")))
    assert len(rows) == n
    assert len({(r["unit_id"], r["annotator"]) for r in rows}) == n
    assert {"bias", "opinion", "biased_words", "bias_type", "note"} <= set(rows[0])
    multi = [json.loads(r["bias_type"]) for r in rows if r["bias_type"]]
    assert multi and all(isinstance(v, list) for v in multi)
    spans = [json.loads(r["biased_words"]) for r in rows if r["biased_words"]]
    assert spans and all("token_start" in s[0] for s in spans)
    assert any(r["note"].startswith("=") for r in rows)  # not neutralised without the flag


def test_csv_excel_safe_neutralises_formulas(store, tmp_path):
    out = tmp_path / "x.csv"
    run(store, "csv", out, excel_safe=True)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig", newline="")))
    cells = [c for r in rows for c in r.values() if c]
    assert not any(c[0] in "=+-@" for c in cells)
    assert any(c.startswith("'=SUM") for c in cells)


def test_parquet_reads_back_with_types_and_schema_hash(store, tmp_path):
    import pyarrow.parquet as pq

    out = tmp_path / "x.parquet"
    n = run(store, "parquet", out, gold=True).records
    table = pq.read_table(out)
    assert table.num_rows == n
    import pyarrow as pa

    assert pa.types.is_list(table.schema.field("bias_type").type)
    assert table.schema.metadata[b"annotator.schema_name"] == b"media-bias"
    rows = table.to_pylist()
    assert {r["annotator"] for r in rows} == {"alice", "bob", "carol"}
    assert any(r["gold.bias"] == "biased" for r in rows)


def test_hf_folder_loads_with_datasets_offline(store, tmp_path, monkeypatch):
    datasets = pytest.importorskip("datasets")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "hf"
    result = run(store, "hf", out, seed=3)
    ds = datasets.load_dataset(str(out))
    assert set(ds) == {"train", "validation", "test"}
    assert sum(len(ds[s]) for s in ds) == result.records == 48
    assert ds["train"].features["bias_type"].feature.dtype == "string"
    docs = {s: set(ds[s]["document_id"]) for s in ds}
    assert not docs["train"] & docs["test"] and not docs["train"] & docs["validation"]
    card = (out / "README.md").read_text(encoding="utf-8")
    assert card.startswith("---\nconfigs:") and "dataset_info:" in card
    assert "annotator export" in card and "majority vote" in card
    assert os.listdir(tmp_path).count("hf") == 1  # no temporary folder left behind
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".part")]


def test_conll_bio_tags_per_split(store, tmp_path):
    out = tmp_path / "conll"
    result = run(store, "conll", out, split=(0.8, 0.1, 0.1))
    total = 0
    for split in ("train", "validation", "test"):
        sentences = read_conll(out / f"{split}.conll")
        total += len(sentences)
        for sent in sentences:
            tags = [t[0] for _, t in sent]
            for prev, tag in zip(["O", *tags], tags, strict=False):
                assert tag == "O" or tag[:2] in ("B-", "I-")
                if tag.startswith("I-"):
                    assert prev[2:] == tag[2:]
    assert total == result.records
    tagged = [tok for s in read_conll(out / "train.conll") for tok, t in s if t[0] != "O"]
    # tokens 3 (and 4 where alice's longer span wins the vote) are the marked words
    assert tagged and set(tagged) <= {"the", "summit", "leaders", "met"}
    assert "leaders" in tagged and "says" not in tagged


def test_label_studio_tasks_have_the_import_shape(store, tmp_path):
    out = tmp_path / "ls.json"
    run(store, "label-studio", out, gold=True)
    tasks = json.loads(out.read_text(encoding="utf-8"))
    assert isinstance(tasks, list) and tasks
    for task in tasks:
        assert isinstance(task["data"]["text"], str)
        for ann in task["annotations"]:
            assert isinstance(ann["result"], list)
            ids = [r["id"] for r in ann["result"]]
            assert len(ids) == len(set(ids))
            for region in ann["result"]:
                assert {"from_name", "to_name", "type", "value"} <= set(region)
                if region["type"] == "labels":
                    v = region["value"]
                    assert task["data"]["text"][v["start"] : v["end"]] == v["text"]
                elif region["type"] == "choices":
                    assert isinstance(region["value"]["choices"], list)
    assert any(a.get("ground_truth") for t in tasks for a in t["annotations"])


def test_prodigy_tasks_have_the_documented_shape(store, tmp_path):
    out = tmp_path / "p.jsonl"
    run(store, "prodigy", out)
    tasks = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert tasks
    by_unit: dict[int, set[int]] = {}
    for t in tasks:
        assert t["answer"] in ("accept", "reject", "ignore")
        assert isinstance(t["_input_hash"], int) and isinstance(t["_task_hash"], int)
        by_unit.setdefault(t["meta"]["unit_id"], set()).add(t["_task_hash"])
        for span in t["spans"]:
            assert t["text"][span["start"] : span["end"]]
            assert t["tokens"][span["token_start"]]["start"] == span["start"]
            assert t["tokens"][span["token_end"]]["end"] == span["end"]
        assert set(t["accept"]) <= {o["id"] for o in t["options"]}
    assert all(len(h) == 1 for h in by_unit.values())  # one task hash for every annotator


def test_card_beside_file_with_counts_and_command(store, tmp_path):
    out = tmp_path / "x.jsonl"
    result = run(store, "jsonl", out, card=True, split=(0.8, 0.1, 0.1), gold=True)
    card = result.card.read_text(encoding="utf-8")
    assert result.card.name == "x.jsonl.card.md"
    for needle in ("media-bias", "annotator export", "alice", "voa", "2024-01-01", "| train |"):
        assert needle in card


@pytest.mark.parametrize(
    ("fmt", "gold"), [("csv", False), ("csv", True), ("jsonl", False), ("parquet", False)]
)
def test_failed_export_leaves_no_file(store, tmp_path, monkeypatch, fmt, gold):
    from annotator.store.export_stream import UnitStream

    calls = []

    def dies_midway(real):
        def lookup(self, doc_id):
            calls.append(doc_id)
            if len(calls) == 3:
                raise RuntimeError("disk full")
            return real(self, doc_id)

        return lookup

    # (a document as a dict, or as JSON text for the jsonl writer: the third lookup fails)
    for name in ("document", "document_json"):
        monkeypatch.setattr(UnitStream, name, dies_midway(getattr(UnitStream, name)))
    out = tmp_path / f"x.{fmt}"
    with pytest.raises(RuntimeError):
        run(store, fmt, out, gold=gold)
    assert not [p for p in os.listdir(tmp_path) if p.startswith((out.name, f".{out.name}"))]
