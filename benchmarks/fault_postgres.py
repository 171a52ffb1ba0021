"""PostgreSQL dropped mid-session: the server ends the annotator's connections
(`pg_terminate_backend` from another connection) at random moments.

In `annotate` (in a pseudo-terminal) the drops land while idle, during a save and at start-up;
after each one the harness does what the screen asks (enter to retry, → to read on, else the
next label key) and checks that saving works again, that no traceback was drawn, that a failed
save said so in its message line, and, at the end, that every label the screen confirmed is in
the store. `status`, `export` and `labels import` get a drop while connected: they either
finish with complete output or end with one line, a non-zero exit and no output file.

Each store lives in a throwaway schema; the connections under test carry an application name
of their own, which is how the drops find them.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import sqlalchemy as sa
from fault_kit import (
    SAMPLES,
    SCHEMA,
    Screen,
    Tally,
    annotator_cmd,
    env,
    one_line_no_traceback,
    run,
    spawn_in_pty,
    write_corpus,
)
from sqlalchemy.pool import NullPool

RIGHT = b"\x1b[C"


class PgStores:
    """Throwaway schemas on one PostgreSQL server, dropped on close."""

    def __init__(self, base_url: str) -> None:
        self.base = base_url
        self.admin = sa.create_engine(base_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        self.schemas: list[str] = []

    def new(self) -> tuple[str, str]:
        """(URL of an empty schema, the application name its connections carry)."""
        name = f"fault_{uuid.uuid4().hex[:10]}"
        with self.admin.connect() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{name}"'))
        self.schemas.append(name)
        app = f"fault-harness-{name}"
        sep = "&" if "?" in self.base else "?"
        options = quote(f"-csearch_path={name}")
        return f"{self.base}{sep}options={options}&application_name={app}", app

    def terminate(self, app: str) -> int:
        """End every connection named `app`; how many there were."""
        with self.admin.connect() as conn:
            return int(
                conn.execute(
                    sa.text(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                        "WHERE application_name = :app AND pid <> pg_backend_pid()"
                    ),
                    {"app": app},
                ).scalar()
                or 0
            )

    def connected(self, app: str) -> int:
        with self.admin.connect() as conn:
            return int(
                conn.execute(
                    sa.text("SELECT count(*) FROM pg_stat_activity WHERE application_name = :app"),
                    {"app": app},
                ).scalar()
                or 0
            )

    def close(self) -> None:
        with self.admin.connect() as conn:
            for name in self.schemas:
                conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        self.admin.dispose()


def reachable(base_url: str) -> str | None:
    """None if the server answers, else why not (one line)."""
    try:
        engine = sa.create_engine(base_url, poolclass=NullPool)
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # any reason at all: the part is skipped with it
        return str(getattr(exc, "orig", exc)).strip().splitlines()[0][:200]
    return None


@contextlib.contextmanager
def reader(url: str) -> Iterator[sa.Connection]:
    """A connection of the harness's own (not named like the ones under test)."""
    plain = url.split("&application_name=")[0]
    engine = sa.create_engine(plain, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def done_count(url: str, who: str) -> int:
    with reader(url) as conn:
        return int(
            conn.execute(
                sa.text(
                    "SELECT count(*) FROM annotation a JOIN annotator p ON p.id = a.annotator_id "
                    "WHERE p.name = :who AND a.status = 'done'"
                ),
                {"who": who},
            ).scalar()
            or 0
        )


def units_left(url: str) -> int:
    with reader(url) as conn:
        total = int(conn.execute(sa.text("SELECT count(*) FROM unit")).scalar() or 0)
    return total - done_count(url, "alice")


def half_written(url: str) -> list[str]:
    """Annotations that are not whole: a done label without a value, or no audit event."""
    problems = []
    with reader(url) as conn:
        rows = conn.execute(
            sa.text(
                'SELECT a.id, a."values", a.status, EXISTS (SELECT 1 FROM annotationevent e '
                "WHERE e.annotation_id = a.id) FROM annotation a"
            )
        ).all()
    for aid, values, status, has_event in rows:
        vals = json.loads(values) if isinstance(values, str) else values
        if status == "done" and vals.get("bias") not in ("biased", "non_biased"):
            problems.append(f"annotation {aid}: done with values {vals!r}")
        if not has_event:
            problems.append(f"annotation {aid}: no audit event")
    return problems


def setup_store(url: str, work: Path, rng: random.Random, files: int) -> None:
    steps = [["init", "--db", url, "--name", "p", "--schema", str(SCHEMA)]]
    steps.append(["import", "--db", url, str(SAMPLES)])
    if files:
        corpus = work / f"pg-corpus-{files}"
        if not corpus.exists():
            write_corpus(corpus, files, rng)
        steps.append(["import", "--db", url, str(corpus)])
    for args in steps:
        res = run(args, timeout=600)
        if res.returncode:
            raise SystemExit(f"setup failed: {args[0]}: {res.stderr.strip()}")


# --- annotate ---------------------------------------------------------------------------------


def recover(screen: Screen, master: int, since: int, confirmed: int, wait: float = 20.0) -> bool:
    """Do what the screen asks until one more label is confirmed (True), or `wait` runs out."""
    mark = since
    end = time.monotonic() + wait
    while time.monotonic() < end:
        new = screen.text[mark:]
        mark = len(screen.text)
        if "enter to retry" in new or "enter to try again" in new:
            key = b"\r"
        elif "→ to try again" in new:
            key = RIGHT
        else:
            key = b"1"
        os.write(master, key)
        screen.pump(0.4)
        if (screen.best_done or 0) > confirmed:
            return True
    return False


def messages(text: str) -> list[str]:
    """The failure messages drawn, each from its first word to the key it names."""
    out = []
    for start in ("Not saved:", "Could not reach the store:", "The next sentence could not"):
        at = text.find(start)
        while at >= 0:
            out.append(text[at : at + 300])
            at = text.find(start, at + 1)
    return out


def open_session(
    stores: PgStores, url: str, app: str, drop_after: float | None, counts: dict
) -> tuple[subprocess.Popen, int, Screen]:
    """Start `annotate`; with `drop_after`, end its connections that long after it first
    connects. Returns once the progress line is drawn, the process ended, or 40 s passed."""
    proc, master = spawn_in_pty(["annotate", "--db", url, "--annotator", "alice"])
    screen = Screen(master)
    if drop_after is not None:
        end = time.monotonic() + 30
        while not stores.connected(app) and time.monotonic() < end and proc.poll() is None:
            screen.pump(0.005)
        screen.pump(drop_after)
        counts["start"] += 1
        counts["ended"] += stores.terminate(app)
    deadline = time.monotonic() + 40
    mark = 0
    while screen.best_done is None and time.monotonic() < deadline and proc.poll() is None:
        screen.pump(0.3)
        if "enter to try again" in screen.text[mark:]:  # what the screen asks for
            mark = len(screen.text)
            os.write(master, b"\r")
    screen.pump(0.05)
    return proc, master, screen


def refused_in_one_line(proc: subprocess.Popen, screen: Screen) -> bool:
    """The command stopped before its screen opened, saying why in one line (a drop while it
    reads the store at start-up: running it again is the way on)."""
    lines = [ln for ln in screen.text.splitlines() if ln.strip()]
    return (
        proc.poll() not in (None, 0)
        and len(lines) == 1
        and lines[0].startswith("error: ")
        and "Traceback" not in screen.text
    )


def drop_annotate_once(
    stores: PgStores, url: str, app: str, rng: random.Random, tally: Tally, counts: dict
) -> None:
    """One session: labels at random intervals, drops at random moments, then q or SIGKILL."""
    before = done_count(url, "alice")
    drop_after = rng.uniform(0.0, 0.3) if rng.random() < 0.3 else None
    proc, master, screen = open_session(stores, url, app, drop_after, counts)
    try:
        if screen.best_done is None and refused_in_one_line(proc, screen):
            counts["refused"] += 1
            os.close(master)
            proc, master, screen = open_session(stores, url, app, None, counts)
        if screen.best_done is None:
            tally.fail(f"annotate did not draw its progress line: {screen.text[-300:]!r}")
            return
        for _ in range(rng.randint(2, 5)):
            type_until = time.monotonic() + rng.uniform(0.1, 1.5)
            while time.monotonic() < type_until and proc.poll() is None:
                os.write(master, rng.choice([b"1", b"2"]))
                screen.pump(rng.choice([0.0, 0.02, 0.08, 0.2]))
            since = len(screen.text)
            if rng.random() < 0.5:  # during a save: a label key, then the drop right after it
                os.write(master, rng.choice([b"1", b"2"]))
                time.sleep(rng.uniform(0.0, 0.015))
                counts["save"] += 1
            else:
                screen.pump(0.3)
                counts["idle"] += 1
            counts["ended"] += stores.terminate(app)
            screen.pump(0.3)
            at_drop = screen.best_done or 0
            if not recover(screen, master, since, at_drop):
                tally.fail(f"no label saved within 20 s of a drop: {screen.text[-300:]!r}")
                return
            if proc.poll() is not None:
                break
        if proc.poll() is not None:
            tally.fail(f"annotate exited by itself ({proc.returncode})")
        elif rng.random() < 0.5:
            os.write(master, b"q")
            screen.pump(0.3)
            if "not saved" in screen.text[-600:].lower():
                os.write(master, b"q")  # the choices on screen are not stored: quit anyway
            end = time.monotonic() + 15
            while proc.poll() is None and time.monotonic() < end:
                screen.pump(0.2)
            if proc.poll() != 0:
                tally.fail(f"q: exit {proc.poll()} (expected 0)")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGKILL)  # SIGKILL ends it for good, whatever came first
        proc.wait(timeout=30)
        screen.pump(0.05)
        with contextlib.suppress(OSError):
            os.close(master)
    if "Traceback" in screen.text:
        tally.fail("a traceback on screen")
    for message in messages(screen.text):
        counts["messages"] += 1
        if "try again" not in message and "retry" not in message:
            tally.fail(f"a failure message that names no way on: {message[:160]!r}")
    confirmed = (screen.best_done or 0) - before
    counts["confirmed"] += confirmed
    after = done_count(url, "alice")
    if after < before + confirmed:
        tally.lost += before + confirmed - after
        tally.fail(f"screen confirmed {before + confirmed} done, store has {after}")
    problems = half_written(url)
    if problems:
        tally.fail("; ".join(problems[:3]))


def part_pg_annotate(
    stores: PgStores, work: Path, sessions: int, rng: random.Random
) -> tuple[Tally, list[str]]:
    tally = Tally("PostgreSQL dropped during annotation")
    url, app = stores.new()
    setup_store(url, work, rng, files=40)
    keys = ("start", "refused", "idle", "save", "ended", "messages", "confirmed")
    counts = dict.fromkeys(keys, 0)
    for _ in range(sessions):
        if units_left(url) < 100:  # a session labels up to ~60: never let the queue run dry
            url, app = stores.new()
            setup_store(url, work, rng, files=40)
        tally.runs += 1
        drop_annotate_once(stores, url, app, rng, tally, counts)
    notes = [
        f"drops: {counts['start']} at start-up ({counts['refused']} stopped the command in one "
        f"line before its screen opened; run again), {counts['idle']} idle, {counts['save']} "
        f"during a save; {counts['ended']} connections ended",
        f"labels confirmed on screen: {counts['confirmed']}; failure messages shown: "
        f"{counts['messages']}",
    ]
    return tally, notes


# --- commands ---------------------------------------------------------------------------------


def start(args: list[str]) -> subprocess.Popen:
    return subprocess.Popen(
        annotator_cmd() + args,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env(),
        start_new_session=True,
    )


def connected_window(stores: PgStores, app: str, args: list[str]) -> tuple[float, str]:
    """Seconds from the command's first connection to its exit, and its stdout (a clean run)."""
    proc = start(args)
    seen = None
    while proc.poll() is None:
        if seen is None and stores.connected(app):
            seen = time.monotonic()
        time.sleep(0.005)
    out, err = proc.communicate()
    if proc.returncode:
        raise SystemExit(f"clean run failed: {' '.join(args[:2])}: {err.strip()[-300:]}")
    return (time.monotonic() - seen) if seen else 0.0, out


def drop_command_once(
    stores: PgStores, app: str, args: list[str], window: float, rng: random.Random
) -> tuple[subprocess.CompletedProcess, int]:
    """Run the command and, once it is connected, end its connections at up to three random
    moments until it exits (one drop alone often lands on an idle pooled connection, which the
    pool's ping replaces); (what it did, connections ended)."""
    proc = start(args)
    ended = drops = 0
    end = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < end and drops < 3:
        if drops or stores.connected(app):
            time.sleep(rng.uniform(0.0, window / 2))
            ended += stores.terminate(app)
            drops += 1
        else:
            time.sleep(0.003)
    try:
        out, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err), ended


def labels_file(url: str, path: Path) -> int:
    """Labels (no annotator: `-a` names one) for every unit of the store."""
    with reader(url) as conn:
        ids = [r[0] for r in conn.execute(sa.text("SELECT id FROM unit ORDER BY id"))]
    with path.open("w", encoding="utf-8") as out:
        for i, uid in enumerate(ids):
            value = "biased" if i % 3 else "non_biased"
            out.write(json.dumps({"unit_id": uid, "task": "bias", "value": value}) + "\n")
    return len(ids)


def part_pg_commands(
    stores: PgStores, work: Path, tries: int, rng: random.Random, files: int = 300
) -> tuple[Tally, list[str]]:
    tally = Tally("PostgreSQL dropped during a command")
    url, app = stores.new()
    setup_store(url, work, rng, files=files)
    labels = work / "pg-labels.jsonl"
    n_labels = labels_file(url, labels)
    res = run(["labels", "import", "--db", url, "-a", "base", str(labels)], timeout=600)
    if res.returncode:
        raise SystemExit(f"setup failed: labels import: {res.stderr.strip()}")
    out_dir = work / "pg-exports"
    out_dir.mkdir(exist_ok=True)
    commands = {
        "status": lambda i: ["status", "--db", url],
        "export": lambda i: ["export", "--db", url, "-o", str(out_dir / f"e{i}.jsonl")],
        "labels import": lambda i: ["labels", "import", "--db", url, "-a", f"w{i}", str(labels)],
    }
    notes = []
    for name, make in commands.items():
        window, clean_out = connected_window(stores, app, make("clean"))
        if name == "export":
            expected_lines = (out_dir / "eclean.jsonl").read_text(encoding="utf-8").count("\n")
        landed = finished = failed_cleanly = 0
        for i in range(tries):
            tally.runs += 1
            res, ended = drop_command_once(stores, app, make(i), window, rng)
            landed += ended > 0
            problem = None
            if res.returncode == 0:
                finished += 1
                if name == "status" and res.stdout != clean_out:
                    problem = "exit 0 but the output differs from a clean run"
                if name == "export":
                    got = (out_dir / f"e{i}.jsonl").read_text(encoding="utf-8").count("\n")
                    if got != expected_lines:
                        problem = f"exit 0 with {got} of {expected_lines} lines"
                if name == "labels import" and done_count(url, f"w{i}") != n_labels:
                    problem = f"exit 0 with {done_count(url, f'w{i}')} of {n_labels} labels"
            else:
                failed_cleanly += 1
                problem = one_line_no_traceback(res)
                if name == "export":
                    left = [p.name for p in out_dir.iterdir() if p.name.startswith(f"e{i}")]
                    if left:
                        problem = f"partial output left: {left}"
                if name == "labels import" and problem is None:
                    again = run(make(i), timeout=600)  # the same import, now undisturbed
                    if again.returncode or done_count(url, f"w{i}") != n_labels:
                        problem = f"re-run after the drop: exit {again.returncode}, " + (
                            f"{done_count(url, f'w{i}')} of {n_labels} labels"
                        )
            if problem:
                tally.fail(f"{name} #{i}: {problem}")
        notes.append(
            f"{name}: {tries} runs, a drop landed in {landed} ({window:.2f} s connected); "
            f"{finished} finished whole, {failed_cleanly} stopped with one line"
        )
        if failed_cleanly:
            sample = res.stderr.strip() if res.returncode else ""
            if sample:
                notes.append(f"  e.g. {sample[:150]}")
    return tally, notes


def part_postgres(
    work: Path, rng: random.Random, base_url: str | None, sessions: int, command_runs: int
) -> tuple[list[tuple[Tally, list[str]]], str | None]:
    """Both PostgreSQL parts, or none and the reason they were skipped."""
    if not base_url:
        return [], "no server: give --pg-url or set ANNOTATOR_TEST_PG_URL"
    why = reachable(base_url)
    if why is not None:
        return [], f"{base_url.split('@')[-1]} unreachable: {why}"
    stores = PgStores(base_url)
    try:
        return [
            part_pg_annotate(stores, work, sessions, rng),
            part_pg_commands(stores, work, command_runs, rng),
        ], None
    finally:
        stores.close()
