"""`annotator import` at the store boundary: one bad document never costs the others."""

from __future__ import annotations

import json

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from annotator.ingest import pipeline
from annotator.ingest.pipeline import import_files
from annotator.store.models import Document, Unit
from tests.support.exports import new_project


def _files(tmp_path, bad: dict) -> list:
    paths = []
    for i in range(10):
        path = tmp_path / f"good{i}.jsonl"
        path.write_text(json.dumps({"text": f"Good sentence number {i}. One more."}) + "\n")
        paths.append(path)
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(bad) + "\n", encoding="utf-8")
    return [*paths, path]


def test_a_nul_in_one_sentence_does_not_stop_the_import(tmp_path, db_url):
    # On PostgreSQL this aborted the whole import, naming no file (issue 10, item 2).
    engine, proj = new_project(db_url)
    paths = _files(tmp_path, {"text": "Bad \u0000 x. Fine.", "title": "T\u0000itle"})
    report = import_files(engine, proj.id, paths, workers=1)
    assert report.failed == [] and report.documents == 11
    with Session(engine) as s:
        texts = s.exec(select(Unit.text)).all()
        assert "Bad x." in texts and not any("\x00" in t for t in texts)
    engine.dispose()


def test_a_language_field_too_long_for_the_store_costs_the_field(tmp_path, db_url):
    engine, proj = new_project(db_url)
    paths = _files(tmp_path, {"text": "A sentence here.", "lang": "the English language, mostly"})
    report = import_files(engine, proj.id, paths, workers=1)
    assert report.failed == [] and report.documents == 11
    with Session(engine) as s:
        assert s.exec(select(Document.lang).where(Document.lang == None)).all() == []  # noqa: E711
    engine.dispose()


def test_a_document_the_store_refuses_is_named_and_the_rest_are_stored(tmp_path, monkeypatch):
    engine, proj = new_project(f"sqlite:///{tmp_path / 'a.db'}")
    paths = _files(tmp_path, {"text": "Refused by the store."})
    real = pipeline.add_documents

    def refusing(session, project_id, docs):
        if any("bad.jsonl" in d.doc.source_path for d in docs):
            raise IntegrityError("INSERT", {}, Exception("refused\nsecond line"))
        return real(session, project_id, docs)

    monkeypatch.setattr(pipeline, "add_documents", refusing)
    report = import_files(engine, proj.id, paths, workers=1)
    assert report.documents == 10
    assert [(p.name, m) for p, m in report.failed] == [
        ("bad.jsonl", f"{paths[-1]}: the store refused it (refused)")
    ]
