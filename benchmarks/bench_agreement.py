"""Agreement figures on 100k units x 5 annotators (goal: <= 2 s), next to a numpy floor.

    .venv/bin/python benchmarks/bench_agreement.py [--units 100000] [--annotators 5]
        [--varied] [--store [--db FILE]]

Labels are simulated for media_bias.yaml's tasks (bias, opinion, bias_type, biased_words
shown when biased) with annotators who mostly agree. Equal values share one dict, as
`fetch_labels` hands them over. By default the biased words are one of 8 spans, so a project
has ~100 distinct value dicts; `--varied` puts them where each unit's own loaded word is
(annotators of a unit mostly agree) and stores them as the annotate screen does (character
offsets and the words' text), so every biased unit has its own value dicts: the hard case
for the per-distinct-value shortcuts. Timed:

- floor: one numpy pass over the same value matrix (bincount of the bias codes per unit), the
  least any agreement figure must do;
- coding: label columns -> code matrices for every task;
- compute_agreement: every figure of `annotator agreement` (alpha, Fleiss, Cohen matrix,
  percent, per-label alpha, token F1, per-annotator);
- with --store: also writing the labels to a SQLite store and `fetch_labels` reading them back
  (the query the command runs before computing), and `annotator agreement` on that store end
  to end (wall clock of the whole process, Python start-up included), next to the floor.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from annotator.analysis.agreement import compute_agreement
from annotator.analysis.coding import code_task
from annotator.schema import load_schema
from annotator.store.labels_query import ProjectLabels

SCHEMA = Path(__file__).resolve().parents[1] / "schemas" / "media_bias.yaml"


def simulate(units: int, annotators: int, seed: int = 0, varied: bool = False) -> ProjectLabels:
    rng = np.random.default_rng(seed)
    bias_true = rng.random(units) < 0.45
    opinion_true = rng.integers(0, 3, units)
    loaded_word = rng.integers(0, 30, units)
    opinions = ["entirely_factual", "somewhat_factual_but_opinionated", "expresses_writers_opinion"]
    kinds = ["word_choice_labelling", "epistemological", "informational", "other"]
    data = ProjectLabels(
        annotators=[f"annotator{i}" for i in range(annotators)], roles=["annotator"] * annotators
    )
    shared: dict[tuple, dict] = {}
    for a in range(annotators):
        flip = rng.random(units) < 0.15
        biased = bias_true ^ flip
        noisy = np.where(rng.random(units) < 0.25, rng.integers(0, 3, units), opinion_true)
        kind = rng.integers(0, 4, units)
        if varied:
            start = loaded_word + (rng.random(units) < 0.3) * rng.integers(-1, 2, units)
        else:
            start = rng.integers(0, 8, units)
        seconds = rng.gamma(2.0, 3.0, units)
        for u in range(units):
            key = (bool(biased[u]), int(noisy[u]), int(kind[u]), int(start[u]))
            values = shared.get(key) if biased[u] else shared.get(key[:2])
            if values is None:
                values = {
                    "bias": "biased" if biased[u] else "non_biased",
                    "opinion": opinions[noisy[u]],
                }
                if biased[u]:
                    values["bias_type"] = [kinds[kind[u]]]
                    s = max(int(start[u]), 0)
                    span: dict = {"token_start": s, "token_end": s + 2}
                    if varied:  # as the annotate screen stores them: offsets and the words
                        span.update(start=6 * s, end=6 * s + 11, text=f"loaded words {u}")
                    values["biased_words"] = [span]
                if not varied or not biased[u]:
                    shared[key if biased[u] else key[:2]] = values
            data.unit.append(u + 1)
            data.annotator.append(a)
            data.status.append("done")
            data.seconds.append(float(seconds[u]))
            data.values.append(values)
    data.total_units = units
    return data


def timed(label: str, fn, repeat: int = 3):
    best, result = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
    print(f"{label:<38} {best:8.3f} s")
    return result, best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--annotators", type=int, default=5)
    parser.add_argument("--varied", action="store_true", help="biased words differ per unit")
    parser.add_argument("--store", action="store_true", help="also time the store query")
    parser.add_argument(
        "--db",
        type=Path,
        help="with --store: keep the store in this SQLite file (reused when it exists) and "
        "time `annotator agreement --db FILE` end to end",
    )
    args = parser.parse_args()
    schema = load_schema(SCHEMA)
    t = time.perf_counter()
    table = simulate(args.units, args.annotators, varied=args.varied)
    print(
        f"{args.units:,} units x {args.annotators} annotators = {len(table.unit):,} labels "
        f"(simulated in {time.perf_counter() - t:.1f} s)"
    )
    bias = schema.task("bias")
    assert bias is not None
    (coded,) = code_task(table, bias, "nominal", None)
    codes = coded.codes

    def floor():
        given = codes >= 0
        cols = np.broadcast_to(np.arange(codes.shape[1]), codes.shape)[given]
        return np.bincount(cols * 2 + codes[given], minlength=codes.shape[1] * 2)

    _, floor_s = timed("floor: one numpy pass (bias counts)", floor)
    timed(
        "coding: every task -> code matrix",
        lambda: [code_task(table, task, task.agreement, None) for task in schema.tasks],
    )
    report, full = timed(
        "compute_agreement: every figure", lambda: compute_agreement(schema, table), repeat=2
    )
    for task in report.tasks:
        main_fig = task.f1 if task.type == "span" else task.alpha
        value = main_fig.value if main_fig is not None else None
        print(f"  {task.name:<14} {task.level:<9} {value if value is not None else '–'}")
    print(f"goal <= 2 s: {'met' if full <= 2 else 'MISSED'} ({full / floor_s:,.0f}x the floor)")
    if args.store:
        if args.db is not None:
            bench_store(table, schema, args.db, floor_s)
        else:
            with tempfile.TemporaryDirectory() as tmp:
                bench_store(table, schema, Path(tmp) / "bench.db", floor_s)


def write_store(table: ProjectLabels, schema, path: Path) -> int:
    """The simulated labels as a SQLite store at `path`; returns the project id."""
    import json

    from sqlalchemy import text

    from annotator.store.engine import open_store, session_scope
    from annotator.store.projects import create_project

    engine = open_store(f"sqlite:///{path}")
    with session_scope(engine) as session:
        project = create_project(session, "bench", schema)
        pid, version = project.id, project.schema_version_id
    assert pid is not None
    t = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO document (project_id, source_path, title, content_hash, meta, "
                "imported_at) VALUES (:p, 'bench', 'bench', 'h', '{}', '2024-01-01')"
            ),
            {"p": pid},
        )
        units = max(table.unit)
        conn.execute(
            text(
                "INSERT INTO unit (id, project_id, document_id, position, kind, text, "
                "text_hash) VALUES (:id, :p, 1, :id, 'body', 'x', 'h')"
            ),
            [{"id": u, "p": pid} for u in range(1, units + 1)],
        )
        conn.execute(
            text(
                "INSERT INTO annotator (id, name, role, created_at) "
                "VALUES (:id, :n, 'annotator', '2024-01-01')"
            ),
            [{"id": i + 1, "n": n} for i, n in enumerate(table.annotators)],
        )
        conn.execute(
            text(
                'INSERT INTO annotation (unit_id, annotator_id, schema_version_id, "values", '
                "status, seconds, created_at, updated_at) VALUES (:u, :a, :v, :vals, 'done', "
                ":s, '2024-01-01', '2024-01-01')"
            ),
            [
                {"u": u, "a": a + 1, "v": version, "vals": json.dumps(v), "s": s}
                for u, a, v, s in zip(
                    table.unit, table.annotator, table.values, table.seconds, strict=True
                )
            ],
        )
    print(f"(store written in {time.perf_counter() - t:.1f} s)")
    engine.dispose()
    return pid


def bench_store(table: ProjectLabels, schema, path: Path, floor_s: float) -> None:
    from annotator.store.engine import open_store, session_scope
    from annotator.store.labels_query import fetch_labels

    if path.exists():
        print(f"(reusing the store {path}: delete it after changing --units/--varied)")
        pid = 1
    else:
        pid = write_store(table, schema, path)
    engine = open_store(f"sqlite:///{path}")

    def query():
        with session_scope(engine) as session:
            return fetch_labels(session, pid, lists=False)  # as the command reads them

    fetched, q = timed("fetch_labels: the store query", query, repeat=2)
    _, c = timed(
        "compute_agreement on fetched labels",
        lambda: compute_agreement(schema, fetched),
        repeat=1,
    )
    print(f"query + figures: {q + c:.2f} s")
    engine.dispose()
    command = [str(Path(sys.executable).with_name("annotator")), "agreement", "--db", str(path)]

    def run():
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)

    _, e2e = timed("end to end: `annotator agreement`", run, repeat=3)
    verdict = "met" if e2e <= 2 else "MISSED"
    print(f"end to end {e2e:.2f} s (goal <= 2 s: {verdict}); floor {floor_s:.3f} s")


if __name__ == "__main__":
    main()
