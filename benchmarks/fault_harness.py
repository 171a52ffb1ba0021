"""Crash-and-fault harness (issue 10): SIGKILL the annotator at random moments, inject faults.

Part 1 kills ``annotator annotate`` in a pseudo-terminal while labels are being given and
checks that every label the screen confirmed (the progress line's "N done" moved on) is in
the store. Part 2 kills ``annotator import`` at random moments, re-runs it to completion and
checks that no document is duplicated or left without units. Part 3 tries a store in a
read-only folder, a lock held by another process and an unreachable PostgreSQL server.
Part 4 (fault_postgres.py) drops the PostgreSQL server's connections under `annotate` and under
`status`, `export` and `labels import`. Part 5 (fault_disk.py) fills a real disk (a small
tmpfs; SQLite's max_page_count where mounting is refused) under `annotate` and an export.

Each part prints "runs, failures, labels lost". Run:

    .venv/bin/python benchmarks/fault_harness.py --kills 100 --seed 1
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the sibling fault_* modules

from fault_disk import part_disk
from fault_kit import (
    SCHEMA,
    Screen,
    Tally,
    annotate_in_pty,
    annotator_cmd,
    check,
    env,
    half_written,
    import_problems,
    make_store,
    one_line_no_traceback,
    run,
    spawn_in_pty,
    store_done,
    write_corpus,
)
from fault_postgres import part_postgres

# --- part 1: SIGKILL during annotation -------------------------------------------------------


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
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGKILL)  # also when it never drew: none is left running
        proc.wait(timeout=30)
        screen.pump(0.05)
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
    # max_page_count is per connection; a wrapper sets it on every sqlite3 connection the
    # import opens (SQLAlchemy's, and the direct writer's on a plain SQLite store).
    code = (
        "import sqlite3, sys\n"
        "_connect = sqlite3.connect\n"
        "def connect(*args, **kwargs):\n"
        "    c = _connect(*args, **kwargs)\n"
        f"    c.execute('PRAGMA max_page_count = {pages + 2}')\n"
        "    return c\n"
        "sqlite3.connect = connect\n"
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
    parser.add_argument("--parts", default="annotate,import,faults,postgres,disk")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("ANNOTATOR_TEST_PG_URL"),
        help="PostgreSQL server for part 4 (default: $ANNOTATOR_TEST_PG_URL; skipped without)",
    )
    parser.add_argument(
        "--pg-sessions", type=int, default=None, help="annotate sessions with drops (kills/5)"
    )
    parser.add_argument(
        "--pg-command-runs", type=int, default=10, help="drops per command (status, export, ...)"
    )
    parser.add_argument("--disk-runs", type=int, default=3, help="annotate runs to a full disk")
    parser.add_argument(
        "--no-mount", action="store_true", help="no tmpfs: the max_page_count stand-in"
    )
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
        if "postgres" in parts:
            sessions = args.pg_sessions if args.pg_sessions is not None else max(4, args.kills // 5)
            done, skipped = part_postgres(work, rng, args.pg_url, sessions, args.pg_command_runs)
            if skipped:
                print(f"PostgreSQL dropped mid-session: skipped ({skipped})")
            for t, notes in done:
                tallies.append(t)
                print(t.line(), flush=True)
                for n in notes + t.notes:
                    print("  " + n)
        if "disk" in parts:
            t, notes = part_disk(work, rng, runs=args.disk_runs, mount=not args.no_mount)
            tallies.append(t)
            print(t.line(), flush=True)
            for n in notes + t.notes:
                print("  " + n)
        failed = any(t.failures or t.lost for t in tallies)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
