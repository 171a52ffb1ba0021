"""Small things a lead notices: counts in the singular, JSONL values as raw UTF-8 like the
text, export progress reported (a bar on a terminal), roles with the right article."""

from __future__ import annotations

import json

from sqlmodel import Session
from typer.testing import CliRunner

from annotator.cli import app
from annotator.export.options import ExportOptions
from annotator.export.run import export_project
from annotator.store.models import Annotation
from annotator.wording import a_or_an, plural
from tests.support.exports import build_store, project_of


def test_plural_and_article():
    assert plural(1, "document") == "1 document" and plural(2, "unit") == "2 units"
    assert plural(1_000, "unit") == "1,000 units" and plural(0, "record") == "0 records"
    assert a_or_an("annotator") == "an annotator" and a_or_an("lead") == "a lead"


def test_jsonl_values_are_raw_utf8_and_progress_is_reported(sqlite_url, tmp_path):
    engine, pid = build_store(sqlite_url, documents=2)
    with Session(engine) as s:
        ann = s.get(Annotation, 1)
        ann.values = {**ann.values, "note": "中文备注"}
        s.add(ann)
        s.commit()
    seen: list[tuple[int, int]] = []
    out = tmp_path / "x.jsonl"
    export_project(
        engine,
        project_of(engine, pid),
        "jsonl",
        out,
        ExportOptions(),
        progress=lambda done, total: seen.append((done, total)),
    )
    raw = out.read_text(encoding="utf-8")
    assert "中文备注" in raw and "\\u" not in raw
    assert json.loads(raw.splitlines()[0])["annotations"][0]["values"]["note"] == "中文备注"
    assert seen and seen[-1] == (8, 8)


def test_cli_counts_read_right(tmp_path):
    db = f"sqlite:///{tmp_path / 'a.db'}"
    run = CliRunner().invoke
    assert run(app, ["init", "--name", "p", "--db", db]).exit_code == 0
    added = run(app, ["annotators", "add", "carol", "--db", db])
    assert "carol is an annotator" in added.output
    labels = tmp_path / "l.jsonl"
    labels.write_text(
        json.dumps({"text": "One sentence.", "annotator": "carol", "values": {"bias": "biased"}}),
        encoding="utf-8",
    )
    result = run(app, ["labels", "import", str(labels), "--db", db])
    said = " ".join(result.output.split())  # the console wraps long lines
    assert "1 record: 1 new label" in said and "1 new unit in 1 new document" in said
    result = run(app, ["export", "-o", str(tmp_path / "x.jsonl"), "--db", db])
    assert "Wrote 1 unit to" in result.output


def test_parquet_without_pyarrow_says_what_to_install(sqlite_url, tmp_path, monkeypatch):
    import importlib.util

    import pytest

    from annotator.errors import UserError

    engine, pid = build_store(sqlite_url, documents=1)
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "pyarrow" else real(name, *a)
    )
    with pytest.raises(UserError, match=r"pyarrow: pip install 'annotator\[parquet\]'"):
        export_project(engine, project_of(engine, pid), "hf", tmp_path / "hf", ExportOptions())
