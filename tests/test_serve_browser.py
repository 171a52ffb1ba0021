"""`annotator serve` in a real browser: Debian's chromium, headless, driven by playwright.

The real command runs in a subprocess on a free port against a temporary SQLite store; the
browser signs in with the keyboard, a wrong token first, then labels two sentences with the
keyboard, and the labels must be in the store under the token's owner. What the page shows
is read from the terminal stream the browser receives (xterm.js draws on a canvas).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[1]
# Nothing phones home, nothing is downloaded (playwright never fetches its own browser here).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SENTENCES = [
    "The council approved the budget on Monday.",
    "Critics called the plan a reckless giveaway.",
    "The vote passed by a narrow margin.",
    "Officials will meet again next week.",
]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def store(tmp_path) -> tuple[Path, str]:
    """A SQLite store with one four-sentence document (bias_quick: one key labels and moves
    on) and alice, an annotator with a token; built with the real commands."""
    from annotator.cli.app import app

    db = tmp_path / "team.db"
    article = tmp_path / "council.txt"
    article.write_text("Council budget\n\n" + " ".join(SENTENCES) + "\n", encoding="utf-8")
    runner = CliRunner()
    for args in (
        ["init", "--name", "news", "--schema", str(ROOT / "schemas" / "bias_quick.yaml")],
        ["import", str(article)],
        ["annotators", "add", "alice"],
        ["annotators", "token", "alice"],
    ):
        result = runner.invoke(app, [*args, "--db", str(db)])
        assert result.exit_code == 0, (args, result.output, result.exception)
    return db, result.stdout.strip()


@contextmanager
def serving(db: Path, tmp_path: Path) -> Iterator[str]:
    """`annotator serve` on the store `db` in a subprocess on a free port; its URL."""
    port = free_port()
    env = {**os.environ, "ANNOTATOR_DB": str(db)}
    log = tmp_path / "serve.log"  # a file, not a pipe: a full pipe would stall the server
    with log.open("w") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "annotator", "serve", "--port", str(port)],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its sessions are in its process group, ended with it
        )
    try:
        banner = f"on http://127.0.0.1:{port}"
        end = time.monotonic() + 20
        while banner not in log.read_text() and proc.poll() is None and time.monotonic() < end:
            time.sleep(0.1)
        assert banner in log.read_text(), log.read_text()
        yield f"http://127.0.0.1:{port}/"
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture
def server(store, tmp_path) -> Iterator[tuple[str, Path, str]]:
    db, token = store
    with serving(db, tmp_path) as url:
        yield url, db, token


class Terminal:
    """What the page's terminal received, as text to wait for."""

    def __init__(self, page) -> None:
        self.page = page
        self.seen = bytearray()
        page.on("websocket", lambda ws: ws.on("framereceived", self._got))

    def _got(self, payload: bytes | str) -> None:
        self.seen.extend(payload if isinstance(payload, bytes) else payload.encode())

    def mark(self) -> int:
        return len(self.seen)

    def wait_for(self, words: str, *, since: int = 0, timeout: float = 15) -> None:
        end = time.monotonic() + timeout
        while words.encode() not in self.seen[since:]:
            if time.monotonic() > end:
                tail = bytes(self.seen[-300:])
                raise AssertionError(f"the page never showed {words!r}; last bytes: {tail!r}")
            self.page.wait_for_timeout(50)


def test_sign_in_and_label_two_sentences_in_chromium(server):
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="needs playwright (pip install -e '.[test]')"
    )
    url, db, token = server
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 640})
            term = Terminal(page)
            page.goto(url)
            term.wait_for("Sign in to project news", timeout=20)
            page.focus("textarea.xterm-helper-textarea")  # where xterm.js takes keys

            at = term.mark()
            page.keyboard.type("not-a-real-token")
            page.keyboard.press("Enter")
            term.wait_for("not valid", since=at)

            at = term.mark()
            page.keyboard.type(token)
            page.keyboard.press("Enter")
            term.wait_for("0 done", since=at)  # the annotate screen's progress line
            for n, key in enumerate("12", start=1):
                at = term.mark()
                page.keyboard.press(key)
                term.wait_for(f"{n} done", since=at)
        finally:
            browser.close()

    rows = stored(
        db,
        'SELECT n.name, u.text, a.status, a."values" FROM annotation a '
        "JOIN annotator n ON n.id = a.annotator_id JOIN unit u ON u.id = a.unit_id "
        "ORDER BY u.position",
    )
    people = [name for (name,) in stored(db, "SELECT name FROM annotator")]
    # The first two units of alice's queue, labelled 1 (biased) then 2 (not biased).
    assert [(who, status, _json(values)) for who, _unit, status, values in rows] == [
        ("alice", "done", {"bias": "biased"}),
        ("alice", "done", {"bias": "non_biased"}),
    ]
    assert people == ["alice"]  # the wrong token made nobody


def stored(db: Path, query: str) -> list:
    """The rows `query` finds in the store `db`, once the server is done with it."""
    from annotator.store.engine import open_store

    engine = open_store(str(db))
    try:
        with engine.connect() as conn:
            return list(conn.execute(text(query)).all())
    finally:
        engine.dispose()


def _json(value: object) -> object:
    return json.loads(value) if isinstance(value, str) else value


TRAINING = [  # carol's labels, for a model the served screen shows guesses from
    ("The senator gave a speech on Tuesday.", "non_biased"),
    ("The reckless senator ranted again.", "biased"),
    ("The committee met at noon.", "non_biased"),
    ("Critics slammed the disastrous scheme.", "biased"),
    ("The report was published in May.", "non_biased"),
    ("The shameful plan outraged everyone.", "biased"),
    ("Officials counted the ballots.", "non_biased"),
    ("The corrupt mayor lied once more.", "biased"),
    ("The bridge reopened last week.", "non_biased"),
    ("The hateful mob stormed the hall.", "biased"),
    ("Rain is expected tomorrow.", "non_biased"),
    ("The absurd ruling insulted voters.", "biased"),
]


@pytest.fixture
def assisted_server(tmp_path) -> Iterator[tuple[str, Path, str]]:
    """A store whose project has a trained model and suggestions on, carol's labels on the
    first sentences, and bob with a token; `annotator serve` on it."""
    from annotator.cli.app import app

    db = tmp_path / "assist.db"
    article = tmp_path / "council.txt"
    texts = [t for t, _ in TRAINING] + SENTENCES
    article.write_text("Council news\n\n" + "\n\n".join(texts) + "\n", encoding="utf-8")
    labels = tmp_path / "carol.jsonl"
    labels.write_text(
        "".join(
            json.dumps({"text": t, "annotator": "carol", "task": "bias", "value": v}) + "\n"
            for t, v in TRAINING
        ),
        encoding="utf-8",
    )
    runner = CliRunner()
    for args in (
        ["init", "--name", "news", "--schema", str(ROOT / "schemas" / "bias_quick.yaml")],
        ["import", str(article)],
        ["labels", "import", str(labels)],
        ["model", "train"],
        ["model", "settings", "--suggestions", "on"],
        ["annotators", "add", "bob"],
        ["annotators", "token", "bob"],
    ):
        result = runner.invoke(app, [*args, "--db", str(db)])
        assert result.exit_code == 0, (args, result.output, result.exception)
    token = result.stdout.strip()
    with serving(db, tmp_path) as url:
        yield url, db, token


def test_a_suggestion_is_shown_and_accepted_in_chromium(assisted_server):
    # Issue 16 in the browser: the served screen shows the model's guess, `=` takes it, and
    # the label is stored as given with a suggestion on screen.
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="needs playwright (pip install -e '.[test]')"
    )
    pytest.importorskip("sklearn", reason="needs scikit-learn (pip install -e '.[assist]')")
    url, db, token = assisted_server
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 640})
            term = Terminal(page)
            page.goto(url)
            term.wait_for("Sign in to project news", timeout=20)
            page.focus("textarea.xterm-helper-textarea")
            at = term.mark()
            page.keyboard.type(token)
            page.keyboard.press("Enter")
            term.wait_for("model:", since=at, timeout=30)  # the guess beside the task
            at = term.mark()
            page.keyboard.press("=")
            term.wait_for("1 done", since=at)
        finally:
            browser.close()

    rows = stored(
        db,
        'SELECT u.text, a."values", a.assisted FROM annotation a '
        "JOIN annotator n ON n.id = a.annotator_id JOIN unit u ON u.id = a.unit_id "
        "WHERE n.name = 'bob'",
    )
    assert len(rows) == 1
    unit_text, values, assisted = rows[0]
    assert unit_text not in dict(TRAINING) and bool(assisted)
    assert _json(values)["bias"] in ("biased", "non_biased")
