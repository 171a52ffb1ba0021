"""Annotation UI latency at scale: key -> next unit on screen, and start-up time.

    .venv/bin/python benchmarks/bench_ui.py [--units 1000000] [--keys 300] [--gap 0.05]
        [--rounds 3] [--db PATH]

Builds (once, reused if present) a store with two projects (bias_quick, media_bias), each of
N units in documents of 50 and N annotations: the benchmark annotator has done the first
40%, a colleague the next 50% (so with overlap 1 my queue starts at 90%: the worst case for
the queue scan), a third annotator the first 10%.

Then, headless, for each schema: the time from the key that completes a unit to the next
unit drawn (p50/p95/p99), next to a floor measured in the same run (a bare Textual app doing
one SQLite write and one Static.update per key), in `--rounds` turns of floor and apps so
that on a shared machine each sees the same load. Keys land `--gap` seconds apart, as a person
types; with no gap every key waits for Textual's next 60 Hz frame and every figure reads
about 16.7 ms. Last, the time from running `annotator annotate` (in a pseudo-terminal) to the
first unit on screen, cold (no remembered queue position) and warm (the position the
previous session remembered).

Each schema is measured twice per round: as it ships (suggestions off, no lexicon) and with
assistance on: a model for `bias` stored in the project (fitted on made-up sentences, as
`annotator model train` would store it), suggestions switched on, and a lexicon of 2,000
loaded words marked in every sentence. The rows say how many units showed a guess.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SENTENCE = "The senator's reckless plan would gut funding for schools, critics said on Tuesday."


def build_store(path: Path, units: int) -> None:
    from annotator.schema import builtin_schema
    from annotator.store.engine import open_store, session_scope
    from annotator.store.projects import create_project

    engine = open_store(f"sqlite:///{path}")
    with session_scope(engine) as s:
        for name in ("bias_quick", "media_bias"):
            create_project(s, name, builtin_schema(name))
    engine.dispose()
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    per_doc = 50
    now = "2026-01-01 00:00:00"
    for pid in (1, 2):
        docs = units // per_doc
        con.executemany(
            "INSERT INTO document (project_id, source_path, title, outlet, content_hash, meta, "
            "imported_at) VALUES (?, '', ?, 'VOA', ?, '{}', ?)",
            ((pid, f"Story {d}", f"{pid}-{d}", now) for d in range(docs)),
        )
        first_doc = con.execute(
            "SELECT min(id) FROM document WHERE project_id = ?", (pid,)
        ).fetchone()[0]
        con.executemany(
            "INSERT INTO unit (project_id, document_id, position, kind, text, text_hash) "
            "VALUES (?, ?, ?, 'body', ?, ?)",
            (
                (pid, first_doc + i // per_doc, i % per_doc, f"{SENTENCE} #{i}", f"{pid}-{i}")
                for i in range(docs * per_doc)
            ),
        )
        con.commit()
    for name in ("bench", "colleague", "third"):
        con.execute(
            "INSERT INTO annotator (name, role, created_at) VALUES (?, 'annotator', ?)", (name, now)
        )
    # N annotations in each project (bias_quick and media_bias), split the same way.
    for pid in (1, 2):
        lo = con.execute("SELECT min(id) FROM unit WHERE project_id = ?", (pid,)).fetchone()[0]
        sv = con.execute("SELECT schema_version_id FROM project WHERE id = ?", (pid,)).fetchone()[0]
        n = units
        plan = [(1, 0, int(0.4 * n)), (2, int(0.4 * n), int(0.9 * n)), (3, 0, int(0.1 * n))]
        for who, a, b in plan:
            con.executemany(
                'INSERT INTO annotation (unit_id, annotator_id, schema_version_id, "values", '
                "status, seconds, created_at, updated_at) "
                "VALUES (?, ?, ?, '{\"bias\": \"biased\"}', 'done', 3.0, ?, ?)",
                ((lo + i, who, sv, now, now) for i in range(a, b)),
            )
        con.commit()
    con.execute("ANALYZE")
    con.commit()
    con.close()


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


def lexicon() -> list[str]:
    """2,000 made-up loaded words, and three that every unit's sentence holds."""
    import random

    rng = random.Random(0)
    letters = "abcdefghijklmnopqrstuvwxyz"
    made = {"".join(rng.choice(letters) for _ in range(rng.randint(4, 10))) for _ in range(1997)}
    return [*sorted(made), "reckless", "gut", "critics"]


def store_model(db: Path) -> None:
    """A model of the `bias` task in both projects, fitted on made-up sentences (the bench
    labels all say biased: nothing to learn from), stored as `model train` stores it."""
    import random

    from sqlalchemy import text

    from annotator.assist.model import TaskModel
    from annotator.store import assist_models
    from annotator.store.engine import open_store, session_scope

    rng = random.Random(1)
    texts, targets = [], []
    for i in range(400):
        biased = i % 3 == 0
        word = rng.choice(["slammed", "reckless", "gut"] if biased else ["said", "noted"])
        texts.append(f"The senator {word} the plan for schools on day {rng.randint(1, 28)}.")
        targets.append("biased" if biased else "non_biased")
    model = TaskModel.fit("classes", texts, targets, labels=("biased", "non_biased"))
    engine = open_store(str(db), access="write")
    with session_scope(engine) as s:
        for pid in (1, 2):
            sv = s.execute(
                text("SELECT schema_version_id FROM project WHERE id = :p"),
                {"p": pid},
            ).scalar_one()
            assist_models.save_model(
                s,
                project_id=pid,
                task="bias",
                task_type="single",
                schema_version_id=sv,
                label_ids=[],
                label_count=len(texts),
                event_mark=0,
                weights=model.to_bytes(),
                seconds=0.0,
                accuracy=None,
                macro_f1=None,
            )
    engine.dispose()


def set_suggestions(db: Path, project: str, on: bool) -> None:
    from annotator.store import assist_models
    from annotator.store.engine import open_store, session_scope
    from annotator.store.projects import get_project

    engine = open_store(str(db), access="write")
    with session_scope(engine) as s:
        pid = get_project(s, project).id
        assert pid is not None
        assist_models.change_settings(s, pid, suggestions=on)
    engine.dispose()


async def measure_app(
    db: Path, project: str, keys: int, gap: float, assist: bool = False
) -> tuple[list[float], int]:
    """Key -> next unit drawn, per key; and how many of the units drawn showed a guess."""
    from textual import events

    from annotator.assist.lexicon import Matcher
    from annotator.tui.app import AnnotatorApp
    from annotator.tui.config import UserConfig
    from annotator.tui.launch import load_context

    set_suggestions(db, project, assist)
    ctx = load_context(db=str(db), project=project)
    hints = Matcher(lexicon()) if assist else None
    app = AnnotatorApp(ctx, annotator="bench", config=UserConfig(), remember=False, hints=hints)
    shown = asyncio.Event()
    out: list[float] = []
    guessed = 0
    # media_bias: "2" (not biased) and "1" (factual) pick, then enter completes the unit.
    prefix, final = (["2", "1"], ("enter", "\r")) if project == "media_bias" else ([], ("1", "1"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.5)
        await app.workers.wait_for_complete()  # steady state: tokenizer loaded, counts done
        suggester = app.annotating.suggester if app.annotating else None
        while suggester is not None and not suggester.loaded.is_set():
            await pilot.pause(0.1)  # the models are read in a thread: wait for them
        await pilot.pause(0.3)
        screen = app.screen
        panel = screen.panels["bias"]  # type: ignore[attr-defined]

        def drawn(_view) -> None:
            nonlocal guessed
            guessed += bool(panel.guess)
            shown.set()

        screen.on_shown = drawn
        for _ in range(keys):
            for k in prefix:
                await pilot.press(k)
            await asyncio.sleep(gap)  # a person's pause: the screen is idle when the key lands
            shown.clear()
            t0 = time.perf_counter()
            app.post_message(events.Key(final[0], final[1]))
            await shown.wait()
            out.append(time.perf_counter() - t0)
    return out, guessed


async def measure_floor(db: Path, keys: int, gap: float) -> list[float]:
    from textual import events
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute("CREATE TABLE IF NOT EXISTS bench_floor (id INTEGER PRIMARY KEY, v TEXT)")
    shown = asyncio.Event()

    class Floor(App):
        def compose(self) -> ComposeResult:
            yield Static(id="s")

        def on_key(self, event: events.Key) -> None:
            con.execute("BEGIN")
            con.execute("INSERT INTO bench_floor (v) VALUES (?)", (event.key,))
            con.execute("COMMIT")
            self.query_one(Static).update(f"{SENTENCE} {time.perf_counter()}")
            self.call_after_refresh(shown.set)

    out = []
    app = Floor()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for _ in range(keys):
            await asyncio.sleep(gap)
            shown.clear()
            t0 = time.perf_counter()
            app.post_message(events.Key("1", "1"))
            await shown.wait()
            out.append(time.perf_counter() - t0)
    con.close()
    return out


def measure_startup(db: Path, project: str, *, warm: bool, runs: int = 3) -> float:
    """Seconds to the first unit on screen (median of `runs`): see `measure_start`."""
    return measure_start(db, project, warm=warm, runs=runs)[0]


def measure_start(db: Path, project: str, *, warm: bool, runs: int = 3) -> tuple[float, float]:
    """Seconds from running `annotator annotate` to the first unit on screen, and to the
    first key answered (medians of `runs`).

    The real command in a pseudo-terminal (80x24): the first clock stops when the unit's
    text arrives on the terminal; then `?` is typed, and the second stops when the help
    screen it opens arrives (a quick start draws the unit before its session has loaded:
    keys wait for the session). Cold: no remembered queue position (the store's `queueposition`
    rows are cleared first). Warm: the position remembered by the previous session, as on
    every later start.
    """
    import fcntl
    import os
    import pty
    import select
    import struct
    import termios

    home = Path(tempfile.gettempdir()) / f"annotator-bench-ui-home-{project}"
    env = {
        **os.environ,
        "TERM": "xterm-256color",
        "ANNOTATOR_CONFIG": str(home / "config.toml"),
    }
    argv = [sys.executable, "-m", "annotator", "annotate", "--db", str(db), "-p", project]
    argv += ["-a", "bench"]
    marker = b"reckless"  # a word of every unit's text: there once the first unit is drawn
    helped = b"save and go on"  # a line of the help screen
    times = []
    answered = []
    for _ in range(runs):
        if not warm:
            forget = sqlite3.connect(db)
            with forget:
                forget.execute("DELETE FROM queueposition")
            forget.close()
        t0 = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:  # the child: an 80x24 terminal, then the command
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
            os.chdir(ROOT)
            os.execvpe(argv[0], argv, env)
        seen = b""
        try:
            while marker not in seen:
                ready, _, _ = select.select([fd], [], [], 30)
                if not ready:
                    raise SystemExit(f"start-up: no unit on screen after 30 s ({project})")
                seen = seen[-64:] + os.read(fd, 65536)
            times.append(time.perf_counter() - t0)
            os.write(fd, b"?")
            while helped not in seen:
                ready, _, _ = select.select([fd], [], [], 30)
                if not ready:
                    raise SystemExit(f"start-up: no help screen after 30 s ({project})")
                seen = seen[-64:] + os.read(fd, 65536)
            answered.append(time.perf_counter() - t0)
            os.write(fd, b"\x1b")  # the help screen closes (alone: escape + q reads as alt+q)
            time.sleep(0.3)
            os.write(fd, b"q")  # quit: the session remembers its queue position
            deadline = time.time() + 10
            while time.time() < deadline:
                ready, _, _ = select.select([fd], [], [], 0.2)
                if ready:
                    try:
                        os.read(fd, 65536)
                    except OSError:
                        break
                if os.waitpid(pid, os.WNOHANG) != (0, 0):
                    pid = 0
                    break
        finally:
            if pid:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
            os.close(fd)
    return statistics.median(times), statistics.median(answered)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=1_000_000)
    ap.add_argument("--keys", type=int, default=300)
    ap.add_argument("--gap", type=float, default=0.05, help="idle seconds between keys")
    ap.add_argument("--rounds", type=int, default=3, help="floor and apps measured in turn")
    ap.add_argument("--db", type=Path, default=None)
    ap.add_argument("--no-startup", action="store_true", help="skip the start-up timings")
    args = ap.parse_args()
    db = args.db or Path(tempfile.gettempdir()) / f"annotator-bench-ui-v2-{args.units}.db"
    if not db.exists():
        t = time.perf_counter()
        build_store(db, args.units)
        print(f"built {db} in {time.perf_counter() - t:.0f} s")
    con = sqlite3.connect(db)
    for pid, name in ((1, "bias_quick"), (2, "media_bias")):
        n_units = con.execute("SELECT count(*) FROM unit WHERE project_id = ?", (pid,)).fetchone()
        n_ann = con.execute(
            "SELECT count(*) FROM annotation a JOIN unit u ON u.id = a.unit_id "
            "WHERE u.project_id = ?",
            (pid,),
        ).fetchone()
        print(f"store, {name} project: {n_units[0]:,} units, {n_ann[0]:,} annotations")
    con.close()
    # Rounds of floor, bias_quick, media_bias in turn: on a shared machine each figure then
    # sees the same load as the floor it is compared with.
    per_round = max(1, args.keys // args.rounds)
    store_model(db)
    floor: list[float] = []
    runs = [(p, a) for p in ("bias_quick", "media_bias") for a in (False, True)]
    apps: dict[tuple[str, bool], list[float]] = {run: [] for run in runs}
    guessed: dict[tuple[str, bool], int] = dict.fromkeys(runs, 0)
    for _ in range(args.rounds):
        floor += asyncio.run(measure_floor(db, per_round, args.gap))
        for (project, assist), xs in apps.items():
            times, n = asyncio.run(measure_app(db, project, per_round, args.gap, assist))
            xs += times
            guessed[project, assist] += n
    for project in ("bias_quick", "media_bias"):
        set_suggestions(db, project, False)  # as the store was built
    rows = [("floor (write + Static.update)", floor)]
    for (project, assist), xs in apps.items():
        name = f"{project} + assist ({guessed[project, assist]}/{len(xs)} guessed)"
        rows.append((name if assist else project, xs))
    print(f"{'key -> next unit drawn':42} {'p50':>8} {'p95':>8} {'p99':>8}  (ms, gap {args.gap} s)")
    for name, xs in rows:
        ms = [x * 1000 for x in xs]
        print(f"{name:42} {pct(ms, 50):8.2f} {pct(ms, 95):8.2f} {pct(ms, 99):8.2f}")
    p95_floor = pct(floor, 95)
    for name, xs in rows[1:]:
        print(f"{name}: p95 = {pct(xs, 95) / p95_floor:.1f}x floor")
    for project in ("bias_quick", "media_bias") if not args.no_startup else ():
        cold = measure_startup(db, project, warm=False)
        warm = measure_startup(db, project, warm=True)
        print(f"start-up to first unit ({project}): cold {cold:.2f} s, warm {warm:.2f} s")


if __name__ == "__main__":
    main()
