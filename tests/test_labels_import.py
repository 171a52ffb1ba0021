"""labels import: records in, checked against the schema, idempotent, round trip."""

from __future__ import annotations

import json

from sqlmodel import Session, func, select

from annotator.export.options import ExportOptions
from annotator.export.run import export_project
from annotator.labels import Columns, babe_columns, import_labels
from annotator.store.models import AnnotationEvent
from tests.support.exports import SHARED_BABE, build_store, labels_by_text, new_project, project_of


def events(engine) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(AnnotationEvent)).one()


def test_round_trip_jsonl_export_import_export(tmp_path):
    engine, pid = build_store(f"sqlite:///{tmp_path / 'a.db'}")
    first = tmp_path / "first.jsonl"
    export_project(engine, project_of(engine, pid), "jsonl", first, ExportOptions(status="all"))
    engine2, proj2 = new_project(f"sqlite:///{tmp_path / 'b.db'}")
    report = import_labels(engine2, proj2, first)
    assert report.problems == [] and report.created > 100
    second = tmp_path / "second.jsonl"
    export_project(engine2, proj2, "jsonl", second, ExportOptions(status="all"))
    assert labels_by_text(second) == labels_by_text(first)
    # Importing the same file again changes nothing and writes no audit event.
    before = events(engine2)
    again = import_labels(engine2, proj2, first)
    assert (again.created, again.updated, again.units_created) == (0, 0, 0)
    assert again.unchanged == report.created and events(engine2) == before


def test_bad_records_get_one_line_each_and_the_rest_import(tmp_path):
    engine, proj = new_project(f"sqlite:///{tmp_path / 'a.db'}")
    lines = [
        {"text": "Leaders met.", "annotator": "ann", "task": "bias", "value": "biased"},
        {"text": "Leaders met.", "annotator": "ann", "task": "bias", "value": "maybe"},
        {"text": "Other text.", "annotator": "ann", "values": {"colour": "red"}},
        {"annotator": "ann", "task": "bias", "value": "biased"},
        {"text": "Third one.", "annotator": "bo", "values": {"bias_type": ["informational"]}},
    ]
    path = tmp_path / "labels.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\nnot json\n", encoding="utf-8")
    report = import_labels(engine, proj, path)
    assert report.created == 2 and report.failed == 4
    assert all(p.startswith("labels.jsonl:") for p in report.problems)
    assert "'maybe' is not one of biased, non_biased" in report.problems[0]
    assert "colour" in report.problems[1] and "labels.jsonl:6: not JSON" in report.problems[3]
    assert report.units_created == 2 and report.documents_created == 1


def test_csv_with_a_column_per_task_and_value_map(tmp_path):
    engine, proj = new_project(f"sqlite:///{tmp_path / 'a.db'}")
    path = tmp_path / "labels.csv"
    path.write_text(
        "sentence;coder;Label\nThe mayor brazenly lied.;x1;Biased\nRain fell.;x1;Non-biased\n",
        encoding="utf-8",
    )
    cols = Columns(text="sentence", annotator="coder", task_columns={"bias": "Label"})
    report = import_labels(engine, proj, path, cols)
    assert report.problems == [] and report.created == 2
    out = tmp_path / "x.jsonl"
    export_project(engine, proj, "jsonl", out, ExportOptions())
    got = {k[0]: v[0]["bias"] for k, v in labels_by_text(out).items()}
    assert got == {"The mayor brazenly lied.": "biased", "Rain fell.": "non_biased"}


def test_babe_sample_imports_with_spans(tmp_path):
    if not SHARED_BABE.is_file():
        import pytest

        pytest.skip("../shared/datasets/babe is not present")
    sample = tmp_path / "babe_sample.csv"
    with SHARED_BABE.open(encoding="utf-8-sig") as fh:  # local check only; not copied to git
        sample.write_text("".join(next(fh) for _ in range(60)), encoding="utf-8")
    engine, proj = new_project(f"sqlite:///{tmp_path / 'a.db'}")
    report = import_labels(engine, proj, sample, babe_columns(sample))
    assert report.created >= 55
    out = tmp_path / "x.jsonl"
    export_project(engine, proj, "jsonl", out, ExportOptions())
    values = [v for v, _ in labels_by_text(out).values()]
    assert {v.get("bias") for v in values} >= {"biased", "non_biased"}
    assert any(v.get("biased_words") for v in values)
