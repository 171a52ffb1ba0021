"""What check items cost on the key path: save and next unit, with and without checks.

    .venv/bin/python benchmarks/bench_checks.py [--units 100000] [--keys 300] [--checks 1000]
        [--rate 0.05] [--db-url URL]

Builds a store of N units (documents of 50, the bias_quick schema), then times the
annotate screen's save-and-next (`Annotating.save`, the whole transaction and the read of
the next unit) for `--keys` labels by one annotator: first with no check items, then, on a
second annotator, with `--checks` check units spread over the corpus at `--rate`. Next to
them, in the same run, a floor: a bare sqlite3 INSERT and COMMIT per key into a table of the
same file (SQLite only). Prints p50/p95/p99 in milliseconds.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def build(url: str, units: int):
    from sqlmodel import Session

    from annotator.ingest.model import ParsedDocument, ParsedUnit
    from annotator.schema import builtin_schema
    from annotator.store.annotators import get_or_create_annotator
    from annotator.store.documents import add_documents
    from annotator.store.engine import open_store, session_scope
    from annotator.store.projects import create_project
    from annotator.tui.launch import StoreContext

    engine = open_store(url)
    schema = builtin_schema("bias_quick")
    with Session(engine, expire_on_commit=False) as s:
        proj = create_project(s, "bench", schema)
        s.commit()
    per_doc = 50
    batch = []
    for d in range(units // per_doc):
        batch.append(
            ParsedDocument(
                title=f"Story {d}",
                units=[
                    ParsedUnit("body", f"Sentence {d}-{i} of the story.") for i in range(per_doc)
                ],
                source_path=f"{d}.md",
                lang="en",
            )
        )
        if len(batch) == 500:
            with Session(engine) as s:
                add_documents(s, proj.id, batch)
                s.commit()
            batch = []
    if batch:
        with Session(engine) as s:
            add_documents(s, proj.id, batch)
            s.commit()
    with session_scope(engine) as s:
        for name in ("plain", "checked"):
            get_or_create_annotator(s, name)
    return StoreContext(engine, proj.id, "bench", schema, proj.schema_version_id)


def person(ctx, name: str) -> int:
    from annotator.store.annotators import get_or_create_annotator
    from annotator.store.engine import session_scope

    with session_scope(ctx.engine) as s:
        return get_or_create_annotator(s, name).id


def time_saves(ctx, name: str, keys: int) -> tuple[list[float], int]:
    from annotator.tui.controller import Annotating

    session = Annotating(ctx, annotator_id=person(ctx, name), annotator_name=name)
    view = session.open_first()
    times, checks_seen = [], 0
    for _ in range(keys):
        assert view is not None
        checks_seen += session.queue.check
        start = time.perf_counter()
        view = session.save({"bias": "biased"})
        times.append((time.perf_counter() - start) * 1000)
    return times, checks_seen


def floor(path: Path, keys: int) -> list[float]:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE IF NOT EXISTS floor_bench (id INTEGER PRIMARY KEY, v TEXT)")
    times = []
    for i in range(keys):
        start = time.perf_counter()
        conn.execute("BEGIN")
        conn.execute("INSERT INTO floor_bench (v) VALUES (?)", (f'{{"bias": "{i}"}}',))
        conn.execute("COMMIT")
        times.append((time.perf_counter() - start) * 1000)
    conn.close()
    return times


def summary(label: str, times: list[float]) -> str:
    q = statistics.quantiles(times, n=100)
    return f"{label:<34} p50 {q[49]:6.2f}  p95 {q[94]:6.2f}  p99 {q[98]:6.2f} ms"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, default=100_000)
    ap.add_argument("--keys", type=int, default=300)
    ap.add_argument("--checks", type=int, default=1_000)
    ap.add_argument("--rate", type=float, default=0.05)
    ap.add_argument("--db-url", default=None, help="a PostgreSQL URL (default: a SQLite file)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        url = args.db_url or f"sqlite:///{path}"
        started = time.perf_counter()
        ctx = build(url, args.units)
        print(f"built {args.units:,} units in {time.perf_counter() - started:.1f} s")
        from sqlalchemy import text

        from annotator.store import checks
        from annotator.store.engine import session_scope

        plain, _ = time_saves(ctx, "plain", args.keys)
        step = max(1, args.units // args.checks)
        with session_scope(ctx.engine) as s:
            ids = [r[0] for r in s.execute(text("SELECT id FROM unit ORDER BY id"))]
            items = [checks.NewCheck(u, {"bias": "biased"}) for u in ids[::step][: args.checks]]
            checks.add_checks(s, ctx.project_id, items, source=checks.IMPORTED)
            checks.change_settings(s, ctx.project_id, rate=args.rate)
        checked, seen = time_saves(ctx, "checked", args.keys)
        print(summary("save + next, no check items", plain))
        print(summary(f"save + next, {len(items):,} checks at {args.rate:.0%}", checked))
        print(f"  ({seen} of {args.keys} units handed out were checks)")
        if args.db_url is None:
            print(summary("floor: bare sqlite3 insert+commit", floor(path, args.keys)))


if __name__ == "__main__":
    main()
