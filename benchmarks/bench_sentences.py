"""Sentence splitting speed on the VOA corpus paragraphs, next to floors measured in the same run.

    .venv/bin/python benchmarks/bench_sentences.py [--repeat N] [--corpus DIR]

Paragraph text is taken crudely from <p> elements with a regex (the real readers do better);
every figure is sentences per second over the same paragraphs:
  floor str.split   a bare text.split("。"), the least any splitter must do
  floor regex       one precompiled re.split on 。！？, a naive splitter with no rules
  split_sentences   annotator's splitter (quotes, brackets, abbreviations, ...)
  sentencex         Wikimedia's splitter, for comparison
  detect_language   documents per second, first 2000 characters of each article
"""

from __future__ import annotations

import argparse
import html
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from annotator.ingest.language import detect_language  # noqa: E402
from annotator.ingest.sentences import split_sentences  # noqa: E402

_P = re.compile(r"<p[^>]*>(.*?)</p>", re.S)
_BR2 = re.compile(r"<br\s*/?>\s*<br\s*/?>")
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def load(corpus: Path) -> tuple[list[str], list[str]]:
    paragraphs: list[str] = []
    documents: list[str] = []
    for path in sorted(corpus.glob("*.md")):
        raw = path.read_text(encoding="utf-8")
        doc: list[str] = []
        for m in _P.finditer(raw):
            for part in _BR2.split(m.group(1)):
                text = _SPACE.sub(" ", html.unescape(_TAG.sub("", part))).strip()
                if text:
                    doc.append(text)
        paragraphs.extend(doc)
        documents.append("\n".join(doc))
    return paragraphs, documents


def timed(fn: Callable[[str], list[str]], items: list[str], repeat: int) -> tuple[int, float]:
    best = float("inf")
    count = 0
    for _ in range(repeat):
        start = time.perf_counter()
        count = 0
        for item in items:
            count += len(fn(item))
        best = min(best, time.perf_counter() - start)
    return count, best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = ROOT.parent / "shared" / "corpus" / "voa"
    parser.add_argument("--corpus", type=Path, default=default, help="folder of VOA .md files")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure; the best counts")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        print(f"corpus folder not found: {args.corpus}", file=sys.stderr)
        return 2
    paragraphs, documents = load(args.corpus)
    chars = sum(map(len, paragraphs))
    print(f"{len(documents)} articles, {len(paragraphs)} paragraphs, {chars:,} characters")
    print(f"best of {args.repeat} runs\n")

    naive = re.compile(r"(?<=[。！？])")
    rows: list[tuple[str, Callable[[str], list[str]]]] = [
        ("floor str.split", lambda t: [s for s in t.split("。") if s]),
        ("floor regex", lambda t: [s for s in naive.split(t) if s]),
        ("split_sentences", lambda t: split_sentences(t, "zh-Hans")),
    ]
    try:
        import sentencex

        rows.append(("sentencex", lambda t: list(sentencex.segment("zh", t))))
    except ImportError:
        pass
    print(f"{'':18}{'sentences':>10}{'seconds':>10}{'sentences/s':>14}")
    for name, fn in rows:
        count, seconds = timed(fn, paragraphs, args.repeat)
        print(f"{name:18}{count:>10,}{seconds:>10.3f}{count / seconds:>14,.0f}")

    _, seconds = timed(lambda d: [detect_language(d)], documents, args.repeat)
    per_doc = seconds / len(documents) * 1e6
    print(
        f"\ndetect_language   {len(documents) / seconds:,.0f} documents/s ({per_doc:.0f} µs each)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
