"""The export formats table (``export.formats``): the command reads every format from it, so
what a user sees per format (its default output, its summary line, its errors) follows the
table; and the one gold computation the row dicts share with the stream writers gives what
``aggregate.gold_for_unit`` gives unit by unit."""

from __future__ import annotations

import subprocess
import sys
from importlib import import_module
from pathlib import Path

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from annotator.analysis.aggregate import MODEL_METHODS, gold_for_unit, span_members
from annotator.cli import app
from annotator.export.formats import FORMATS
from annotator.export.gold import gold_rules
from annotator.export.options import ExportOptions
from annotator.export.select import select_rows, selected_tasks
from annotator.store.labels_query import fetch_labels
from annotator.store.models import Adjudication, Annotation, Unit
from annotator.store.schema_versions import current_schema
from tests.support.exports import build_store, project_of

runner = CliRunner()


@pytest.mark.parametrize("name", list(FORMATS))
def test_every_format_names_a_writer_that_exists(name):
    module, _, function = FORMATS[name].writer.partition(":")
    assert callable(getattr(import_module(module), function))


@pytest.fixture
def labelled(tmp_path, monkeypatch) -> Path:
    db = tmp_path / "news.db"
    build_store(f"sqlite:///{db}", documents=4)
    monkeypatch.setenv("ANNOTATOR_DB", str(db))
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("name", list(FORMATS))
def test_export_without_output_writes_the_formats_default_name(labelled, name):
    if FORMATS[name].extra:
        pytest.importorskip("pyarrow")
    result = runner.invoke(app, ["export", "--format", name], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    made = list((labelled / "exports").iterdir())
    assert len(made) == (2 if name == "label-studio" else 1)  # tasks and labeling config
    written = next(p for p in made if not p.name.endswith(".labeling-config.xml"))
    assert written.name.startswith("news-")
    if FORMATS[name].folder:
        assert written.is_dir() and written.name.endswith(f"-{name}")
        assert (written / "README.md").is_file()  # a folder always has its card
        assert "train" in result.output  # units per split on the summary line
    else:
        assert written.is_file() and written.name.endswith(FORMATS[name].suffix)
    assert f" {FORMATS[name].record}s to exports/{written.name}" in result.output.replace("\n", "")


def test_unknown_format_is_one_line_that_lists_the_formats(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "annotator", "export", "-f", "xml", "--db", str(tmp_path / "x.db")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert lines == [f"error: --format xml: unknown format (formats: {', '.join(FORMATS)})"]


def test_a_token_format_without_a_span_task_says_so(labelled):
    result = runner.invoke(app, ["export", "-f", "conll", "--tasks", "bias"])
    assert result.exit_code != 0
    message = str(result.exception) + result.output
    assert "--format conll needs a span task in the schema (or in --tasks)" in message
    assert not (labelled / "exports").exists() or not list((labelled / "exports").iterdir())


def test_export_help_lists_every_format():
    result = runner.invoke(app, ["export", "--help"], terminal_width=200)
    assert result.exit_code == 0
    for name in FORMATS:
        assert name in result.output


VARIANTS = {
    "majority": {},
    "two tasks and their parent": {"tasks": ("bias_type", "biased_words")},
    "all statuses, every unit": {"status": "all", "include_unannotated": True},
    "dawid-skene": {"gold_method": "dawid-skene"},
    "adjudicated only": {"gold_method": "adjudicated-only"},
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_row_gold_is_gold_for_unit_on_each_units_labels(db_url, variant):
    """The rows' gold is cached per distinct votes; computed afresh for every unit from the
    store's annotations it must be the same."""
    engine, pid = build_store(db_url, documents=6)
    proj = project_of(engine, pid)
    opts = ExportOptions(gold=True, **VARIANTS[variant])
    with Session(engine) as s:
        # Labels that must not vote (flagged, with values) and more of a lead's decisions.
        for a in s.exec(select(Annotation).where(Annotation.id % 4 == 0)):
            a.status = "flagged"
            s.add(a)
        lead = s.exec(select(Adjudication)).one().annotator_id
        for uid in s.exec(select(Unit.id).where(Unit.id % 5 == 0)):
            s.add(Adjudication(unit_id=uid, task="bias", value="non_biased", annotator_id=lead))
        s.commit()
        schema = current_schema(s, proj)
        table = fetch_labels(s, pid) if opts.gold_method in MODEL_METHODS else None
        anns: dict[int, list[dict]] = {}
        for a in s.exec(select(Annotation).join(Unit).where(Unit.project_id == pid)):
            if opts.status == "all" or a.status == "done":
                anns.setdefault(a.unit_id, []).append({"values": a.values, "status": a.status})
        adjudicated: dict[int, dict] = {}
        for j in s.exec(select(Adjudication)):
            adjudicated.setdefault(j.unit_id, {})[j.task] = j.value
    tasks = selected_tasks(schema, opts)
    rules = gold_rules(schema, tasks, opts.gold_method, table)
    rows = list(select_rows(engine, pid, schema, opts, rules=rules))
    assert rows
    for row in rows:
        uid = row["unit_id"]
        want = gold_for_unit(
            rules.needed,
            anns.get(uid, []),
            adjudicated.get(uid),
            show_if=rules.show_if,
            method=rules.method,
            estimates=rules.unit_estimates(uid),
        )
        for task, kind in tasks.items():
            got = row["gold"][task]
            if kind == "span":  # the rows' spans also carry their characters
                assert span_members(got) == span_members(want[task].value), (uid, task)
            else:
                assert got == want[task].value, (uid, task)
            assert row["gold_source"][task] == want[task].source, (uid, task)
    if opts.gold_method in MODEL_METHODS:
        assert all(set(r["gold_posterior"]) for r in rows)
