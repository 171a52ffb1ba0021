"""Import speed: the VOA corpus replicated to >= 100,000 sentences, end to end into SQLite.

Prints sentences/s and peak memory next to a floor measured in the same run: the same files
read, HTML-parsed and sentence-split in one process with nothing stored.

    .venv/bin/python benchmarks/bench_import.py [--target 100000] [--corpus ../shared/corpus/voa]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from annotator.ingest.parse import ParseOptions, parse_one
from annotator.ingest.pipeline import import_files
from annotator.schema.model import Schema
from annotator.store.engine import open_store, session_scope
from annotator.store.projects import create_project

HERE = Path(__file__).resolve().parent
DEFAULT_CORPUS = HERE.parents[1] / "shared" / "corpus" / "voa"


def replicate(corpus: Path, out: Path, target: int) -> tuple[list[Path], int]:
    """Copy the corpus until it holds `target` sentences; each copy's title differs, so no
    copy is skipped as a duplicate."""
    originals = sorted(corpus.glob("*.md"))
    per_file = {p: sum(len(d.units) for d in parse_one(p, ParseOptions()).docs) for p in originals}
    per_round = sum(per_file.values())
    rounds = -(-target // per_round)
    files = []
    for r in range(rounds):
        for i, p in enumerate(originals):
            text = p.read_text(encoding="utf-8")
            # Tag the title link and the front-matter title: both feed the document's title.
            text = text.replace("\n[", f"\n[R{r} ", 1).replace('title: "', f'title: "R{r} ', 1)
            dest = out / f"r{r:03d}-{i:03d}.md"
            dest.write_text(text, encoding="utf-8")
            files.append(dest)
    return files, per_round * rounds


def floor(files: list[Path]) -> float:
    """HTML parsing and sentence splitting alone, one process, nothing stored."""
    start = time.perf_counter()
    n = 0
    for p in files:
        n += sum(len(d.units) for d in parse_one(p, ParseOptions()).docs)
    return n / (time.perf_counter() - start)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--target", type=int, default=100_000)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--workers", type=int, default=None)
    args = ap.parse_args()
    if not args.corpus.is_dir():
        sys.exit(f"{args.corpus}: corpus folder not found (pass --corpus)")

    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        src = tmpdir / "src"
        src.mkdir()
        files, _ = replicate(args.corpus, src, args.target)
        engine = open_store(f"sqlite:///{tmpdir / 'bench.db'}")
        with session_scope(engine) as s:
            pid = create_project(s, "bench", Schema(name="none", tasks=(), content_hash="0")).id

        start = time.perf_counter()
        report = import_files(engine, pid, files, workers=args.workers)
        elapsed = time.perf_counter() - start
        rss_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        rss_kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        assert not report.failed, report.failed[:3]

        floor_rate = floor(files)

    print(f"files: {len(files):,}  documents: {report.documents:,}  sentences: {report.units:,}")
    print(
        f"end to end (parse in workers + SQLite write): {report.units / elapsed:,.0f} sentences/s"
        f"  ({elapsed:.2f} s)"
    )
    print(f"floor (parse + split only, 1 process):        {floor_rate:,.0f} sentences/s")
    print(f"peak RSS: main {rss_self:,.0f} MB, largest worker {rss_kids:,.0f} MB")
    print("targets: >= 50,000 sentences/s end to end; peak RSS <= 300 MB")


if __name__ == "__main__":
    main()
