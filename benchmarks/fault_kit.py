"""What the fault harness parts share: running the annotator (plainly or in a pseudo-terminal
that reads like a screen), a corpus and a store to work on, and reading a SQLite store back."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import random
import re
import select
import signal
import sqlite3
import struct
import subprocess
import sys
import termios
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "schemas" / "bias_quick.yaml"
SAMPLES = ROOT / "annotator" / "samples" / "voa"
BIN = Path(sys.executable).parent / "annotator"
ANSI = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|P[^\x1b]*\x1b\\|[@-Z\\-_])"
)
DONE = re.compile(r"(\d[\d,]*) done · ")
WORDS = (  # noqa: SIM905
    "officials said the plan would cut costs while critics called it reckless and unfair "
    "the ministry reported growth of three percent in the second quarter of the year "
    "residents gathered downtown to protest what they described as a shameful decision "
    "analysts expect the central bank to keep interest rates unchanged next month"
).split()


@dataclass
class Tally:
    name: str
    runs: int = 0
    failures: int = 0
    lost: int = 0
    notes: list[str] = field(default_factory=list)

    def fail(self, note: str) -> None:
        self.failures += 1
        if len(self.notes) < 20:
            self.notes.append(note)

    def line(self) -> str:
        return f"{self.name}: runs {self.runs}, failures {self.failures}, labels lost {self.lost}"


def annotator_cmd() -> list[str]:
    if BIN.exists():
        return [str(BIN)]
    return [sys.executable, "-m", "annotator"]


def env() -> dict[str, str]:
    out = dict(os.environ)
    out.pop("ANNOTATOR_DB", None)
    out.update(TERM="xterm-256color", COLUMNS="80", LINES="24", NO_COLOR="", PYTHONUNBUFFERED="1")
    out.pop("NO_COLOR")
    return out


def run(args: list[str], timeout: float = 120, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        annotator_cmd() + args,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env(),
        stdin=subprocess.DEVNULL,
        **kw,
    )


def sentence(rng: random.Random) -> str:
    words = rng.sample(WORDS, rng.randint(6, 14))
    return " ".join(words).capitalize() + "."


def write_corpus(folder: Path, files: int, rng: random.Random, per_file: int = 12) -> None:
    """Plain-text and Markdown articles, each distinct (a number in every sentence)."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(files):
        paras = []
        for p in range(per_file // 3):
            paras.append(" ".join(f"{sentence(rng)[:-1]} {i}-{p}-{k}." for k in range(3)))
        if i % 2:
            head = f"---\ntitle: Article {i}\nurl: https://news.example/{i}\n---\n\n"
            body = head + "\n\n".join(paras) + "\n"
            (folder / f"a{i:04d}.md").write_text(body, encoding="utf-8")
        else:
            (folder / f"a{i:04d}.txt").write_text("\n\n".join(paras) + "\n", encoding="utf-8")


def make_store(db: Path, work: Path, rng: random.Random, extra_files: int = 40) -> None:
    if db.exists():
        db.unlink()
    for args in (
        ["init", "--db", str(db), "--name", "p", "--schema", str(SCHEMA)],
        ["import", "--db", str(db), str(SAMPLES)],
    ):
        res = run(args)
        if res.returncode:
            raise SystemExit(f"setup failed: {' '.join(args)}: {res.stderr.strip()}")
    if extra_files:
        corpus = work / "annotate-corpus"
        write_corpus(corpus, extra_files, rng)
        res = run(["import", "--db", str(db), str(corpus)])
        if res.returncode:
            raise SystemExit(f"setup import failed: {res.stderr.strip()}")


def spawn_in_pty(args: list[str], cmd: list[str] | None = None) -> tuple[subprocess.Popen, int]:
    """Start the annotator (or `cmd`, a command standing in for it) in a pseudo-terminal of
    80x24; return (process, master fd)."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))

    def setup() -> None:
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen(
        (cmd or annotator_cmd()) + args,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env(),
        start_new_session=True,
        close_fds=True,
        preexec_fn=setup,
    )
    os.close(slave)
    return proc, master


class Screen:
    """What the terminal printed, with escapes removed, read without blocking."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.raw = bytearray()
        self.text = ""
        self.best_done: int | None = None
        self.scanned = 0

    def pump(self, wait: float) -> None:
        end = time.monotonic() + wait
        while True:
            left = end - time.monotonic()
            ready, _, _ = select.select([self.fd], [], [], max(0.0, left))
            if ready:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:  # the program has ended: read what it left
                    break
                if not chunk:
                    break
                self.raw += chunk
            elif left <= 0:
                break
        self.text = ANSI.sub("", self.raw.decode("utf-8", "replace"))
        # A clean value needs the whole "N done · " on screen; scan only new text (plus slack).
        start = max(0, self.scanned - 40)
        for m in DONE.finditer(self.text, start):
            n = int(m.group(1).replace(",", ""))
            self.best_done = n if self.best_done is None else max(self.best_done, n)
        self.scanned = len(self.text)


def store_done(db: Path, who: str = "alice") -> int:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        (n,) = con.execute(
            "SELECT count(*) FROM annotation a JOIN annotator p ON p.id = a.annotator_id "
            "WHERE p.name = ? AND a.status = 'done'",
            (who,),
        ).fetchone()
        return n
    finally:
        con.close()


def half_written(db: Path) -> list[str]:
    """Annotations that are not whole: bad values, no audit event, or a corrupt file."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    problems = []
    try:
        (ok,) = con.execute("PRAGMA integrity_check").fetchone()
        if ok != "ok":
            problems.append(f"integrity_check: {ok}")
        rows = con.execute('SELECT id, "values", status FROM annotation').fetchall()
        events = {r[0] for r in con.execute("SELECT DISTINCT annotation_id FROM annotationevent")}
        for aid, values, status in rows:
            try:
                vals = json.loads(values)
            except (TypeError, ValueError):
                problems.append(f"annotation {aid}: values not JSON")
                continue
            if status == "done" and vals.get("bias") not in ("biased", "non_biased"):
                problems.append(f"annotation {aid}: done with values {vals!r}")
            if aid not in events:
                problems.append(f"annotation {aid}: no audit event")
    finally:
        con.close()
    return problems


def import_problems(db: Path) -> list[str]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        out = []
        for pid, h, n in con.execute(
            "SELECT project_id, content_hash, count(*) FROM document "
            "GROUP BY project_id, content_hash HAVING count(*) > 1"
        ):
            out.append(f"duplicate document {h[:12]} x{n} in project {pid}")
        for (did,) in con.execute(
            "SELECT d.id FROM document d "
            "WHERE NOT EXISTS (SELECT 1 FROM unit u WHERE u.document_id = d.id)"
        ):
            out.append(f"document {did} has no units")
        (ok,) = con.execute("PRAGMA integrity_check").fetchone()
        if ok != "ok":
            out.append(f"integrity_check: {ok}")
        return out
    finally:
        con.close()


def one_line_no_traceback(res: subprocess.CompletedProcess) -> str | None:
    """None if the failure was reported well; otherwise what was wrong."""
    err = res.stderr.strip()
    if res.returncode == 0:
        return "exit 0"
    if "Traceback" in err or "Traceback" in res.stdout:
        return "traceback"
    if len(err.splitlines()) != 1:
        return f"{len(err.splitlines())} lines on stderr: {err[:200]!r}"
    return None


def check(tally: Tally, name: str, problem: str | None, results: list[str]) -> None:
    tally.runs += 1
    if problem:
        tally.fail(f"{name}: {problem}")
    results.append(
        f"  {'pass' if not problem else 'FAIL'}  {name}" + (f": {problem}" if problem else "")
    )


def annotate_in_pty(db, who: str, keys: bytes, wait: float = 12.0) -> tuple[int | None, str]:
    proc, master = spawn_in_pty(["annotate", "--db", str(db), "--annotator", who])
    screen = Screen(master)
    try:
        deadline = time.monotonic() + wait
        sent = False
        while time.monotonic() < deadline and proc.poll() is None:
            screen.pump(0.1)
            if not sent and screen.best_done is not None:
                os.write(master, keys)
                sent = True
        screen.pump(0.2)
        code = proc.poll()
        if code is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        return code, screen.text
    finally:
        with contextlib.suppress(OSError):
            os.close(master)
