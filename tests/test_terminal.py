"""The terminal around the screens, in a real pseudo-terminal: keys typed while the annotate
screen loads reach it as typed (tui/type_ahead.py): enter stays enter (not a line feed, which
Textual reads as ctrl+j), nothing is echoed over the output, and the person's terminal
settings come back afterwards; and SIGTERM or SIGHUP ends a screen as q does (tui/crash.py)."""

from __future__ import annotations

import contextlib
import os
import select
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

termios = pytest.importorskip("termios")
pty = pytest.importorskip("pty")

from annotator.tui.type_ahead import held_keys  # noqa: E402


def cooked(fd: int) -> None:
    """The settings a shell leaves a terminal in: enter becomes a line feed, keys are echoed."""
    attrs = termios.tcgetattr(fd)
    attrs[0] |= termios.ICRNL
    attrs[3] |= termios.ECHO | termios.ICANON | termios.ISIG
    termios.tcsetattr(fd, termios.TCSANOW, attrs)


def read_ready(fd: int, timeout: float = 0.5) -> bytes:
    got = b""
    while select.select([fd], [], [], timeout)[0]:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the other side closed
            break
        if not chunk:
            break
        got += chunk
        timeout = 0.05
    return got


@pytest.fixture
def terminal():
    """A pseudo-terminal in a shell's cooked settings: (the keyboard's side, the command's)."""
    main, term = pty.openpty()
    cooked(term)
    try:
        yield main, term
    finally:
        os.close(main)
        os.close(term)


def test_enter_typed_while_held_arrives_as_enter_and_is_not_echoed(terminal):
    main, term = terminal
    before = termios.tcgetattr(term)
    with held_keys(term):
        os.write(main, b"alice\r")
        assert read_ready(term) == b"alice\r"
        assert read_ready(main, 0.2) == b""  # no echo over the command's output
    assert termios.tcgetattr(term) == before
    # Cooked again: the terminal's own translation is back.
    os.write(main, b"x\r")
    assert read_ready(term) == b"x\n"


def test_settings_come_back_when_the_command_is_interrupted(terminal):
    _, term = terminal
    before = termios.tcgetattr(term)
    with pytest.raises(KeyboardInterrupt), held_keys(term):
        raise KeyboardInterrupt
    assert termios.tcgetattr(term) == before


def test_not_a_terminal_is_left_alone():
    read, write = os.pipe()
    try:
        with held_keys(read):
            os.write(write, b"a\r")
            assert os.read(read, 10) == b"a\r"
    finally:
        os.close(read)
        os.close(write)


def _rows(db, sql: str) -> list[tuple]:
    """What `sql` reads from the store at `db` (nothing while it is not there yet)."""
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as con:
            return con.execute(sql).fetchall()
    except sqlite3.Error:
        return []


def _annotators(db) -> list[str]:
    return [name for (name,) in _rows(db, "SELECT name FROM annotator")]


def _held(db) -> int:
    return len(_rows(db, "SELECT 1 FROM lease"))


@contextlib.contextmanager
def _demo(tmp_path, term: int, *args: str) -> Iterator[subprocess.Popen]:
    """`annotator demo ARGS` on the pseudo-terminal `term`, its store in `tmp_path`; killed
    at the end if a failed check left it running."""
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    env.pop("ANNOTATOR_DB", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "annotator", "demo", "--db", str(tmp_path / "demo.db"), *args],
        stdin=term,
        stdout=term,
        stderr=term,
        cwd=tmp_path,
        env=env,
        start_new_session=True,
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _until_exit(proc: subprocess.Popen, main: int, deadline: float) -> bytes:
    """What the command writes until it exits (the terminal kept drained)."""
    out = b""
    while proc.poll() is None and time.monotonic() < deadline:
        out += read_ready(main, 0.2)
    return out + read_ready(main, 0.2)


def _shell_settings(term: int) -> bool:
    """Whether the terminal is in a shell's settings again: enter translated, keys echoed."""
    attrs = termios.tcgetattr(term)
    return bool(attrs[0] & termios.ICRNL and attrs[3] & termios.ECHO)


def test_a_name_typed_during_the_demo_import_starts_the_session(tmp_path, terminal):
    """`annotator demo` imports the sample, then asks for a name; a person who types the name
    and enter while the import summary is on screen is annotating once the screen is up."""
    db = tmp_path / "demo.db"
    main, term = terminal
    with _demo(tmp_path, term) as proc:
        seen = b""
        deadline = time.monotonic() + 60
        while b"Import summary" not in seen and time.monotonic() < deadline:
            seen += read_ready(main, 0.2)
        assert b"Import summary" in seen, seen[-2000:]
        os.write(main, b"alice\r")  # before Textual has the terminal
        while "alice" not in _annotators(db) and time.monotonic() < deadline:
            read_ready(main, 0.2)  # keep the terminal drained
        assert _annotators(db) == ["alice"]
        os.write(main, b"q")
        _until_exit(proc, main, deadline)
        assert proc.returncode == 0
        assert _shell_settings(term)


def test_standard_input_without_a_descriptor_is_left_alone(monkeypatch):
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO("typed"))  # as under a test runner
    with held_keys():
        ran = True
    assert ran


ENDING = [signal.SIGTERM, signal.SIGHUP]


@pytest.mark.parametrize("signum", ENDING, ids=["SIGTERM", "SIGHUP"])
def test_sigterm_ends_the_screen_as_q_does(tmp_path, terminal, signum):
    """`kill` (SIGTERM), or the terminal closing (SIGHUP: an SSH connection dropped), while a
    unit is on screen: the terminal leaves the alternate screen with its settings back (not
    the app's last frame over a shell that echoes nothing), the unit held for the annotator
    is let go at once, and the command exits with 128 + the signal (143, 129)."""
    db = tmp_path / "demo.db"
    main, term = terminal
    with _demo(tmp_path, term, "-a", "alice") as proc:
        deadline = time.monotonic() + 60
        while _held(db) == 0 and time.monotonic() < deadline:
            read_ready(main, 0.2)
        assert _held(db) == 1  # alice's first unit is on screen, held for her
        read_ready(main, 0.5)
        proc.send_signal(signum)
        after = _until_exit(proc, main, deadline)
        assert proc.returncode == 128 + signum
        assert b"\x1b[?1049l" in after  # out of the alternate screen
        assert _shell_settings(term)
        assert _held(db) == 0


@pytest.mark.parametrize("signum", ENDING, ids=["SIGTERM", "SIGHUP"])
def test_sigterm_while_the_screen_loads_gives_the_terminal_back(tmp_path, terminal, signum):
    """`kill` before Textual runs (the demo still importing its sample): the terminal's own
    settings come back and the command exits with 128 + the signal; no shell has to repair
    them."""
    main, term = terminal
    with _demo(tmp_path, term, "-a", "alice") as proc:
        deadline = time.monotonic() + 60
        seen = b""
        while b"Import" not in seen and time.monotonic() < deadline:
            seen += read_ready(main, 0.05)
        assert b"Import" in seen, seen[-2000:]
        assert not termios.tcgetattr(term)[3] & termios.ECHO  # held while it loads
        proc.send_signal(signum)
        _until_exit(proc, main, deadline)
        assert proc.returncode == 128 + signum
        assert _shell_settings(term)


@pytest.mark.parametrize("signum", ENDING, ids=["SIGTERM", "SIGHUP"])
async def test_an_app_puts_back_the_sigterm_handler_it_found(signum):
    """The app takes SIGTERM and SIGHUP while it runs, then gives them back: a program (or a
    test runner) that embeds it keeps its own handler."""
    from annotator.tui.crash import QuietCrashApp

    def mine(signum, frame) -> None:
        pass

    before = signal.signal(signum, mine)
    try:
        app = QuietCrashApp()
        async with app.run_test() as pilot:
            await pilot.pause()
            assert signal.getsignal(signum) is not mine  # the app's, while it runs
        assert signal.getsignal(signum) is mine
    finally:
        signal.signal(signum, before)


def test_keys_typed_while_a_named_start_loads_label_its_first_unit(tmp_path, terminal):
    """`annotate -a NAME` draws the first unit before the store layer has loaded (a quick
    start): keys typed from the moment the command holds the terminal, whether Textual or
    the session is still loading, label that unit, in the order typed."""
    from pathlib import Path

    from annotator.schema.loader import load_schema
    from tests.support.tui import TEXTS, make_store

    schemas = Path(__file__).resolve().parents[1] / "schemas"
    make_store(tmp_path, load_schema(schemas / "media_bias.yaml"))
    db = tmp_path / "ui.db"
    main, term = terminal
    env = {**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    argv = [sys.executable, "-m", "annotator", "annotate", "--db", str(db), "-a", "alice"]
    proc = subprocess.Popen(
        argv, stdin=term, stdout=term, stderr=term, cwd=tmp_path, env=env, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 60
        while termios.tcgetattr(term)[3] & termios.ECHO and time.monotonic() < deadline:
            time.sleep(0.005)  # until the command holds the keys
        os.write(main, b"21\r")  # bias: not biased; opinion: factual; save
        while not _rows(db, "SELECT 1 FROM annotation") and time.monotonic() < deadline:
            read_ready(main, 0.2)
        rows = _rows(
            db,
            'SELECT u.text, a.status, a."values" FROM annotation a JOIN unit u ON u.id = a.unit_id',
        )
        assert rows == [(TEXTS[0], "done", '{"bias": "non_biased", "opinion": "entirely_factual"}')]
        os.write(main, b"q")
        _until_exit(proc, main, deadline)
        assert proc.returncode == 0
        assert _shell_settings(term)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


async def test_a_hangup_ignored_under_nohup_stays_ignored():
    """`nohup annotator annotate ...`: SIGHUP is ignored on purpose; neither the app nor the
    held keys take it."""
    from annotator.tui.crash import QuietCrashApp

    before = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        app = QuietCrashApp()
        async with app.run_test() as pilot:
            await pilot.pause()
            assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
        main, term = pty.openpty()
        try:
            with held_keys(term):
                assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
                assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL  # taken
        finally:
            os.close(main)
            os.close(term)
    finally:
        signal.signal(signal.SIGHUP, before)
