"""A team at work: key -> next unit loaded for 8 annotators at once, next to one alone.

    .venv/bin/python benchmarks/bench_team.py [--units 1000000] [--people 8] [--keys 300]
        [--gap 0.1] [--rounds 2] [--stores sqlite,postgresql] [--db PATH] [--pg URL] [--keep]
        [--statements]

Builds (once, reused if present) a store of N units in documents of 50 for the `bias_quick`
schema (overlap 1), the first half of them already labelled by an earlier annotator: on SQLite
a file under the temp dir (`--db`), on PostgreSQL its own schema of `--pg` (default
$ANNOTATOR_TEST_PG_URL or postgresql+psycopg://postgres@127.0.0.1:5432/test), filled with COPY
and dropped at the end unless `--keep` (then reused by the next run). Each run first takes the
store back to that state (the benchmark annotators' labels, leases and queue positions go).

Then, per store, `--people` real processes (multiprocessing spawn, started together with an
Event) drive the controller the annotate screen uses (`Annotating`): `open_first`, then per key
`save({"bias": ...})`, which commits the label, finds and leases the next unit and loads it.
The clock (time.perf_counter) runs around `save` only: key -> next unit loaded, not drawn
(bench_ui.py measures the drawing). Between keys, as the screen does once a unit is drawn,
`read_ahead` loads the likely next unit, and then the annotator "thinks" for `--gap` seconds
(±50% jitter). 0.1 s is a fast typist's pace; people labelling sentences take 1-3 s per key,
so the contention here is several times what a real team makes. `--gap 0` runs flat out: a
stress figure, not what anyone will feel.

Each round (`--rounds`, keys split between them, so that on a shared machine the figures and
their references see the same load) has four phases, each started by all processes together:
one annotator alone doing bare INSERT + commit per key into a scratch table of the same store
(the database's own floor), the same annotator labelling, then the whole team doing the bare
INSERT, then the whole team labelling. The table puts each team figure next to the
single-annotator one from the same run. At the end the store is checked: done labels per unit
never above the overlap (1), no unit labelled or shown to two people, every confirmed save in
the store, no errors, no lease left behind.
`--statements` adds, per store, where the saves' time goes: each SQL statement run inside
`save` (as SQLAlchemy sends it, count and milliseconds per key), alone and in the team.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PROJECT = "bias_quick"
PER_DOC = 50
LABELLED = 0.5  # the share of units an earlier annotator has done
SENTENCE = "The senator's reckless plan would gut funding for schools, critics said on Tuesday."
NOW = "2026-01-01 00:00:00"
PG_ENV = "ANNOTATOR_TEST_PG_URL"
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TARGET_P95_MS = {"sqlite": 16.0, "postgresql": 25.0}
TARGET_RATIO = 1.5
SOLO, TEAM = "solo", "team"
SOLO_NAME = "bench-solo"


def team_name(i: int) -> str:
    return f"bench-team{i}"


# --- building the store ----------------------------------------------------------------


def create_project(url: str) -> None:
    """Tables (by the migrations), the project and its schema version, through the app."""
    from annotator.schema import builtin_schema
    from annotator.store.engine import open_store, session_scope
    from annotator.store.projects import create_project

    engine = open_store(url)
    with session_scope(engine) as s:
        create_project(s, PROJECT, builtin_schema(PROJECT))
    engine.dispose()


def build_sqlite(path: Path, units: int) -> None:
    create_project(f"sqlite:///{path}")
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    pid, sv = con.execute("SELECT id, schema_version_id FROM project").fetchone()
    docs = units // PER_DOC
    con.executemany(
        "INSERT INTO document (project_id, source_path, title, outlet, content_hash, meta, "
        "imported_at) VALUES (?, '', ?, 'VOA', ?, '{}', ?)",
        ((pid, f"Story {d}", f"doc-{d}", NOW) for d in range(docs)),
    )
    first_doc = con.execute("SELECT min(id) FROM document").fetchone()[0]
    con.executemany(
        "INSERT INTO unit (project_id, document_id, position, kind, text, text_hash) "
        "VALUES (?, ?, ?, 'body', ?, ?)",
        (
            (pid, first_doc + i // PER_DOC, i % PER_DOC, f"{SENTENCE} #{i}", f"u-{i}")
            for i in range(docs * PER_DOC)
        ),
    )
    con.execute(
        "INSERT INTO annotator (name, role, created_at) VALUES ('earlier', 'annotator', ?)",
        (NOW,),
    )
    earlier = con.execute("SELECT id FROM annotator WHERE name = 'earlier'").fetchone()[0]
    lo = con.execute("SELECT min(id) FROM unit").fetchone()[0]
    con.executemany(
        'INSERT INTO annotation (unit_id, annotator_id, schema_version_id, "values", status, '
        "seconds, created_at, updated_at) "
        "VALUES (?, ?, ?, '{\"bias\": \"biased\"}', 'done', 3.0, ?, ?)",
        ((lo + i, earlier, sv, NOW, NOW) for i in range(int(LABELLED * docs * PER_DOC))),
    )
    con.commit()
    con.execute("ANALYZE")
    con.commit()
    con.close()


def pg_schema_url(base: str, schema: str) -> str:
    """`base` with every connection's search_path set to `schema` (as tests/conftest.py)."""
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options={quote(f'-csearch_path={schema}')}"


def pg_admin(base: str, sql: str) -> object:
    import sqlalchemy as sa

    admin = sa.create_engine(base)
    try:
        with admin.begin() as conn:
            result = conn.execute(sa.text(sql))
            return result.scalar() if result.returns_rows else None
    finally:
        admin.dispose()


def build_pg(url: str, units: int) -> None:
    """Tables by the migrations, then COPY (through psycopg's own connection) for the rows."""
    import sqlalchemy as sa

    create_project(url)
    engine = sa.create_engine(url)
    raw = engine.raw_connection()
    con = raw.driver_connection  # psycopg.Connection
    assert con is not None
    docs = units // PER_DOC
    with con.cursor() as cur:
        # The rows are right by construction: no foreign-key triggers per row (a superuser
        # setting; without the right the build only takes longer).
        with contextlib.suppress(Exception), con.transaction():
            cur.execute("SET session_replication_role = replica")
        pid, sv = cur.execute("SELECT id, schema_version_id FROM project").fetchone()
        cols = "project_id, source_path, title, outlet, content_hash, meta, imported_at"
        with cur.copy(f"COPY document ({cols}) FROM STDIN") as cp:
            for d in range(docs):
                cp.write_row((pid, "", f"Story {d}", "VOA", f"doc-{d}", "{}", NOW))
        first_doc, n_docs = cur.execute("SELECT min(id), count(*) FROM document").fetchone()
        assert n_docs == docs
        cols = "project_id, document_id, position, kind, text, text_hash"
        with cur.copy(f"COPY unit ({cols}) FROM STDIN") as cp:
            for i in range(docs * PER_DOC):
                row = (pid, first_doc + i // PER_DOC, i % PER_DOC, "body", f"{SENTENCE} #{i}")
                cp.write_row((*row, f"u-{i}"))
        earlier = cur.execute(
            "INSERT INTO annotator (name, role, created_at) VALUES ('earlier', 'annotator', %s) "
            "RETURNING id",
            (NOW,),
        ).fetchone()[0]
        lo = cur.execute("SELECT min(id) FROM unit").fetchone()[0]
        cols = 'unit_id, annotator_id, schema_version_id, "values", status, seconds, '
        cols += "created_at, updated_at"
        value = '{"bias": "biased"}'
        with cur.copy(f"COPY annotation ({cols}) FROM STDIN") as cp:
            for i in range(int(LABELLED * docs * PER_DOC)):
                cp.write_row((lo + i, earlier, sv, value, "done", 3.0, NOW, NOW))
    con.commit()
    # What autovacuum would have done by the time a team works on the store: statistics for
    # the planner, and the visibility map that lets the queue's probes stay in the indexes.
    con.autocommit = True
    con.execute("VACUUM ANALYZE")
    raw.close()
    engine.dispose()


def prepare(url: str, people: int) -> dict[str, int]:
    """The store as built: the benchmark annotators exist, with no labels, leases or queue
    positions; an empty scratch table for the floor. Returns their ids by name."""
    from sqlalchemy import bindparam, text

    from annotator.store.annotators import get_or_create_annotator
    from annotator.store.engine import make_engine, session_scope

    engine = make_engine(url)
    names = [SOLO_NAME] + [team_name(i) for i in range(people)]
    with session_scope(engine) as s:
        ids = {n: get_or_create_annotator(s, n).id for n in names}
        bench = {"ids": list(ids.values())}
        # (The audit events stay: the store keeps them append-only, and nothing here reads them.)
        for table in ("annotation", "lease", "queueposition"):
            drop = text(f"DELETE FROM {table} WHERE annotator_id IN :ids")
            s.execute(drop.bindparams(bindparam("ids", expanding=True)), bench)
        s.execute(text("DELETE FROM lease"))  # nobody else works on a benchmark store
        s.execute(text("DROP TABLE IF EXISTS bench_floor"))
        key = "INTEGER PRIMARY KEY" if engine.dialect.name == "sqlite" else "BIGSERIAL PRIMARY KEY"
        s.execute(text(f"CREATE TABLE bench_floor (id {key}, who INTEGER, v TEXT)"))
    engine.dispose()
    return {n: int(i) for n, i in ids.items() if i is not None}


def describe(url: str) -> tuple[int, int]:
    from sqlalchemy import text

    from annotator.store.engine import make_engine

    engine = make_engine(url)
    with engine.connect() as c:
        n_units = c.execute(text("SELECT count(*) FROM unit")).scalar_one()
        n_ann = c.execute(text("SELECT count(*) FROM annotation")).scalar_one()
    engine.dispose()
    return n_units, n_ann


# --- one annotator's process -----------------------------------------------------------


def worker(
    index: int,
    url: str,
    plan: list[tuple[str, str, int]],
    gap: float,
    statements: bool,
    ready,
    start,
    barrier,
    out: str,
) -> None:
    """One person (index 0 is also the annotator who works alone) following `plan`: phases
    (kind, who, keys), each begun and ended together with the others at `barrier`."""
    from annotator.tui.controller import Annotating
    from annotator.tui.launch import load_context

    ctx = load_context(db=url, project=PROJECT)
    from annotator.store.annotators import get_or_create_annotator
    from annotator.store.engine import session_scope

    names = {SOLO: SOLO_NAME, TEAM: team_name(index)}
    with session_scope(ctx.engine) as s:
        ids = {who: get_or_create_annotator(s, n).id for who, n in names.items()}
    rng = random.Random(1000 + index)
    raw = ctx.engine.raw_connection()  # the floor: the DB-API connection, no SQLAlchemy
    mark = "?" if ctx.engine.dialect.name == "sqlite" else "%s"
    floor_sql = f"INSERT INTO bench_floor (who, v) VALUES ({mark}, {mark})"
    res: dict = {"times": {}, "spans": {}, "open": {}, "shown": {}, "saved": {}, "errors": []}

    def think() -> float:
        return gap * rng.uniform(0.5, 1.5)

    # who -> statement -> [count, seconds], inside saves only
    stmts: dict[str, dict[str, list[float]]] = {}
    recording: list[str | None] = [None]
    if statements:
        from sqlalchemy import event

        @event.listens_for(ctx.engine, "before_cursor_execute")
        def _before(conn, cursor, sql, params, context, many) -> None:
            conn.info["bench_t0"] = time.perf_counter()

        @event.listens_for(ctx.engine, "after_cursor_execute")
        def _after(conn, cursor, sql, params, context, many) -> None:
            t0 = conn.info.pop("bench_t0", None)
            if recording[0] is not None and t0 is not None:
                per = stmts.setdefault(recording[0], {})
                entry = per.setdefault(" ".join(sql.split())[:160], [0, 0.0])
                entry[0] += 1
                entry[1] += time.perf_counter() - t0

    ready.put(index)
    start.wait()
    for phase, (kind, who, keys) in enumerate(plan):
        barrier.wait()
        times = res["times"].setdefault(f"{kind}:{who}", [])
        spans = res["spans"].setdefault(f"{kind}:{who}", [])
        if (who == TEAM or index == 0) and kind == "floor":
            cur = raw.cursor()
            for k in range(keys):
                time.sleep(think())
                t0 = time.perf_counter()
                cur.execute(floor_sql, (ids[who], f"{phase}-{k}"))
                raw.commit()
                times.append(time.perf_counter() - t0)
            cur.close()
        elif (who == TEAM or index == 0) and kind == "keys":
            # A session: start (the team together), label, leave (let go of the shown unit),
            # so that whoever works alone next is really alone.
            ann = Annotating(ctx, annotator_id=ids[who], annotator_name=names[who])
            t0 = time.perf_counter()
            first = ann.open_first()
            res["open"].setdefault(who, []).append(time.perf_counter() - t0)
            shown = [first.unit_id if first else None]  # this session's units, in turn
            res["shown"].setdefault(names[who], []).append(shown)
            saved = res["saved"].setdefault(names[who], [])
            began = time.monotonic()
            for _ in range(keys):
                view = ann.view
                if view is None:
                    res["errors"].append(f"{names[who]}: queue empty")
                    break
                t_shown = time.perf_counter()
                # What the screen does once the unit is drawn (a guess: never an error).
                with contextlib.suppress(Exception):
                    ann.read_ahead()
                time.sleep(max(0.0, think() - (time.perf_counter() - t_shown)))
                value = rng.choice(["biased", "non_biased"])
                for _attempt in range(3):  # a person would press the key again
                    recording[0] = who
                    t0 = time.perf_counter()
                    try:
                        nxt = ann.save({"bias": value})
                    except Exception as exc:  # SQLAlchemyError, LeaseLost: the screen says so
                        res["errors"].append(f"{names[who]}: {type(exc).__name__}: {exc}"[:300])
                        continue
                    finally:
                        recording[0] = None
                    times.append(time.perf_counter() - t0)
                    saved.append([view.unit_id, value])
                    shown.append(nxt.unit_id if nxt else None)
                    break
            spans.append([began, time.monotonic()])
            ann.leave()
        barrier.wait()
    res["statements"] = stmts
    raw.close()
    Path(out).write_text(json.dumps(res))


# --- the run ---------------------------------------------------------------------------


def make_plan(keys: int, rounds: int) -> list[tuple[str, str, int]]:
    plan: list[tuple[str, str, int]] = []
    for r in range(rounds):
        n = keys // rounds + (1 if r < keys % rounds else 0)
        plan += [("floor", SOLO, n), ("keys", SOLO, n), ("floor", TEAM, n), ("keys", TEAM, n)]
    return plan


def run_team(url: str, args: argparse.Namespace, workdir: Path) -> dict:
    spawn = multiprocessing.get_context("spawn")
    ready, start = spawn.Queue(), spawn.Event()
    barrier = spawn.Barrier(args.people + 1, timeout=1800)
    plan = make_plan(args.keys, args.rounds)
    procs, outs = [], []
    for i in range(args.people):
        out = workdir / f"worker{i}.json"
        out.unlink(missing_ok=True)
        outs.append(out)
        a = (i, url, plan, args.gap, args.statements, ready, start, barrier, str(out))
        p = spawn.Process(target=worker, args=a)
        p.start()
        procs.append(p)
    for _ in procs:
        ready.get(timeout=300)  # every process has imported, connected and looked itself up
    time.sleep(0.5)
    load_before = os.getloadavg()
    start.set()
    during = []
    for _ in plan:
        barrier.wait()  # the phase starts for everyone at once
        barrier.wait()  # ... and ends when the last one is done
        during.append(os.getloadavg()[0])
    load_after = os.getloadavg()
    for p in procs:
        p.join(timeout=120)
        if p.exitcode != 0:
            raise SystemExit(f"a worker died (exit {p.exitcode})")
    return {
        "results": [json.loads(o.read_text()) for o in outs],
        "load": (load_before, load_after),
        "load_during": during,
    }


def check(url: str, results: list[dict]) -> dict[str, int]:
    """Counts that must all be 0 at overlap 1."""
    from sqlalchemy import text

    from annotator.store.engine import make_engine

    engine = make_engine(url)
    with engine.connect() as c:
        over = c.execute(
            text(
                "SELECT count(*) FROM (SELECT unit_id FROM annotation WHERE status = 'done' "
                "GROUP BY unit_id HAVING count(*) > 1) AS x"
            )
        ).scalar_one()
        twice = c.execute(
            text(
                "SELECT count(*) FROM (SELECT unit_id FROM annotation GROUP BY unit_id "
                "HAVING count(DISTINCT annotator_id) > 1) AS x"
            )
        ).scalar_one()
        rows = c.execute(
            text(
                'SELECT a.unit_id, n.name, a."values" FROM annotation a JOIN annotator n '
                "ON n.id = a.annotator_id WHERE n.name LIKE 'bench-%'"
            )
        ).all()
        leases_left = c.execute(text("SELECT count(*) FROM lease")).scalar_one()
    engine.dispose()
    in_store = {(u, n): v if isinstance(v, dict) else json.loads(v) for u, n, v in rows}
    saved = [(u, n, v) for r in results for n, xs in r["saved"].items() for u, v in xs]
    lost = sum(1 for u, n, v in saved if in_store.get((u, n)) != {"bias": v})
    seen: dict[int, set[str]] = {}
    for r in results:
        for n, sessions in r["shown"].items():
            for xs in sessions:
                for u in xs[:-1]:  # the last one was let go, unlabelled, when the session ended
                    if u is not None:
                        seen.setdefault(u, set()).add(n)
    return {
        "labels saved (confirmed)": len(saved),
        "bench labels in store": len(rows),
        "confirmed saves lost": lost,
        "units with done labels above overlap 1": over,
        "units labelled by two annotators": twice,
        "units held by two annotators": sum(1 for ns in seen.values() if len(ns) > 1),
        "errors": sum(len(r["errors"]) for r in results),
        "leases left after leaving": leases_left,
    }


# --- figures ---------------------------------------------------------------------------


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))] if xs else float("nan")


def report(label: str, dialect: str, run: dict, counts: dict[str, int], args) -> None:
    results = run["results"]
    gap = f"gap {args.gap} s ±50%" if args.gap else "gap 0: FLAT OUT, a stress figure"

    def ms(kind: str, who: str, only: int | None = None) -> list[float]:
        rs = results if only is None else [results[only]]
        return [x * 1000 for r in rs for x in r["times"].get(f"{kind}:{who}", [])]

    solo = ms("keys", SOLO, 0)
    rows: list[tuple[str, list[float]]] = [("one annotator alone", solo)]
    rows += [
        (f"  {team_name(i)} (of {args.people})", ms("keys", TEAM, i)) for i in range(args.people)
    ]
    team = ms("keys", TEAM)
    rows.append((f"team: {args.people} at once", team))
    floor_solo, floor_team = ms("floor", SOLO, 0), ms("floor", TEAM)
    rows += [("floor: INSERT+commit, alone", floor_solo)]
    rows += [(f"floor: INSERT+commit, {args.people} at once", floor_team)]
    print(f"\n{label}: key -> next unit loaded (Annotating.save), ms; {gap}")
    head = f"{'':38} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7} {'keys':>5}  p50/p95/p99 vs alone"
    print(head)
    s50, s95, s99 = pct(solo, 50), pct(solo, 95), pct(solo, 99)
    f50, f95, f99 = pct(floor_solo, 50), pct(floor_solo, 95), pct(floor_solo, 99)
    for name, xs in rows:
        p50, p95, p99 = pct(xs, 50), pct(xs, 95), pct(xs, 99)
        ref = (f50, f95, f99) if name.startswith("floor") else (s50, s95, s99)
        ratio = f"{p50 / ref[0]:5.2f}x {p95 / ref[1]:5.2f}x {p99 / ref[2]:5.2f}x"
        mx = max(xs) if xs else float("nan")
        print(f"{name:38} {p50:7.2f} {p95:7.2f} {p99:7.2f} {mx:7.1f} {len(xs):5d}  {ratio}")

    def rate(who: str) -> float:
        """Labels per second while labelling: first key of a round to its last save."""
        n_rounds = len(results[0]["spans"][f"keys:{who}"])
        wall = 0.0
        for k in range(n_rounds):
            spans = [r["spans"][f"keys:{who}"][k] for r in results if r["spans"][f"keys:{who}"]]
            wall += max(e for _, e in spans) - min(b for b, _ in spans)
        return len(ms("keys", who)) / wall

    solo_rate, team_rate = rate(SOLO), rate(TEAM)
    print(
        f"labels per second: team {team_rate:.1f} ({args.people} people), alone {solo_rate:.1f}"
        f" (a person at 1-3 s per key: 0.3-1)"
    )
    cold = [r["open"][TEAM][0] * 1000 for r in results]
    warm = [x * 1000 for r in results for x in r["open"][TEAM][1:]]
    solo_open = results[0]["open"][SOLO]
    line = (
        f"open_first, cold (scans past {LABELLED:.0%} labelled): alone {solo_open[0] * 1000:.0f}"
        f" ms, team median {statistics.median(cold):.0f} ms, max {max(cold):.0f} ms"
    )
    if warm:
        line += (
            f"; warm (position from the store): alone {solo_open[1] * 1000:.0f} ms, team median "
            f"{statistics.median(warm):.0f} ms, max {max(warm):.0f} ms"
        )
    print(line)
    (b1, b5, b15), (a1, a5, a15) = run["load"]
    print(
        f"load average (1/5/15 min) before: {b1:.2f} {b5:.2f} {b15:.2f}; "
        f"after: {a1:.2f} {a5:.2f} {a15:.2f}; 1-min at each phase end: "
        f"{' '.join(f'{x:.1f}' for x in run['load_during'])}  ({os.cpu_count()} cores)"
    )
    target = TARGET_P95_MS[dialect]
    t95 = pct(team, 95)
    ok1 = "met" if t95 <= target else "MISSED"
    ok2 = "met" if t95 <= TARGET_RATIO * s95 else "MISSED"
    print(
        f"targets: team p95 {t95:.2f} ms <= {target:.0f} ms: {ok1}; "
        f"team p95 <= {TARGET_RATIO}x alone ({TARGET_RATIO * s95:.2f} ms): {ok2}"
    )
    print("correctness: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    if args.statements:
        for who, keys in ((SOLO, solo), (TEAM, team)):
            acc: dict[str, list[float]] = {}
            for r in results:
                for sql, (n, secs) in r.get("statements", {}).get(who, {}).items():
                    old = acc.setdefault(sql, [0, 0.0])
                    old[0] += n
                    old[1] += secs
            total = sum(keys)
            spent = sum(secs for _, secs in acc.values()) * 1000
            count = sum(n for n, _ in acc.values())
            print(
                f"statements in the saves ({who}): {count / len(keys):.1f} per key taking "
                f"{spent / len(keys):.2f} ms of the mean {total / len(keys):.2f} ms "
                "(the rest: commit, Python, waiting for a CPU)"
            )
            top = sorted(acc.items(), key=lambda kv: -kv[1][1])[:12]
            for sql, (n, secs) in top:
                print(f"  {secs * 1000 / len(keys):7.2f} ms/key {n / len(keys):5.2f}x  {sql[:110]}")
    errors = [e for r in results for e in r["errors"]]
    for e in errors[:5]:
        print(f"  error: {e}")


# --- main ------------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--units", type=int, default=1_000_000)
    ap.add_argument("--people", type=int, default=8)
    ap.add_argument("--keys", type=int, default=300, help="keys per annotator")
    ap.add_argument("--gap", type=float, default=0.1, help="think time between keys, ±50%%")
    ap.add_argument("--rounds", type=int, default=2, help="floor, alone and team in turn")
    ap.add_argument("--stores", default="sqlite,postgresql")
    ap.add_argument("--db", type=Path, default=None, help="the SQLite file")
    ap.add_argument("--pg", default=os.environ.get(PG_ENV) or PG_DEFAULT)
    ap.add_argument(
        "--statements", action="store_true", help="time each SQL statement of the saves"
    )
    ap.add_argument("--keep", action="store_true", help="keep the PostgreSQL schema for reuse")
    args = ap.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-team-"))
    print(
        f"bench_team: {args.people} annotators, {args.keys} keys each, gap {args.gap} s, "
        f"{args.rounds} rounds, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}"
    )
    for store in args.stores.split(","):
        t = time.perf_counter()
        if store == "sqlite":
            db = args.db or Path(tempfile.gettempdir()) / f"annotator-bench-team-{args.units}.db"
            url, label, schema = f"sqlite:///{db}", f"SQLite {db}", None
            if not db.exists():
                build_sqlite(db, args.units)
                print(f"built {db} in {time.perf_counter() - t:.0f} s")
        elif store == "postgresql":
            schema = f"bench_team_{args.units}"
            url, label = pg_schema_url(args.pg, schema), f"PostgreSQL {args.pg} schema {schema}"
            try:
                have = pg_admin(
                    args.pg,
                    f"SELECT count(*) FROM information_schema.tables WHERE table_schema = "
                    f"'{schema}' AND table_name = 'bench_floor'",
                )
            except Exception as exc:
                print(f"PostgreSQL at {args.pg} does not answer ({type(exc).__name__}): skipped")
                continue
            if not have:  # absent, or a build that did not finish
                pg_admin(args.pg, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
                pg_admin(args.pg, f'CREATE SCHEMA "{schema}"')
                build_pg(url, args.units)
                print(f"built schema {schema} in {time.perf_counter() - t:.0f} s")
        else:
            raise SystemExit(f"unknown store {store!r} (sqlite, postgresql)")
        try:
            prepare(url, args.people)
            n_units, n_ann = describe(url)
            print(f"\n{label}: {n_units:,} units, {n_ann:,} labels before the run")
            run = run_team(url, args, workdir)
            counts = check(url, run["results"])
            report(label, "sqlite" if store == "sqlite" else "postgresql", run, counts, args)
        finally:
            if schema and not args.keep:
                pg_admin(args.pg, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


if __name__ == "__main__":
    main()
