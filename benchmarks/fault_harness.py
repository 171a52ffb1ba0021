"""Crash-and-fault harness (issue 10): SIGKILL the annotator at random moments, inject faults.

Part 1 kills ``annotator annotate`` in a pseudo-terminal while labels are being given and
checks that every label the screen confirmed (the progress line's "N done" moved on) is in
the store. Part 2 kills ``annotator import`` at random moments, re-runs it to completion and
checks that no document is duplicated or left without units. Part 3 tries a store in a
read-only folder, a lock held by another process and an unreachable PostgreSQL server.

Each part prints "runs, failures, labels lost". Run:

    .venv/bin/python benchmarks/fault_harness.py --kills 100 --seed 1
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import random
import re
import select
import shutil
import signal
import sqlite3
import stat
import struct
import subprocess
import sys
import tempfile
import termios
import threading
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


# --- part 1: SIGKILL during annotation -------------------------------------------------------


def spawn_in_pty(args: list[str]) -> tuple[subprocess.Popen, int]:
    """Start the annotator in a pseudo-terminal of 80x24; return (process, master fd)."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))

    def setup() -> None:
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen(
        annotator_cmd() + args,
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
                except OSError:
                    return
                if not chunk:
                    return
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


def units_left(db: Path) -> int:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        (total,) = con.execute("SELECT count(*) FROM unit").fetchone()
    finally:
        con.close()
    return total - store_done(db)


def kill_annotate_once(db: Path, rng: random.Random, tally: Tally, max_seconds: float = 6.0):
    """One run: start, press label keys at random intervals, SIGKILL, compare with the store."""
    before = store_done(db)
    proc, master = spawn_in_pty(["annotate", "--db", str(db), "--annotator", "alice"])
    screen = Screen(master)
    try:
        # Wait until the screen shows the counts (the app is up and a unit is on screen)...
        deadline = time.monotonic() + 30
        while screen.best_done is None and time.monotonic() < deadline and proc.poll() is None:
            screen.pump(0.1)
        if screen.best_done is None:
            tally.fail(f"annotate did not draw its progress line: {screen.text[-300:]!r}")
            return
        if screen.best_done != before:
            tally.fail(f"screen shows {screen.best_done} done at start, the store {before}")
        # ...then press keys at random intervals and kill at a random moment.
        kill_at = time.monotonic() + rng.uniform(0.05, max_seconds)
        while time.monotonic() < kill_at and proc.poll() is None:
            os.write(master, rng.choice([b"1", b"2"]))
            screen.pump(rng.choice([0.0, 0.01, 0.03, 0.08, 0.2]))
        if proc.poll() is not None:
            tally.fail(f"annotate exited by itself ({proc.returncode})")
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        screen.pump(0.05)
    finally:
        with contextlib.suppress(OSError):
            os.close(master)
    confirmed = (screen.best_done or 0) - before
    after = store_done(db)
    if after < before + confirmed:
        lost = before + confirmed - after
        tally.lost += lost
        tally.fail(f"screen confirmed {before + confirmed} done, store has {after}")
    problems = half_written(db)
    if problems:
        tally.fail("; ".join(problems[:3]))
    return confirmed


def part_annotate(work: Path, kills: int, rng: random.Random, db: Path | None = None) -> Tally:
    tally = Tally("SIGKILL during annotation")
    db = db or work / "annotate.db"
    make_store(db, work, rng)
    confirmed_total = 0
    for _ in range(kills):
        if units_left(db) < 60:
            make_store(db, work, rng)
        tally.runs += 1
        confirmed_total += kill_annotate_once(db, rng, tally) or 0
    tally.notes.insert(0, f"labels confirmed on screen before the kills: {confirmed_total}")
    return tally


# --- part 2: SIGKILL during import ------------------------------------------------------------


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


def count_docs(db: Path) -> int:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return con.execute("SELECT count(*) FROM document").fetchone()[0]
    finally:
        con.close()


def kill_tree(proc: subprocess.Popen) -> None:
    """SIGKILL the import and, to be fair to later runs, any worker left in its session."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


def part_import(work: Path, kills: int, files: int, rng: random.Random) -> Tally:
    tally = Tally("SIGKILL during import")
    corpus = work / "import-corpus"
    write_corpus(corpus, files, rng, per_file=15)
    db = work / "import.db"
    res = run(["init", "--db", str(db), "--name", "p", "--schema", str(SCHEMA)])
    if res.returncode:
        raise SystemExit(res.stderr)
    orphans = 0
    # How long a full import takes tells where to kill.
    t0 = time.monotonic()
    probe = work / "probe.db"
    run(["init", "--db", str(probe), "--name", "p", "--schema", str(SCHEMA)])
    run(["import", "--db", str(probe), str(corpus)], timeout=600)
    full = time.monotonic() - t0
    for i in range(kills):
        tally.runs += 1
        if i and i % 5 == 0:  # start afresh now and then, so kills land early as well as late
            db.unlink()
            run(["init", "--db", str(db), "--name", "p", "--schema", str(SCHEMA)])
        proc = subprocess.Popen(
            [*annotator_cmd(), "import", "--db", str(db), str(corpus)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            env=env(),
            start_new_session=True,
        )
        time.sleep(rng.uniform(0.3, max(0.5, full)))
        still_running = proc.poll() is None
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        if still_running:
            time.sleep(0.2)
            left = subprocess.run(
                ["pgrep", "-s", str(proc.pid)], capture_output=True, text=True
            ).stdout.split()
            if left:
                orphans += 1
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        problems = import_problems(db)
        if problems:
            tally.fail(f"after kill {i}: " + "; ".join(problems[:3]))
        res = run(["import", "--db", str(db), str(corpus)], timeout=600)
        if res.returncode:
            tally.fail(f"re-import exited {res.returncode}: {res.stderr.strip()[-200:]}")
        problems = import_problems(db)
        if problems:
            tally.fail(f"after re-import {i}: " + "; ".join(problems[:3]))
        if count_docs(db) != files:
            tally.fail(f"after re-import {i}: {count_docs(db)} documents, expected {files}")
    tally.notes.append(f"full import of {files} files takes {full:.1f}s")
    if orphans:
        tally.notes.append(f"{orphans} kills left import worker processes alive (issue 10 item 9)")
    return tally


# --- part 3: faults ---------------------------------------------------------------------------


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


def hold_lock(db: Path, seconds: float, ready: threading.Event) -> subprocess.Popen:
    code = (
        "import sqlite3, sys, time\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)\n"
        "c.execute('BEGIN EXCLUSIVE'); print('locked', flush=True)\n"
        "time.sleep(float(sys.argv[2])); c.execute('ROLLBACK')\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(db), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    proc.stdout.readline()
    ready.set()
    return proc


def part_faults(work: Path, rng: random.Random) -> tuple[Tally, list[str]]:
    tally = Tally("faults")
    results: list[str] = []
    base = work / "faults"
    base.mkdir(exist_ok=True)
    db = base / "f.db"
    make_store(db, base, rng, extra_files=2)
    # A label for alice, so status has something to show.
    annotate_in_pty(db, "alice", b"1q", wait=8)

    # 1. A store in a read-only folder.
    ro = base / "ro"
    ro.mkdir(exist_ok=True)
    shutil.copy(db, ro / "f.db")
    os.chmod(ro / "f.db", stat.S_IRUSR)
    os.chmod(ro, stat.S_IRUSR | stat.S_IXUSR)
    try:
        # Root ignores the mode bits: then SQLite's own read-only mode stands in for the folder.
        as_root = os.access(ro, os.W_OK)
        ro_db = f"sqlite:///file:{ro / 'f.db'}?mode=ro&uri=true" if as_root else str(ro / "f.db")
        res = run(["status", "--db", str(ro / "f.db")])
        problem = (
            None if res.returncode == 0 else f"exit {res.returncode}: {res.stderr.strip()[:200]}"
        )
        if "Traceback" in res.stderr:
            problem = "traceback"
        check(tally, "read-only folder: status works", problem, results)
        res = run(
            ["export", "--db", str(ro / "f.db"), "--format", "jsonl", "-o", str(base / "ro.jsonl")]
        )
        problem = (
            None if res.returncode == 0 else f"exit {res.returncode}: {res.stderr.strip()[:200]}"
        )
        check(tally, "read-only folder: export works", problem, results)
        for who in ("alice", "newcomer"):
            code, text = annotate_in_pty(ro_db, who, b"1", wait=10)
            problem = None
            if code is None:
                problem = "still running (no one-line exit)"
            elif code == 0:
                problem = "exit 0"
            elif "Traceback" in text:
                problem = "traceback"
            else:
                tail = [ln for ln in text.strip().splitlines() if ln.strip()]
                if len(tail) > 3:
                    problem = f"{len(tail)} lines of output"
            how = " (mode=ro: running as root)" if as_root else ""
            check(
                tally,
                f"read-only store{how}: annotate as {who} exits non-zero in one line",
                problem,
                results,
            )
    finally:
        os.chmod(ro, stat.S_IRWXU)

    # 2. A lock held by another process for longer than the busy timeout.
    labels = base / "labels.jsonl"
    con = sqlite3.connect(db)
    texts = [r[0] for r in con.execute("SELECT text FROM unit ORDER BY id LIMIT 5")]
    con.close()
    labels.write_text(
        "".join(
            json.dumps({"text": t, "annotator": "bob", "task": "bias", "value": "biased"}) + "\n"
            for t in texts
        ),
        encoding="utf-8",
    )
    ready = threading.Event()
    holder = hold_lock(db, 40, ready)
    try:
        t0 = time.monotonic()
        res = run(["labels", "import", "--db", str(db), str(labels)], timeout=120)
        took = time.monotonic() - t0
        problem = one_line_no_traceback(res)
        check(
            tally, f"lock held: labels import says so in one line ({took:.0f}s)", problem, results
        )
        # annotate: start while locked; either a one-line exit or a "Not saved" line on screen.
        code, text = annotate_in_pty(db, "carol", b"1", wait=12)
        if "Traceback" in text:
            problem = "traceback"
        elif code == 0:
            problem = "exit 0"
        elif code is None and "Not saved" not in text and "locked" not in text.lower():
            problem = "no word about the lock within 12 s"
        else:
            problem = None
        check(tally, "lock held: annotate save says so (one line or retry)", problem, results)
    finally:
        holder.kill()
        holder.wait()

    # 3. PostgreSQL unreachable.
    res = run(["status", "--db", "postgresql+psycopg://postgres@127.0.0.1:1/x"], timeout=60)
    check(
        tally,
        "PostgreSQL unreachable: status exits non-zero in one line",
        one_line_no_traceback(res),
        results,
    )

    # 4. Disk full via max_page_count (optional): a store that cannot grow takes an import.
    full = base / "full.db"
    shutil.copy(db, full)
    con = sqlite3.connect(full)
    (pages,) = con.execute("PRAGMA page_count").fetchone()
    con.close()
    corpus = base / "full-corpus"
    write_corpus(corpus, 30, rng)
    # max_page_count is per connection; a wrapper sets it before the import opens its own.
    code = (
        "import sys, sqlalchemy.event as ev, sqlalchemy.pool as pool\n"
        "def limit(c, r):\n"
        "    if c.__class__.__module__.startswith('sqlite3'):\n"
        f"        c.execute('PRAGMA max_page_count = {pages + 2}')\n"
        "ev.listen(pool.Pool, 'connect', limit)\n"
        "from annotator.cli.app import main\n"
        "sys.argv = ['annotator'] + sys.argv[1:]\n"
        "main()\n"
    )
    res = subprocess.run(
        [sys.executable, "-c", code, "import", "--db", str(full), str(corpus)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env(),
    )
    problem = None
    if "Traceback" in res.stderr:
        problem = "traceback"
    elif res.returncode == 0:
        problem = "exit 0 although the store is full"
    check(tally, "disk full (max_page_count): import fails without a traceback", problem, results)
    problems = import_problems(full)
    check(tally, "disk full: no partial document left", "; ".join(problems[:3]) or None, results)
    return tally, results


# --- main -------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--kills", type=int, default=100, help="SIGKILLs during annotation (default 100)"
    )
    parser.add_argument(
        "--import-kills", type=int, default=None, help="SIGKILLs during import (default kills/5)"
    )
    parser.add_argument("--import-files", type=int, default=300, help="files in the import corpus")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument(
        "--db", type=Path, default=None, help="SQLite file for part 1 (default: a temp folder)"
    )
    parser.add_argument("--parts", default="annotate,import,faults")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    rng = random.Random(seed)
    parts = set(args.parts.split(","))
    print(f"seed {seed}")
    failed = False
    with tempfile.TemporaryDirectory(prefix="fault-harness-") as tmp:
        work = Path(tmp)
        tallies = []
        if "annotate" in parts:
            t = part_annotate(work, args.kills, rng, args.db)
            tallies.append(t)
            print(t.line(), flush=True)
            for n in t.notes:
                print("  " + n)
        if "import" in parts:
            kills = args.import_kills if args.import_kills is not None else max(1, args.kills // 5)
            t = part_import(work, kills, args.import_files, rng)
            tallies.append(t)
            print(t.line(), flush=True)
            for n in t.notes:
                print("  " + n)
        if "faults" in parts:
            t, results = part_faults(work, rng)
            tallies.append(t)
            print(t.line())
            print("\n".join(results), flush=True)
        failed = any(t.failures or t.lost for t in tallies)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
