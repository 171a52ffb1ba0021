"""Opening a store: reading never creates or changes one; a newer or foreign store is one line.

Issue 10, items 4 (a store from a newer annotator), 5 (read commands on a foreign or empty
file) and 7 (a store in a read-only folder can be read).
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from annotator.cli.app import app
from annotator.cli.failures import EXIT_DATA, guarded
from annotator.ingest.pipeline import import_files
from annotator.store.engine import StoreError, open_store
from annotator.store.migrate import HEAD, current_revision
from tests.support.exports import new_project

READ_COMMANDS = [
    ["status"],
    ["export", "-o", "{tmp}/out.jsonl"],
    ["agreement"],
    ["annotators", "list"],
    ["schema", "versions"],
]


def run(argv: list[str]) -> int:
    return guarded(lambda: app(argv, prog_name="annotator"))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tables(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")
        return [name for (name,) in rows]


def set_revision(path: Path, revision: str) -> None:
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = ?", (revision,))
    conn.commit()
    conn.close()


@pytest.fixture
def store(tmp_path) -> Path:
    path = tmp_path / "a.db"
    new_project(f"sqlite:///{path}")[0].dispose()
    return path


@pytest.mark.parametrize("command", READ_COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_read_commands_leave_a_foreign_file_alone(tmp_path, command, capsys):
    other = tmp_path / "other-app.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (x)")
    before = digest(other)
    argv = [a.format(tmp=tmp_path) for a in command]
    assert run([*argv, "--db", str(other)]) == EXIT_DATA
    err = capsys.readouterr().err.strip()
    assert (
        err == f"error: {other}: not an annotator store (it holds other tables: notes); check --db"
    )
    assert tables(other) == ["notes"] and digest(other) == before


@pytest.mark.parametrize("command", READ_COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_read_commands_create_no_store(tmp_path, command, capsys):
    argv = [a.format(tmp=tmp_path) for a in command]
    assert run([*argv, "--db", str(tmp_path / "none.db")]) == EXIT_DATA
    assert "run `annotator init` first" in capsys.readouterr().err
    assert not (tmp_path / "none.db").exists()


def test_status_on_an_empty_sqlite_file_leaves_it_empty(tmp_path, capsys):
    empty = tmp_path / "empty.db"
    empty.touch()
    assert run(["status", "--db", str(empty)]) == EXIT_DATA
    assert "no annotator store yet" in capsys.readouterr().err
    assert empty.stat().st_size == 0


def test_a_store_from_a_newer_annotator_is_one_line_for_every_command(store, capsys):
    set_revision(store, "0999")
    for argv in (["status"], ["import", str(store.parent)], ["init", "-n", "x"], ["migrate"]):
        assert run([*argv, "--db", str(store)]) == EXIT_DATA
        err = capsys.readouterr().err.strip()
        assert err == (
            f"error: {store}: this store was made by a newer annotator (revision 0999; "
            f"this one knows up to {HEAD}): upgrade annotator to use it"
        )


def test_an_older_store_is_read_only_after_migrate(tmp_path, capsys):
    from alembic import command

    from annotator.store.migrate import _config

    path = tmp_path / "old.db"
    engine = open_store(str(path), migrate=False)
    cfg = _config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0004")
    engine.dispose()
    before = digest(path)
    assert run(["status", "--db", str(path)]) == EXIT_DATA
    assert "run `annotator migrate`" in capsys.readouterr().err
    assert digest(path) == before
    assert run(["migrate", "--db", str(path)]) == 0
    engine = open_store(str(path), access="read")
    assert current_revision(engine) == HEAD
    engine.dispose()


def test_write_access_refuses_a_foreign_file(tmp_path):
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (x)")
    with pytest.raises(StoreError, match="not an annotator store"):
        open_store(str(other), access="write")
    assert tables(other) == ["notes"]


@contextmanager
def _make_read_only(folder: Path) -> Iterator[None]:
    """chmod where that binds; as root (which it does not bind) the immutable attribute."""
    folder.chmod(0o555)
    undo = None
    try:
        (folder / ".probe").touch()
        (folder / ".probe").unlink()
    except OSError:
        pass
    else:
        if (
            shutil.which("chattr") is None
            or subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode
        ):
            folder.chmod(0o755)
            pytest.skip("cannot make a read-only folder here")
        undo = ["chattr", "-i", str(folder)]
    try:
        yield
    finally:
        if undo:
            subprocess.run(undo, check=True)
        folder.chmod(0o755)


@pytest.fixture
def read_only_store(tmp_path) -> Iterator[Path]:
    folder = tmp_path / "archive"
    folder.mkdir()
    path = folder / "a.db"
    engine, proj = new_project(f"sqlite:///{path}")
    sample = Path(__file__).parents[1] / "annotator" / "samples" / "voa"
    import_files(engine, proj.id, sorted(sample.glob("*.md")), workers=1)
    engine.dispose()  # the last connection closed: SQLite removes the -wal and -shm files
    assert sorted(p.name for p in folder.iterdir()) == ["a.db"]
    with _make_read_only(folder):
        yield path


def test_a_store_in_a_read_only_folder_can_be_read(read_only_store, tmp_path, capsys):
    capsys.readouterr()
    assert run(["status", "--json", "--db", str(read_only_store)]) == 0
    assert '"documents": 4' in capsys.readouterr().out
    out = tmp_path / "out.jsonl"
    assert run(["export", "--all", "-o", str(out), "--db", str(read_only_store)]) == 0
    assert out.stat().st_size > 0
    assert run(["agreement", "--db", str(read_only_store)]) == 0
    assert sorted(p.name for p in read_only_store.parent.iterdir()) == ["a.db"]


def test_reading_an_empty_database_creates_nothing(db_url):
    from sqlalchemy import create_engine, inspect

    with pytest.raises(StoreError, match="no annotator store yet"):
        open_store(db_url, access="read")
    engine = create_engine(db_url)
    with engine.connect() as conn:
        assert inspect(conn).get_table_names() == []
    engine.dispose()


def test_a_file_name_with_url_characters_is_a_file_name(tmp_path, capsys):
    folder = tmp_path / "a #b?c" / "中文"
    folder.mkdir(parents=True)
    db = folder / "x y%20.db"
    assert run(["init", "--db", str(db)]) == 0
    assert f"in {db}" in capsys.readouterr().out.replace("\n", "")
    assert run(["status", "--json", "--db", str(db)]) == 0
    assert '"units": 0' in capsys.readouterr().out
    assert sorted(p.name for p in folder.iterdir())[0] == "x y%20.db"
    assert [p.name for p in tmp_path.iterdir()] == ["a #b?c"]
