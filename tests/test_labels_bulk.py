"""labels import in bulk: what lands in the store (annotations, audit events, units,
documents) is what saving the records one by one would give, across batch boundaries, on
SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session, select

import annotator.labels as labels
from annotator.export.options import ExportOptions
from annotator.export.run import export_project
from annotator.labels import import_labels
from annotator.store.models import Annotation, AnnotationEvent, Annotator, Document, Unit
from tests.support.exports import build_store, new_project, project_of


def write(path, records) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


def state(engine):
    """Annotations as (text, annotator) -> (values, status), and events in order."""
    with Session(engine) as s:
        anns = s.exec(
            select(Unit.text, Annotator.name, Annotation.values, Annotation.status)
            .join(Unit, Unit.id == Annotation.unit_id)
            .join(Annotator, Annotator.id == Annotation.annotator_id)
        ).all()
        events = s.exec(
            select(Unit.text, Annotator.name, AnnotationEvent.action, AnnotationEvent.values)
            .join(Unit, Unit.id == AnnotationEvent.unit_id)
            .join(Annotator, Annotator.id == AnnotationEvent.annotator_id)
            .order_by(AnnotationEvent.id)
        ).all()
        units = s.exec(select(Unit.text, Unit.document_id, Unit.position).order_by(Unit.id)).all()
        docs = s.exec(select(Document.title)).all()
    return {(t, n): (v, st) for t, n, v, st in anns}, events, units, docs


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(labels, "BATCH", 3)


def test_updates_skips_and_repeats_write_the_audit_trail(db_url, tmp_path, small_batches):
    engine, proj = new_project(db_url)
    first = tmp_path / "first.jsonl"
    write(
        first,
        [
            {"text": "A.", "annotator": "ann", "values": {"bias": "biased"}, "url": "u1"},
            {"text": "B.", "annotator": "ann", "values": {"bias": "biased"}, "url": "u1"},
            {"text": "A.", "annotator": "bo", "values": {"bias": "non_biased"}, "url": "u1"},
            {"text": "C.", "annotator": "ann", "values": {"bias": "biased"}, "url": "u2"},
            # the same unit and annotator again, in the same batch: one annotation
            {"text": "C.", "annotator": "ann", "task": "opinion", "value": "entirely_factual"},
        ],
    )
    report = import_labels(engine, proj, first)
    assert (report.created, report.updated, report.unchanged) == (4, 0, 0)
    anns, events, units, docs = state(engine)
    assert anns[("C.", "ann")] == ({"bias": "biased", "opinion": "entirely_factual"}, "done")
    assert [(t, n, a) for t, n, a, _ in events] == [
        ("A.", "ann", "create"),
        ("B.", "ann", "create"),
        ("A.", "bo", "create"),
        ("C.", "ann", "create"),
    ]
    # one document per source, positions in order, one unit per text across batches
    assert sorted(docs) == ["u1", "u2"]
    assert [(t, p) for t, _, p in units] == [("A.", 0), ("B.", 1), ("C.", 0)]

    second = tmp_path / "second.jsonl"
    write(
        second,
        [
            {"text": "A.", "annotator": "ann", "values": {"bias": "biased"}},  # unchanged
            {"text": "B.", "annotator": "ann", "values": {}, "status": "skipped"},
            {"text": "D.", "annotator": "ann", "values": {"bias": "biased"}, "url": "u1"},
        ],
    )
    before = len(events)
    report = import_labels(engine, proj, second)
    assert (report.created, report.updated, report.unchanged) == (1, 1, 1)
    anns, events, units, _ = state(engine)
    assert anns[("B.", "ann")] == ({}, "skipped")
    assert [(t, a) for t, _, a, _ in events[before:]] == [("B.", "skip"), ("D.", "create")]
    assert ("D.", 2) in [(t, p) for t, _, p in units]  # after the document's last unit

    again = import_labels(engine, proj, second)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert len(state(engine)[1]) == len(events)


def _writes_held_until_the_next_batch_is_planned(monkeypatch) -> None:
    """Where a batch is planned while the one before is written (PostgreSQL), hold each
    batch's writes until the next batch is planned: its lookups then never see the batch
    before committed, however fast the writer thread is."""
    import threading

    from annotator.store.label_writes import LabelWriter

    gates: list[threading.Event] = []
    real_last_writes, real_store_batch = LabelWriter.last_writes, labels._store_batch

    def last_writes(self):
        run = real_last_writes(self)
        if not self.ahead:
            return run
        if gates:
            gates[-1].set()  # this batch is planned: the one before may write
        gate = threading.Event()
        gates.append(gate)

        def held() -> None:
            assert gate.wait(30)
            run()

        return held

    def store_batch(*args, last=False):
        real_store_batch(*args, last=last)
        if last and gates:
            gates[-1].set()

    monkeypatch.setattr(LabelWriter, "last_writes", last_writes)
    monkeypatch.setattr(labels, "_store_batch", store_batch)


def test_a_batch_finds_what_the_batch_just_before_wrote(db_url, tmp_path, monkeypatch):
    """On PostgreSQL a batch is planned while the one before is still being written: what
    that one made (a unit, an annotation, a change to it) counts as made, as when the
    records are saved one by one."""
    path = tmp_path / "labels.jsonl"
    write(
        path,
        [
            # batches of two (a batch ends where the unit or annotator changes)
            {"text": "A.", "annotator": "ann", "values": {"bias": "biased"}, "url": "u1"},
            {"text": "A.", "annotator": "bo", "values": {"bias": "biased"}},
            {"text": "B.", "annotator": "bo", "values": {"bias": "biased"}, "url": "u1"},
            {"text": "A.", "annotator": "bo", "values": {"bias": "non_biased"}},  # a change
            {"unit_id": 2, "annotator": "cy", "values": {"bias": "biased"}},  # B., by its id
            {"text": "A.", "annotator": "bo", "values": {"bias": "non_biased"}},  # unchanged
        ],
    )
    monkeypatch.setattr(labels, "BATCH", 2)
    _writes_held_until_the_next_batch_is_planned(monkeypatch)
    engine, proj = new_project(db_url)
    report = import_labels(engine, proj, path)
    assert report.problems == []
    counts = (report.created, report.updated, report.unchanged, report.units_created)
    assert counts == (4, 1, 1, 2)
    anns, events, units, docs = state(engine)
    assert anns[("A.", "bo")] == ({"bias": "non_biased"}, "done")
    assert anns[("B.", "cy")] == ({"bias": "biased"}, "done")
    assert [(t, n, a) for t, n, a, _ in events] == [
        ("A.", "ann", "create"),
        ("A.", "bo", "create"),
        ("B.", "bo", "create"),
        ("A.", "bo", "update"),
        ("B.", "cy", "create"),
    ]
    assert [(t, p) for t, _, p in units] == [("A.", 0), ("B.", 1)] and docs == ["u1"]


def test_a_row_per_task_imports_as_one_annotation_and_again_changes_nothing(
    tmp_path, sqlite_url, monkeypatch
):
    monkeypatch.setattr(labels, "BATCH", 2)  # the rows of one annotation stay in one batch
    engine, proj = new_project(sqlite_url)
    path = tmp_path / "long.csv"
    path.write_text(
        "text,annotator,task,value\n"
        "Rain fell.,ann,bias,non_biased\n"
        "Rain fell.,ann,opinion,entirely_factual\n"
        "Rain fell.,ann,bias,biased\n",  # a repeated task: the later value counts
        encoding="utf-8",
    )
    first = import_labels(engine, proj, path)
    assert (first.records, first.created, first.failed) == (3, 1, 0)
    anns, events, _, _ = state(engine)
    assert anns[("Rain fell.", "ann")] == (
        {"bias": "biased", "opinion": "entirely_factual"},
        "done",
    )
    again = import_labels(engine, proj, path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert len(state(engine)[1]) == len(events) == 1


def test_problems_come_in_file_order_across_batches(tmp_path, small_batches, sqlite_url):
    engine, proj = new_project(sqlite_url)
    path = tmp_path / "labels.jsonl"
    lines = [
        json.dumps({"text": "A.", "annotator": "ann", "task": "bias", "value": "biased"}),
        json.dumps({"text": "B.", "annotator": "ann", "task": "bias", "value": "maybe"}),
        "not json",
        json.dumps({"unit_id": 999, "annotator": "ann", "task": "bias", "value": "biased"}),
        json.dumps(
            {"text": "C.", "annotator": "ann", "status": "odd", "values": {"bias": "biased"}}
        ),
        json.dumps({"text": "D.", "task": "bias", "value": "biased"}),
        json.dumps({"text": "E.", "annotator": "ann", "task": "bias", "value": "Non-biased"}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_labels(engine, proj, path)
    assert [p.split(":")[1] for p in report.problems] == ["2", "3", "4", "5", "6"]
    assert "no unit 999" in report.problems[2] and "'odd'" in report.problems[3]
    assert report.created == 2 and report.units_created == 2  # bad records made no unit


def test_round_trip_through_jsonl_on_both_databases(db_url, tmp_path, small_batches):
    engine, pid = build_store(db_url, documents=3, project="src")
    first = tmp_path / "first.jsonl"
    export_project(engine, project_of(engine, pid), "jsonl", first, ExportOptions(status="all"))
    engine2, proj2 = new_project(db_url)
    report = import_labels(engine2, proj2, first)
    assert report.problems == [] and report.created > 20
    second = tmp_path / "second.jsonl"
    export_project(engine2, proj2, "jsonl", second, ExportOptions(status="all"))

    from tests.support.exports import labels_by_text  # spans compared by characters

    assert labels_by_text(second) == labels_by_text(first)


def test_babe_preset_reads_raw_files_per_annotator(tmp_path, sqlite_url):
    engine, proj = new_project(sqlite_url)
    path = tmp_path / "raw_labels.csv"
    path.write_text(
        "text,label_bias,label_opinion,biased_words,annotator_id\n"
        "The mayor brazenly lied.,Biased,Entirely factual,['brazenly'],3\n"
        "The mayor brazenly lied.,Non-biased,Entirely factual,[],7\n",
        encoding="utf-8",
    )
    report = import_labels(engine, proj, path, labels.babe_columns(path))
    assert (report.created, report.failed) == (2, 0)
    anns = state(engine)[0]
    assert anns[("The mayor brazenly lied.", "3")][0]["bias"] == "biased"
    assert anns[("The mayor brazenly lied.", "7")][0]["bias"] == "non_biased"


def test_a_failed_batch_is_one_line_and_the_batches_before_stay(db_url, tmp_path, monkeypatch):
    """A database error in the second batch's writes (on PostgreSQL met while the third is
    planned) stops the import with one line; the first batch stays, with its events, and
    nothing of the second or third is left."""
    from annotator.errors import format_user_error
    from annotator.store.label_db import LabelDb

    monkeypatch.setattr(labels, "BATCH", 2)
    path = tmp_path / "labels.jsonl"
    texts = ["A.", "A.", "B.", "B.", "C.", "C."]
    write(
        path,
        [
            {"text": t, "annotator": who, "values": {"bias": "biased"}, "url": "u1"}
            for t, who in zip(texts, ["ann", "bo"] * 3, strict=True)
        ],
    )
    engine, proj = new_project(db_url)
    if db_url.startswith("sqlite"):
        from sqlite3 import OperationalError
    else:
        from psycopg import OperationalError  # type: ignore[assignment]
    real, calls = LabelDb.run, []

    def failing(self, sql, params=()):
        if sql.startswith("INSERT INTO annotationevent"):
            calls.append(sql)
            if len(calls) == 2:  # the second batch's events, on the writer thread
                with self.guard(sql):  # as the driver raises it
                    raise OperationalError("disk I/O error")
        real(self, sql, params)

    monkeypatch.setattr(LabelDb, "run", failing)
    with pytest.raises(Exception) as err:
        import_labels(engine, proj, path)
    assert len(calls) == 2
    assert format_user_error(err.value) == (
        "error: database: disk I/O error (check --db / ANNOTATOR_DB)"
    )
    anns, events, units, _ = state(engine)
    assert sorted(anns) == [("A.", "ann"), ("A.", "bo")]
    assert [(t, n) for t, n, _, _ in events] == [("A.", "ann"), ("A.", "bo")]
    assert [t for t, _, _ in units] == ["A."]
