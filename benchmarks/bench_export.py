"""Export speed: 10k, 100k and 1M annotations to jsonl, csv and parquet.

Builds a synthetic store per size (3 annotators per unit, 10 units per document), then runs
each export in a fresh process so its peak RSS is its own. Prints annotations/s (the
"records" of the target; jsonl writes a line per unit, csv and parquet one per annotation)
and peak RSS, next to a floor measured in the same run: a bare ``SELECT "values" FROM
annotation`` streamed to /dev/null (what reading the labels costs before any export work).
The machine is shared, so read the rates against that floor.
Targets (issue 5): >= 200,000 records/s, peak RSS <= 300 MB and flat across sizes; with
--gold (`jsonl+gold`, ...) >= 150,000 records/s. From 100k up it also runs the exports with
--gold and --card (`--variants` picks them; `csv+gold+card` is both).

    .venv/bin/python benchmarks/bench_export.py [--sizes 10000,100000,1000000] [--dir DIR]

With ``--labels N`` it times `labels import` instead: N JSONL records (3 annotators per
sentence) into a fresh store, then the same file again (which must change nothing).
Target (issue 5 follow-up): >= 10,000 records/s for the fresh import.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ANNOTATORS = 3
UNITS_PER_DOC = 10
FORMATS = ("jsonl", "csv", "parquet")
# Runs with options (format+option+...), at VARIANT_SIZES and up: gold is what most dataset
# users export, and the card (counts, agreement) rides on the same stream.
VARIANTS = (
    "jsonl+gold",
    "csv+gold",
    "parquet+gold",
    "jsonl+card",
    "csv+card",
    "parquet+card",
    "csv+gold+card",
)
VARIANT_SIZES = 100_000


def build(url: str, annotations: int) -> None:
    from sqlalchemy import insert
    from sqlmodel import Session

    from annotator.schema import builtin_schema
    from annotator.store.engine import open_store
    from annotator.store.models import Annotation, Annotator, Document, Unit
    from annotator.store.projects import create_project

    engine = open_store(url)
    units = annotations // ANNOTATORS
    docs = (units + UNITS_PER_DOC - 1) // UNITS_PER_DOC
    now = datetime.now(UTC)
    with Session(engine) as s:
        proj = create_project(s, "bench", builtin_schema("media_bias"))
        pid, vid = proj.id, proj.schema_version_id
        ids = []
        for name in ("alice", "bob", "carol"):
            a = Annotator(name=name)
            s.add(a)
            s.flush()
            ids.append(a.id)
        chunk = 20_000
        for start in range(0, docs, chunk):
            s.execute(
                insert(Document),
                [
                    {
                        "id": d + 1,
                        "project_id": pid,
                        "title": f"Document {d}",
                        "url": f"https://example.org/{d}",
                        "outlet": ("voa", "bbc", "xinhua")[d % 3],
                        "published": now,
                        "lang": "en",
                        "content_hash": f"{d:064x}",
                        "meta": {},
                        "imported_at": now,
                    }
                    for d in range(start, min(docs, start + chunk))
                ],
            )
        for start in range(0, units, chunk):
            s.execute(
                insert(Unit),
                [
                    {
                        "id": u + 1,
                        "project_id": pid,
                        "document_id": u // UNITS_PER_DOC + 1,
                        "position": u % UNITS_PER_DOC,
                        "kind": "body",
                        "text": f"Sentence {u} says the leaders met brazenly in the capital today.",
                        "text_hash": f"{u:032x}",
                    }
                    for u in range(start, min(units, start + chunk))
                ],
            )
        bias = ("biased", "non_biased")
        opinion = ("entirely_factual", "somewhat_factual_but_opinionated")
        for start in range(0, units, chunk):
            rows = []
            for u in range(start, min(units, start + chunk)):
                for j, aid in enumerate(ids):
                    b = bias[(u + j) % 2]
                    values = {"bias": b, "opinion": opinion[u % 2]}
                    if b == "biased":
                        values["bias_type"] = ["word_choice_labelling"]
                    rows.append(
                        {
                            "unit_id": u + 1,
                            "annotator_id": aid,
                            "schema_version_id": vid,
                            "values": values,
                            "status": "done",
                            "seconds": 3.0,
                            "created_at": now,
                            "updated_at": now,
                        }
                    )
            s.execute(insert(Annotation), rows)
        s.commit()


def floor(url: str) -> None:
    """Child process: the bare read of every annotation's values, written to /dev/null."""
    import sqlite3

    path = url.removeprefix("sqlite:///")
    t0 = time.perf_counter()
    conn = sqlite3.connect(path)
    n = 0
    with open(os.devnull, "w", encoding="utf-8") as sink:
        cur = conn.execute('SELECT "values" FROM annotation')
        while rows := cur.fetchmany(5_000):
            sink.write("\n".join(r[0] for r in rows))
            n += len(rows)
    seconds = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"records": n, "seconds": seconds, "rss_mb": rss}))


def run_one(url: str, fmt: str, out: str) -> None:
    """Child process: one export, then its figures as JSON on stdout."""
    if fmt == "floor":
        floor(url)
        return
    from annotator.export.options import ExportOptions
    from annotator.export.run import export_project
    from annotator.store.engine import open_store
    from annotator.store.projects import get_project

    engine = open_store(url)
    from sqlmodel import Session

    with Session(engine) as s:
        proj = get_project(s, "bench")
    fmt, *options = fmt.split("+")
    opts = ExportOptions(gold="gold" in options, card="card" in options)
    t0 = time.perf_counter()
    result = export_project(engine, proj, fmt, Path(out), opts)
    if result.card is not None:
        result.card.unlink()
    seconds = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"records": result.records, "seconds": seconds, "rss_mb": rss}))


def bench_labels(base: Path, n: int) -> None:
    from sqlmodel import Session

    from annotator.labels import import_labels
    from annotator.schema import builtin_schema
    from annotator.store.engine import open_store
    from annotator.store.projects import create_project

    path = base / f"labels-{n}.jsonl"
    bias = ("biased", "non_biased")
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            unit, who = divmod(i, ANNOTATORS)
            values = {"bias": bias[(unit + who) % 2], "opinion": "entirely_factual"}
            if values["bias"] == "biased":
                values["bias_type"] = ["word_choice_labelling"]
            record = {
                "text": f"Sentence {unit} says the leaders met brazenly in the capital today.",
                "annotator": ("alice", "bob", "carol")[who],
                "values": values,
                "url": f"https://example.org/{unit // UNITS_PER_DOC}",
            }
            fh.write(json.dumps(record) + "\n")
    db = base / f"labels-{n}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    engine = open_store(f"sqlite:///{db}")
    with Session(engine, expire_on_commit=False) as s:
        project = create_project(s, "labels", builtin_schema("media_bias"))
        s.commit()
    for run in ("fresh", "again"):
        t0 = time.perf_counter()
        report = import_labels(engine, project, path)
        seconds = time.perf_counter() - t0
        print(
            f"labels import {run:>5}: {report.records:,} records in {seconds:.2f}s = "
            f"{report.records / seconds:,.0f} records/s ({report.created:,} new, "
            f"{report.unchanged:,} unchanged, {report.failed} bad, "
            f"{report.units_created:,} new units)",
            flush=True,
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--dir", default=None)
    ap.add_argument("--labels", type=int, default=0, help="time labels import of N records")
    ap.add_argument(
        "--variants",
        default=",".join(VARIANTS),
        help=f"runs with options at {VARIANT_SIZES:,} annotations and up ('' for none)",
    )
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    ap.add_argument("--build", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        run_one(*args.child)
        return
    if args.build:
        build(args.build[0], int(args.build[1]))
        return
    variants = [v for v in args.variants.split(",") if v]
    base = Path(args.dir or tempfile.mkdtemp(prefix="bench-export-"))
    base.mkdir(parents=True, exist_ok=True)
    if args.labels:
        bench_labels(base, args.labels)
        return
    print(
        f"{'annotations':>12} {'format':>14} {'records':>9} {'seconds':>8} "
        f"{'records/s':>10} {'x floor':>8} {'peak RSS MB':>12}"
    )
    for size in (int(s) for s in args.sizes.split(",")):
        db = base / f"bench-{size}.db"
        url = f"sqlite:///{db}"
        if not db.exists():
            # In a child: a child's peak RSS starts from its parent's at fork, so the parent
            # stays small.
            t0 = time.perf_counter()
            subprocess.run([sys.executable, __file__, "--build", url, str(size)], check=True)
            print(f"# built {size:,} annotations in {time.perf_counter() - t0:.1f}s", flush=True)
        floor_s = 0.0
        runs = ["floor", *FORMATS, *(variants if size >= VARIANT_SIZES else [])]
        for fmt in runs:
            out = base / f"out-{size}.{fmt.split('+')[0]}"
            proc = subprocess.run(
                [sys.executable, __file__, "--child", url, fmt, str(out)],
                capture_output=True,
                text=True,
                check=True,
            )
            out.unlink(missing_ok=True)
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            floor_s = floor_s or r["seconds"]
            print(
                f"{size:>12,} {fmt:>14} {r['records']:>9,} {r['seconds']:>8.2f} "
                f"{size / r['seconds']:>10,.0f} {r['seconds'] / floor_s:>8.1f} "
                f"{r['rss_mb']:>12.0f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
