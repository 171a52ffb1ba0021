"""`annotator import` at the store boundary: one bad document never costs the others."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from annotator.cli.app import app
from annotator.cli.failures import guarded
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


def _children() -> set[int]:
    """This process's live child processes (Linux /proc)."""
    found: set[int] = set()
    for task in Path("/proc/self/task").iterdir():
        found.update(int(pid) for pid in (task / "children").read_text().split())
    return found


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_an_import_into_a_missing_project_stops_its_reading_workers(tmp_path, monkeypatch, capsys):
    # The worker processes start reading before the store is opened (it loads meanwhile):
    # a project that is not there ends the command with its one line, and no worker is left
    # reading files nobody will store.
    folder = tmp_path / "articles"
    folder.mkdir()
    for i in range(40):  # enough files for a pool
        (folder / f"a{i}.txt").write_text(f"Article {i} says one thing. It says another.\n")
    monkeypatch.setenv("ANNOTATOR_DB", str(tmp_path / "annotator.db"))

    def run(*argv: str) -> int:
        return guarded(lambda: app(list(argv), prog_name="annotator"))

    assert run("init") == 0
    before = _children()
    assert run("import", str(folder), "-p", "nosuch") == 1
    said = capsys.readouterr()
    assert "no project named 'nosuch'" in said.err and "Traceback" not in said.err + said.out
    assert _children() - before == set()
    assert run("import", str(folder)) == 0  # and the same files import as ever
    assert re.search(r"documents added\s*│\s*40\b", capsys.readouterr().out)


def test_the_import_workers_read_files_without_the_store_libraries(tmp_path):
    # What lets parsing start before the store loads: a worker needs neither SQLAlchemy
    # nor SQLModel to turn a file into prepared documents.
    path = tmp_path / "a.txt"
    path.write_text("One sentence here. And a second one.\n", encoding="utf-8")
    code = (
        "import sys, pathlib\n"
        "from annotator.ingest.parse import ParseOptions, parse_one\n"
        f"result = parse_one(pathlib.Path({str(path)!r}), ParseOptions())\n"
        "print(len(result.docs[0].units), result.error)\n"
        "print(sorted(m for m in ('sqlalchemy', 'sqlmodel') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[:2] == ["2 None", "[]"]
