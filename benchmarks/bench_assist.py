"""Assistance, by simulation on BABE SG2: replay its annotation through the real queue, save
path and training, with the model retrained every K labels.

    .venv/bin/python benchmarks/bench_assist.py [--k 100] [--seeds 2] [--limit N]
        [--targets 0.70,0.72] [--data ../shared/datasets/babe/final_labels_SG2.csv]
        [--svg docs/assist_curve.svg]

SG2's final labels (bias: biased / non-biased; "No agreement" left out) play the annotator.
A fifth of the sentences (seeded) is held out; the rest are units of a bias_quick project in
a SQLite store. Each replay opens an annotation session (`Annotating`, as the screen does)
with suggestions on, labels the unit shown with its SG2 label, and every K labels runs
`annotator model train`'s code. It reports:

(a) suggestion accuracy and macro-F1 of the guesses shown, against the labels then given,
    per K labels, as a function of labels seen (sequential order);
(b) `--order uncertain` vs `--order random` (and sequential): held-out macro-F1 after each
    training, and the labels needed to reach each target F1 (median over seeds);
(c) training time, and the save path per key without suggestions (the floor, measured in the
    same run) and with them: p50/p95 of save + next unit, and of the added suggestion.

The learning curves go to an SVG (no plotting library: a few lines of SVG by hand).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "datasets" / "babe" / "final_labels_SG2.csv"
VALUES = {"Biased": "biased", "Non-biased": "non_biased"}


def read_sg2(path: Path) -> list[tuple[str, str]]:
    if not path.is_file():
        sys.exit(
            f"{path}: not found. The simulation needs BABE's final_labels_SG2.csv (local only, "
            "never in the repository): pass --data PATH"
        )
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = csv.DictReader(f, delimiter=";")
        if not rows.fieldnames or not {"text", "label_bias"} <= set(rows.fieldnames):
            sys.exit(f"{path}: expected BABE's columns text;...;label_bias;...")
        seen: set[str] = set()
        out = []
        for row in rows:
            text, value = row["text"].strip(), VALUES.get(row["label_bias"])
            if value and text and text not in seen:  # "No agreement" has no label to replay
                seen.add(text)
                out.append((text, value))
    return out


def build_store(path: Path, texts: list[str]):
    from annotator.schema import builtin_schema
    from annotator.store.engine import open_store, session_scope
    from annotator.store.models import Document, Unit
    from annotator.store.projects import create_project

    engine = open_store(f"sqlite:///{path}")
    with session_scope(engine) as s:
        proj = create_project(s, "sg2", builtin_schema("bias_quick"))
        doc = Document(project_id=proj.id, title="SG2", content_hash="sg2")
        s.add(doc)
        s.flush()
        s.add_all(
            Unit(
                project_id=proj.id,
                document_id=doc.id,
                position=i,
                kind="body",
                text=t,
                text_hash=str(i),
            )
            for i, t in enumerate(texts)
        )
    engine.dispose()


@dataclass
class Run:
    order: str
    seed: int
    curve: list[tuple[int, float]] = field(default_factory=list)  # (labels, held-out F1)
    windows: list[tuple[int, float, float]] = field(default_factory=list)  # (labels, acc, F1)
    train_seconds: list[float] = field(default_factory=list)
    save_ms: list[float] = field(default_factory=list)  # save + next unit, no suggestion
    suggest_ms: list[float] = field(default_factory=list)  # the suggestion for a unit
    key_ms: list[float] = field(default_factory=list)  # a save, then the next unit's suggestion
    floor_ms: list[float] = field(default_factory=list)  # the same keys' saves alone
    # CPU time of this thread (preemption by other processes left out): the cost itself.
    suggest_cpu_ms: list[float] = field(default_factory=list)
    save_cpu_ms: list[float] = field(default_factory=list)

    def labels_to(self, target: float) -> int | None:
        return next((n for n, f1 in self.curve if f1 >= target), None)


def replay(
    store: Path, gold: dict[str, str], held: list[tuple[str, str]], args, order: str, seed: int
) -> Run:
    from sqlalchemy import text

    from annotator.assist.metrics import accuracy, macro_f1
    from annotator.assist.suggest import Suggester
    from annotator.assist.train import train_project
    from annotator.schema import builtin_schema
    from annotator.store import assist_models
    from annotator.store.annotators import get_or_create_annotator
    from annotator.store.engine import open_store, session_scope
    from annotator.tui.controller import Annotating
    from annotator.tui.launch import StoreContext

    engine = open_store(f"sqlite:///{store}")
    schema = builtin_schema("bias_quick")
    with session_scope(engine) as s:
        who = get_or_create_annotator(s, "sim").id
        pid = s.execute(text("SELECT id, schema_version_id FROM project")).one()
        assist_models.change_settings(s, pid[0], suggestions=True, explore=args.explore)
    ctx = StoreContext(engine, pid[0], "sg2", schema, pid[1])
    run = Run(order, seed)
    session = Annotating(ctx, annotator_id=who, annotator_name="sim", order=order, seed=seed)
    view = session.open_first()
    session.suggester = None  # loaded below after each training, in this thread
    held_texts, held_truth = [x for x, _ in held], [y for _, y in held]
    shown: list[tuple[str, str]] = []  # (suggestion, label) since the last training
    labels = 0
    while view is not None and labels < args.limit:
        value = gold[view.text]
        c0, t0 = time.thread_time(), time.perf_counter()
        suggestions = session.suggestions()
        t1, c1 = time.perf_counter(), time.thread_time()
        if suggestions:
            run.suggest_ms.append((t1 - t0) * 1000)
            run.suggest_cpu_ms.append((c1 - c0) * 1000)
            if run.save_ms:  # the key that saved the last unit also waits for this
                run.floor_ms.append(run.save_ms[-1])
                run.key_ms.append(run.save_ms[-1] + run.suggest_ms[-1])
            shown.append((suggestions["bias"].value, value))
        c2, t2 = time.thread_time(), time.perf_counter()
        view = session.save({"bias": value})
        run.save_ms.append((time.perf_counter() - t2) * 1000)
        run.save_cpu_ms.append((time.thread_time() - c2) * 1000)
        labels += 1
        if labels % args.k == 0:
            if shown:
                guess, truth = zip(*shown, strict=True)
                run.windows.append((labels, accuracy(truth, guess), macro_f1(truth, guess)))
            shown = []
            t = time.perf_counter()
            train_project(engine, project_id=pid[0], schema=schema, schema_version_id=pid[1])
            run.train_seconds.append(time.perf_counter() - t)
            suggester = Suggester(engine, project_id=pid[0], schema=schema)
            suggester.load()
            session.suggester = suggester
            model = suggester.models.get("bias")
            if model is not None:
                probs = model.probabilities(held_texts)
                guesses = [v for v, _ in model.guesses(probs)]
                run.curve.append((labels, macro_f1(held_truth, guesses)))
    engine.dispose()
    return run


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def mean_curve(runs: list[Run]) -> list[tuple[int, float]]:
    points: dict[int, list[float]] = {}
    for r in runs:
        for n, f1 in r.curve:
            points.setdefault(n, []).append(f1)
    return [(n, statistics.fmean(v)) for n, v in sorted(points.items()) if len(v) == len(runs)]


def svg(series: list[tuple[str, str, str, list[tuple[int, float]]]], title: str) -> str:
    """A line chart: (name, colour, dash, points) per series, y from 0.4 to 1."""
    w, h, left, right, top, bottom = 640, 360, 56, 150, 34, 44
    xs = [n for *_, pts in series for n, _ in pts]
    xmax = max(xs) if xs else 1
    y0, y1 = 0.4, 1.0

    def px(n: float) -> float:
        return left + (w - left - right) * n / xmax

    def py(v: float) -> float:
        return top + (h - top - bottom) * (1 - (min(max(v, y0), y1) - y0) / (y1 - y0))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
        f'viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12">',
        f'<rect width="{w}" height="{h}" fill="white"/>',
        f'<text x="{left}" y="20" font-size="14">{title}</text>',
    ]
    for i in range(7):
        v = y0 + i * 0.1
        parts.append(
            f'<line x1="{left}" x2="{w - right}" y1="{py(v):.1f}" y2="{py(v):.1f}" '
            'stroke="#ddd"/>'
            f'<text x="{left - 6}" y="{py(v) + 4:.1f}" text-anchor="end">{v:.1f}</text>'
        )
    step = 500 if xmax > 1500 else 250
    for n in range(0, xmax + 1, step):
        parts.append(f'<text x="{px(n):.1f}" y="{h - bottom + 16}" text-anchor="middle">{n}</text>')
    parts.append(
        f'<text x="{(left + w - right) / 2:.0f}" y="{h - 8}" text-anchor="middle">'
        "labels seen</text>"
    )
    for i, (name, colour, dash, pts) in enumerate(series):
        if pts:
            path = " ".join(f"{px(n):.1f},{py(v):.1f}" for n, v in pts)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2" '
                f'stroke-dasharray="{dash}"/>'
            )
        ly = top + 14 + 20 * i
        parts.append(
            f'<line x1="{w - right + 10}" x2="{w - right + 34}" y1="{ly}" y2="{ly}" '
            f'stroke="{colour}" stroke-width="2" stroke-dasharray="{dash}"/>'
            f'<text x="{w - right + 40}" y="{ly + 4}">{name}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--k", type=int, default=100, help="retrain every K labels")
    parser.add_argument("--seeds", type=int, default=2, help="replays per random order")
    parser.add_argument("--limit", type=int, default=10**9, help="labels per replay at most")
    parser.add_argument("--explore", type=float, default=0.2, help="random share (uncertain)")
    parser.add_argument("--targets", default="0.70,0.72", help="held-out macro-F1 targets")
    parser.add_argument("--svg", type=Path, default=None, help="write the learning curves")
    args = parser.parse_args()
    rows = read_sg2(args.data)
    order = list(range(len(rows)))
    random.Random(16).shuffle(order)
    out = set(order[: len(rows) // 5])
    held = [r for i, r in enumerate(rows) if i in out]
    pool = [r for i, r in enumerate(rows) if i not in out]  # in the file's order
    gold = dict(pool)
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"BABE SG2: {len(rows):,} sentences with a bias label; {len(pool):,} to annotate, "
        f"{len(held):,} held out; retrain every {args.k}; random share {args.explore:.0%}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base.db"
        build_store(base, [t for t, _ in pool])
        runs: list[Run] = []
        plan = [("sequential", 0)] + [
            (order, seed) for seed in range(1, args.seeds + 1) for order in ("uncertain", "random")
        ]
        for order, seed in plan:
            store = Path(tmp) / f"{order}-{seed}.db"
            shutil.copy(base, store)
            started = time.perf_counter()
            runs.append(replay(store, gold, held, args, order, seed))
            print(f"  replay {order} (seed {seed}): {time.perf_counter() - started:.0f} s")
    seq = runs[0]
    print("\n(a) suggestions shown vs the label then given (sequential order)")
    print("    labels seen   accuracy   macro-F1")
    for n, acc, f1 in seq.windows:
        print(f"    {n:>11,}   {acc:8.3f}   {f1:8.3f}")
    print("\n(b) held-out macro-F1 (bias): labels needed to reach each target (median over seeds)")
    targets = [float(t) for t in args.targets.split(",")]
    by_order: dict[str, list[Run]] = {}
    for r in runs:
        by_order.setdefault(r.order, []).append(r)
    for order, group in by_order.items():
        needs = []
        for t in targets:
            got = [r.labels_to(t) for r in group]
            reached = [g for g in got if g is not None]
            shown = (
                f"{statistics.median(reached):,.0f}" if len(reached) == len(got) else "not reached"
            )
            needs.append(f"F1 {t:.2f}: {shown} ({', '.join(str(g) for g in got)})")
        final = statistics.fmean(r.curve[-1][1] for r in group if r.curve)
        print(f"    {order:<10} {'; '.join(needs)}; at the end {final:.3f}")
    train = [t for r in runs for t in r.train_seconds]
    print("\n(c) cost")
    print(
        f"    training (all labels so far, with the newest-fifth check, and scoring the open "
        f"units): median {statistics.median(train):.2f} s, max {max(train):.2f} s"
    )
    print(
        "    per key, in ms, p50 / p95 (the floor: the same keys' save and next unit alone;"
        " UI budget key -> next: p95 <= 16 ms)"
    )
    print("    replay            save + next (floor)   suggestion      save + next + suggestion")
    for r in runs:
        print(
            f"    {r.order + ' ' + str(r.seed):<16}  "
            f"{pct(r.floor_ms, 0.5):6.2f} / {pct(r.floor_ms, 0.95):6.2f}"
            f"       {pct(r.suggest_ms, 0.5):5.2f} / {pct(r.suggest_ms, 0.95):5.2f}"
            f"   {pct(r.key_ms, 0.5):6.2f} / {pct(r.key_ms, 0.95):6.2f}"
        )
    print("    CPU time of the thread (the cost without waiting for other processes), in ms:")
    for r in runs:
        print(
            f"    {r.order + ' ' + str(r.seed):<16}  save + next "
            f"{pct(r.save_cpu_ms, 0.5):.2f} / {pct(r.save_cpu_ms, 0.95):.2f}; suggestion "
            f"{pct(r.suggest_cpu_ms, 0.5):.3f} / {pct(r.suggest_cpu_ms, 0.95):.3f}"
        )
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.svg:
        series = [
            ("uncertain", "#d62728", "", mean_curve(by_order.get("uncertain", []))),
            ("random", "#1f77b4", "", mean_curve(by_order.get("random", []))),
            ("sequential", "#7f7f7f", "", mean_curve(by_order.get("sequential", []))),
            ("suggestions", "#2ca02c", "5,4", [(n, a) for n, a, _ in seq.windows]),
        ]
        title = "BABE SG2, bias: held-out macro-F1 by queue order; suggestion accuracy"
        args.svg.write_text(svg(series, title), encoding="utf-8")
        print(f"wrote {args.svg}")


if __name__ == "__main__":
    main()
