"""Keys per span: BABE SG2's biased words marked through the annotate screen's real key handling.

    .venv/bin/python benchmarks/bench_spans.py [--limit N] [--planner best|arrows|hints]

Each sentence of ``../shared/datasets/babe/final_labels_SG2.csv`` (local only; the benchmark
says so and stops when it is absent) with biased words is loaded into a span task on a real
`AnnotateScreen` (Textual Pilot, 100x30); its biased words, found among the unit's tokens and
joined into one span where they are next to each other, are marked one span after the other,
in reading order, by pressing keys. A planner decides the next key from what the screen shows
(the cursor, the hint letters), presses it, and reads the screen again; when every span is
marked, the task's value must hold exactly the wanted words, or the sentence counts as failed.

Planners: ``arrows`` uses only the keys main had before hint letters (← → home end space
shift+→), with the fewest presses a person who counts would use; ``hints`` types the hint
letters over the words (a letter marks a word, its capital extends the span to a word);
``best`` takes, per span, whichever of the two needs fewer keys (a person uses both).

Figures: keys per span (median, p90, mean), spans, sentences, failures, words not found
among the tokens. The floor is one key per span (the least any key design can ask).
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import csv
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BABE = ROOT.parent / "shared" / "datasets" / "babe" / "final_labels_SG2.csv"

Run = tuple[int, int]  # first and last token index of a span, inclusive
Press = Callable[[str], Awaitable[None]]


def babe_sentences(path: Path, limit: int | None) -> tuple[list[tuple[str, list[Run]]], int]:
    """(text, spans) per sentence with biased words, and how many words were not found."""
    from annotator.tokens import tokenize

    out: list[tuple[str, list[Run]]] = []
    missing = 0
    with path.open(encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f, delimiter=";"):
            try:
                words = ast.literal_eval(row["biased_words"] or "[]")
            except (ValueError, SyntaxError):
                continue
            if not words:
                continue
            tokens = tokenize(row["text"])
            lowered = [t.lower() for t in tokens]
            picked: set[int] = set()
            for word in words:
                hits = [
                    i for i, t in enumerate(lowered) if t == str(word).lower() and i not in picked
                ]
                if hits:
                    picked.add(hits[0])
                else:
                    missing += 1
            if not picked:
                continue
            runs: list[Run] = []
            for i in sorted(picked):
                if runs and runs[-1][1] == i - 1:
                    runs[-1] = (runs[-1][0], i)
                else:
                    runs.append((i, i))
            out.append((row["text"], runs))
            if limit and len(out) >= limit:
                break
    return out, missing


# --- planners: the next keys, from what the screen shows --------------------------------


async def by_arrows(panel, run: Run, press: Press) -> None:
    """Main's keys: walk to the first word (from home or end when nearer), then space, or
    shift+→ over the rest of the span."""
    first, last = run
    n = len(panel.tokens)
    if first < panel.cursor and first + 1 < panel.cursor - first:
        await press("home")
    elif first > panel.cursor and n - first < first - panel.cursor:
        await press("end")
    for _ in range(4 * n):
        if panel.cursor == first:
            break
        await press("right" if panel.cursor < first else "left")
    if first == last:
        await press("space")
        return
    for _ in range(4 * n):
        if panel.cursor >= last and last in panel.selected:
            break
        await press("shift+right")


def arrow_cost(panel, run: Run) -> int:
    """Keys `by_arrows` needs for `run`, counted on the panel's own word motion."""
    first, last = run
    stops = panel.stops()  # token indices the arrows stop at
    here = panel.cursor

    def walk(a: int, b: int) -> int:
        lo, hi = sorted((a, b))
        return sum(1 for s in stops if lo < s <= hi) if a != b else 0

    reach = min(walk(here, first), 1 + walk(stops[0], first), 1 + walk(stops[-1], first))
    return reach + (1 if first == last else walk(first, last))


async def by_hints(panel, run: Run, press: Press) -> None:
    """Type the first word's hint (marks it); for a longer span, the last word's hint in
    capitals (extends the span to it)."""
    first, last = run
    for ch in panel.hint_of(first):
        await press(ch)
    if last != first:
        hint = panel.hint_of(last)
        await press(hint[0].upper())
        for ch in hint[1:]:
            await press(ch)


def hint_cost(panel, run: Run) -> int:
    first, last = run
    return len(panel.hint_of(first)) + (len(panel.hint_of(last)) if last != first else 0)


async def replay(sentences, planner: str) -> tuple[list[int], int, float]:
    from textual import events

    from annotator.schema.model import Schema, Task
    from annotator.store.engine import open_store, session_scope
    from annotator.store.models import Document, Project, SchemaVersion, Unit
    from annotator.tokens import words
    from annotator.tui.app import AnnotatorApp
    from annotator.tui.config import UserConfig
    from annotator.tui.launch import StoreContext

    schema = Schema(name="spans", tasks=(Task(name="words", type="span", required=False),))
    engine = open_store(f"sqlite:///{tempfile.mkdtemp()}/babe.db")
    with session_scope(engine) as s:
        project = Project(name="babe")
        s.add(project)
        s.flush()
        sv = SchemaVersion(project_id=project.id, name="spans", yaml_text="", content_hash="h")
        s.add(sv)
        s.flush()
        doc = Document(project_id=project.id, title="BABE", content_hash="babe")
        s.add(doc)
        s.flush()
        s.add(
            Unit(
                project_id=project.id,
                document_id=doc.id,
                position=0,
                kind="body",
                text=sentences[0][0],
                text_hash="0",
            )
        )
        s.flush()
        ctx = StoreContext(engine, project.id, "babe", schema, sv.id)
    app = AnnotatorApp(ctx, annotator="bench", config=UserConfig(), remember=False)
    per_span: list[int] = []
    failed = 0
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        panel = app.screen.panels["words"]
        count = 0

        async def press(key: str) -> None:
            # As Pilot.press sends a key (the app's own Key event, every binding and handler
            # on its way), but then only waits until the screen has handled it: Pilot also
            # waits for the whole process to sit idle, which on a busy machine takes ~80 ms.
            nonlocal count
            count += 1
            char = " " if key == "space" else key if len(key) == 1 else None
            app.post_message(events.Key(key, char))
            await pilot._wait_for_screen()

        t0 = time.perf_counter()
        for text, runs in sentences:
            panel.load(text, *words(text, None))
            panel.set_value(None)
            for run in runs:
                count = 0
                use = planner
                if planner == "best":
                    cheap = hint_cost(panel, run) <= arrow_cost(panel, run)
                    use = "hints" if cheap else "arrows"
                await (by_hints if use == "hints" else by_arrows)(panel, run, press)
                per_span.append(count)
            want = {i for a, b in runs for i in range(a, b + 1)}
            if panel.selected != want:
                failed += 1
        seconds = time.perf_counter() - t0
    return per_span, failed, seconds


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=None, help="sentences (default: all)")
    ap.add_argument("--planner", choices=("best", "arrows", "hints"), default="best")
    args = ap.parse_args()
    if not BABE.is_file():
        print(f"skipped: {BABE} is not here (BABE is a local-only data set)")
        return
    sentences, missing = babe_sentences(BABE, args.limit)
    planner = args.planner
    from annotator.tui.widgets.span import SpanPanel

    if planner != "arrows" and not hasattr(SpanPanel, "hint_of"):
        print("this span panel has no hint letters: using the arrow keys only")
        planner = "arrows"
    keys, failed, seconds = asyncio.run(replay(sentences, planner))
    ks = sorted(keys)
    p90 = ks[min(len(ks) - 1, round(0.9 * (len(ks) - 1)))]
    print(
        f"BABE SG2: {len(sentences):,} sentences, {len(keys):,} spans "
        f"({missing:,} biased words not found among the tokens)"
    )
    print(
        f"planner {planner}: keys per span median {statistics.median(ks):g}, p90 {p90}, "
        f"mean {statistics.mean(ks):.2f}, max {ks[-1]}"
    )
    print("floor (one key per span): median 1, p90 1")
    print(f"sentences whose value missed the wanted words: {failed}")
    print(f"{sum(keys):,} keys replayed in {seconds:.0f} s")


if __name__ == "__main__":
    main()
