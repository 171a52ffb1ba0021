"""The one guard around every command: one line and an exit code, never a traceback."""

from __future__ import annotations

import errno
import tempfile

import pytest

from annotator.cli.app import app, main
from annotator.cli.failures import EXIT_DATA, EXIT_INTERNAL, EXIT_USAGE, guarded
from tests.support.exports import new_project


def run(argv: list[str]) -> int:
    return guarded(lambda: app(argv, prog_name="annotator"))


@pytest.fixture
def store(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'a.db'}"
    new_project(url)[0].dispose()
    return url


@pytest.fixture
def state(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    return tmp_path / "state" / "annotator"


# What `status` calls to count on a SQLite store (through sqlite3 alone): a bug planted there.
STATUS_COUNTS = "annotator.store.status_direct._figures"


def boom(*_args, **_kwargs):
    raise RuntimeError("boom with secret SQL parameters")


def test_a_bug_writes_a_crash_log_prints_one_line_and_exits_70(store, state, monkeypatch, capsys):
    monkeypatch.setattr(STATUS_COUNTS, boom)
    assert run(["status", "--db", store]) == EXIT_INTERNAL
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and "internal error (RuntimeError)" in lines[0]
    assert "Traceback" not in captured.err and "secret" not in captured.err
    (log,) = state.glob("crash-*.log")
    assert str(log) in lines[0]
    text = log.read_text()
    assert "Traceback" in text and "RuntimeError: boom" in text and "status" in text


def test_the_crash_log_falls_back_to_a_temp_folder(store, tmp_path, monkeypatch, capsys):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocked))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    monkeypatch.setattr(STATUS_COUNTS, boom)
    assert run(["status", "--db", store]) == EXIT_INTERNAL
    (log,) = (tmp_path / "tmp" / "annotator").glob("crash-*.log")
    assert str(log) in capsys.readouterr().err


def test_usage_errors_exit_2(capsys):
    assert run(["status", "--no-such-option"]) == EXIT_USAGE


def test_user_errors_are_one_line_and_exit_1(tmp_path, capsys):
    assert run(["export", "--format", "nope", "--db", str(tmp_path / "x.db")]) == EXIT_DATA
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: --format nope") and "\n" not in err


def test_a_full_disk_without_a_file_name_is_one_line(store, state, monkeypatch, capsys):
    def full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(STATUS_COUNTS, full)
    assert run(["status", "--db", store]) == EXIT_DATA
    assert capsys.readouterr().err.strip() == "error: No space left on device"
    assert not state.exists()


def test_main_exits_with_the_code(monkeypatch, capsys):
    monkeypatch.setattr("sys.argv", ["annotator", "--version"])
    with pytest.raises(SystemExit) as exit_:
        main()
    assert exit_.value.code == 0 and "annotator" in capsys.readouterr().out


def test_a_lost_connection_is_not_blamed_on_the_address():
    from sqlalchemy.exc import OperationalError

    from annotator.errors import format_user_error

    lost = OperationalError(
        "SELECT 1", {}, Exception("terminating connection due to administrator command")
    )
    wrong = OperationalError("connect", {}, Exception("connection refused"))
    assert format_user_error(lost).endswith("(the connection was lost: run it again)")
    assert format_user_error(wrong).endswith("(check --db / ANNOTATOR_DB)")


def test_an_error_python_cannot_raise_goes_to_the_log_not_the_terminal(
    tmp_path, capsys, monkeypatch
):
    import gc

    from annotator.cli import failures

    logged = []
    monkeypatch.setattr(failures, "write_crash_log", lambda exc, argv=None: logged.append(exc))

    class Cursor:
        def __del__(self):  # as a driver's cursor closing on a dropped connection at exit
            raise RuntimeError("connection already closed")

    def command():
        Cursor()
        gc.collect()

    assert failures.guarded(command) == 0
    assert "Traceback" not in capsys.readouterr().err
    assert [str(e) for e in logged] == ["connection already closed"]
