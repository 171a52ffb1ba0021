"""The commands as a user runs them: init, import, status, export, on a temporary store."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from annotator.cli import app

SAMPLE = Path(__file__).resolve().parents[1] / "annotator" / "samples" / "voa"
runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def store(tmp_path, monkeypatch) -> Path:
    db = tmp_path / "annotator.db"
    monkeypatch.setenv("ANNOTATOR_DB", str(db))
    monkeypatch.chdir(tmp_path)
    assert run("init").exit_code == 0
    return db


def status() -> dict:
    result = run("status", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_import_then_reimport_changes_nothing(store):
    first = run("import", str(SAMPLE))
    assert first.exit_code == 0, first.output
    assert "documents added" in first.output
    after_first = status()
    assert after_first["documents"] == len(list(SAMPLE.glob("*.md")))
    assert after_first["units"] > 50

    again = run("import", str(SAMPLE))
    assert again.exit_code == 0
    assert "already imported" in again.output
    assert status() == after_first


def test_bad_files_are_named_and_the_rest_still_imports(store, tmp_path):
    src = tmp_path / "mixed"
    src.mkdir()
    shutil.copy(next(SAMPLE.glob("seed-*.md")), src / "good.md")
    (src / "binary.md").write_bytes(b"\x00\x01\x02\x03 not text")
    (src / "empty.txt").write_bytes(b"")
    result = runner.invoke(app, ["import", str(src), str(tmp_path / "missing.md")])
    assert result.exit_code == 1
    out = result.output
    assert "binary.md" in out and "empty.txt" in out and "missing.md" in out
    assert "Traceback" not in out
    assert status()["documents"] == 1


def test_many_files_go_through_the_worker_pool(store, tmp_path):
    # Twenty distinct copies: above the pool threshold, so parsing runs in processes.
    src = tmp_path / "many"
    src.mkdir()
    seed = next(SAMPLE.glob("seed-*.md")).read_text(encoding="utf-8")
    for i in range(20):
        copy = seed.replace("\n[", f"\n[第{i}版 ", 1)
        (src / f"copy{i:02d}.md").write_text(copy, encoding="utf-8")
    result = run("import", str(src))
    assert result.exit_code == 0, result.output
    summary = status()
    assert summary["documents"] == 20
    assert summary["units"] % 20 == 0


def test_export_jsonl_streams_units_with_their_document(store, tmp_path):
    run("import", str(SAMPLE))
    out = tmp_path / "all.jsonl"
    result = run("export", "--format", "jsonl", "-o", str(out), "--all")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == status()["units"]
    first = rows[0]
    assert first["kind"] == "title" and first["position"] == 0
    assert set(first["document"]) >= {"id", "title", "url", "outlet", "published", "lang"}
    assert first["document"]["published"].endswith("Z")
    assert first["annotations"] == []
    assert first["schema"]["name"] == "media-bias"
    # Without --all, only annotated units: none yet.
    none = tmp_path / "annotated.jsonl"
    assert run("export", "-o", str(none)).exit_code == 0
    assert none.read_text(encoding="utf-8") == ""


def test_commands_without_a_project_say_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("ANNOTATOR_DB", str(tmp_path / "fresh.db"))
    result = runner.invoke(app, ["status"])
    assert result.exit_code != 0
    assert "annotator init" in str(result.exception) or "annotator init" in result.output


def test_console_script_prints_one_line_errors(tmp_path):
    import subprocess
    import sys

    proc = subprocess.run(
        [sys.executable, "-m", "annotator", "status", "--db", str(tmp_path / "none.db")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1
    none = tmp_path / "none.db"
    assert proc.stderr.strip().splitlines() == [
        f"error: {none}: no annotator store yet: run `annotator init` first"
    ]
    assert not none.exists()  # reading never creates a store
