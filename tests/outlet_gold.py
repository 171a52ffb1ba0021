"""Scoring the importer against hand-checked gold: per outlet, how much of each article's own
text comes out as units, whether each caption comes out once, and whether boilerplate stays out.

Three gold sets use this module:

- ``fixtures/outlets/voa_gold.json``: VOA articles (public domain, copied into
  ``fixtures/outlets/voa/`` and ``fixtures/ingest/``) with their expected units written out in
  full, one file per shape (talk shows, inline images, a URL in parentheses, lists, ...).
- ``fixtures/outlets/voa_heldout.json``: 25 more VOA articles of every shape, never tuned on
  (copied into ``fixtures/outlets/voa_heldout/``): written out in full, but scored like the
  other outlets (a unit may join consecutive sentences), to measure the importer on pages it
  was not fitted to.
- ``fixtures/outlets/other_gold.json``: the other outlets' files in ``../shared/corpus/other``,
  which are copyrighted and never copied. Their gold holds no text: each expected sentence and
  caption is a fingerprint (its length and a hash of the text without white space); the
  boilerplate markers are a few words of outlet furniture ("延伸閱讀", "责编").

A unit matches gold when it is one expected sentence, or several consecutive ones (a quotation
kept whole is fine). A damaged sentence ("直播( 。") matches nothing and counts as missed.

Print the per-outlet table (``--generic`` scores with the outlet tables switched off, to show
what the fallback does on a site it has no table for)::

    .venv/bin/python -m tests.outlet_gold [--generic]

Make a gold entry from a reviewed listing (one unit a line: ``b text``, ``c text``, and ``x
marker`` for boilerplate that must not appear), kept outside the repository::

    .venv/bin/python -m tests.outlet_gold entry REVIEWED.txt
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

from annotator.ingest.model import ParsedUnit
from annotator.ingest.outlet_rules import RuleBook
from annotator.ingest.readers import read_file

FIXTURES = Path(__file__).parent / "fixtures" / "outlets"
VOA_GOLD = FIXTURES / "voa_gold.json"
VOA_HELDOUT = FIXTURES / "voa_heldout.json"
OTHER_GOLD = FIXTURES / "other_gold.json"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"

Print = tuple[int, str]


def squeeze(text: str) -> str:
    return "".join(text.split())


def fingerprint(text: str) -> Print:
    s = squeeze(text)
    return len(s), hashlib.sha1(s.encode("utf-8")).hexdigest()[:16]


@dataclass
class Score:
    sentences: int = 0  # expected body sentences
    recalled: int = 0  # ... found as units (alone or with their neighbours)
    captions: int = 0  # expected captions
    captions_once: int = 0  # ... found exactly once as a caption and never as body text
    boilerplate: int = 0  # boilerplate markers looked for
    boilerplate_found: list[str] = field(default_factory=list)  # ... found in a unit
    extra: int = 0  # units that are no expected text (boilerplate, damaged, duplicated)
    missed: list[int] = field(default_factory=list)  # indexes of missed sentences

    def add(self, other: Score) -> None:
        self.sentences += other.sentences
        self.recalled += other.recalled
        self.captions += other.captions
        self.captions_once += other.captions_once
        self.boilerplate += other.boilerplate
        self.boilerplate_found += other.boilerplate_found
        self.extra += other.extra

    @property
    def recall(self) -> float:
        return self.recalled / self.sentences if self.sentences else 1.0


def _chain(text: str, gold: list[Print], lengths: list[int], taken: set[int]) -> list[int] | None:
    """Indexes of consecutive gold sentences, none of them `taken` (an article may say the
    same sentence twice), that spell `text` exactly; None if there are none."""
    s = squeeze(text)
    index: dict[Print, list[int]] = {}
    for i, p in enumerate(gold):
        index.setdefault(p, []).append(i)

    def walk(offset: int, after: int | None) -> list[int] | None:
        if offset == len(s):
            return []
        for n in lengths:
            if offset + n > len(s):
                break
            p = (n, hashlib.sha1(s[offset : offset + n].encode("utf-8")).hexdigest()[:16])
            for i in index.get(p, ()):
                if i in taken or (after is not None and i != after + 1):
                    continue
                rest = walk(offset + n, i)
                if rest is not None:
                    return [i, *rest]
        return None

    return walk(0, None)


def score_units(units: Iterable[ParsedUnit], entry: dict) -> Score:
    body = [tuple(p) for p in entry["body"]]
    caps = [tuple(p) for p in entry["captions"]]
    lengths = sorted({n for n, _ in body})
    score = Score(sentences=len(body), captions=len(caps), boilerplate=len(entry["boilerplate"]))
    found: set[int] = set()
    as_caption: dict[Print, int] = {}
    as_body: dict[Print, int] = {}
    for unit in units:
        if unit.kind == "title":
            continue
        p = fingerprint(unit.text)
        if unit.kind == "caption":
            as_caption[p] = as_caption.get(p, 0) + 1
            if p not in caps:
                score.extra += 1
            continue
        as_body[p] = as_body.get(p, 0) + 1
        if p in caps:
            score.extra += 1
            continue
        chain = _chain(unit.text, body, lengths, found) if lengths else None
        if chain is None:
            score.extra += 1  # boilerplate, a damaged sentence, or one said twice
        else:
            found.update(chain)
    score.recalled = len(found)
    score.missed = sorted(set(range(len(body))) - found)
    score.captions_once = sum(as_caption.get(c, 0) == 1 and c not in as_body for c in caps)
    texts = [u.text for u in units]
    score.boilerplate_found = [m for m in entry["boilerplate"] if any(m in t for t in texts)]
    return score


def entry_from_listing(text: str) -> dict:
    """A gold entry from a reviewed listing: 'b sentence', 'c caption', 'x boilerplate marker'
    (other lines, such as '# file' or 't title', are ignored)."""
    entry: dict[str, list] = {"body": [], "captions": [], "boilerplate": []}
    for line in text.splitlines():
        kind, _, rest = line.partition(" ")
        rest = rest.strip()
        if not rest:
            continue
        if kind == "b":
            entry["body"].append(list(fingerprint(rest)))
        elif kind == "c":
            entry["captions"].append(list(fingerprint(rest)))
        elif kind == "x":
            entry["boilerplate"].append(rest)
    return entry


def load(path: Path) -> dict[str, dict]:
    """Gold entries by file; an entry that spells its units out gets their fingerprints."""
    files = json.loads(path.read_text(encoding="utf-8"))["files"]
    for entry in files.values():
        if "units" in entry:
            entry["body"] = [fingerprint(t) for k, t in entry["units"] if k == "body"]
            entry["captions"] = [fingerprint(t) for k, t in entry["units"] if k == "caption"]
    return files


@contextmanager
def generic_only() -> Iterator[None]:
    """Every page gets the generic rules only, as a site without a table would."""
    with mock.patch.object(RuleBook, "for_document", lambda self, url, outlet=None: self.generic):
        yield


def score_files(base: Path, gold: dict[str, dict]) -> dict[str, Score]:
    out = {}
    for name, entry in gold.items():
        (doc,) = read_file(base / name)
        out[name] = score_units(doc.units, entry)
    return out


def table(gold: dict[str, dict], scores: dict[str, Score]) -> list[str]:
    """Rows per outlet and split, then a total per split."""
    groups: dict[tuple[str, str], Score] = {}
    files: dict[tuple[str, str], int] = {}
    for name, entry in gold.items():
        key = (entry.get("split", "tuned"), entry["outlet"])
        groups.setdefault(key, Score()).add(scores[name])
        files[key] = files.get(key, 0) + 1
    head = f"{'split':<9} {'outlet':<16} {'files':>5} {'sentences':>15} {'captions once':>13}"
    head += f" {'boilerplate in':>14} {'extra units':>11}"
    rows = [head]
    for split in ("tuned", "held-out"):
        total = Score()
        n = 0
        for (s, outlet), sc in sorted(groups.items()):
            if s != split:
                continue
            total.add(sc)
            n += files[(s, outlet)]
            rows.append(_row(split, outlet, files[(s, outlet)], sc))
        if n:
            rows.append(_row(split, "ALL", n, total))
    return rows


def _row(split: str, outlet: str, files: int, sc: Score) -> str:
    sent = f"{sc.recalled}/{sc.sentences} {100 * sc.recall:5.1f}%"
    caps = f"{sc.captions_once}/{sc.captions}"
    boil = f"{len(sc.boilerplate_found)}/{sc.boilerplate}"
    return (
        f"{split:<9} {outlet[:16]:<16} {files:>5} {sent:>15} {caps:>13} {boil:>14} {sc.extra:>11}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.outlet_gold")
    ap.add_argument("command", nargs="?", default="table", choices=["table", "entry"])
    ap.add_argument("listing", nargs="?", type=Path)
    ap.add_argument("--generic", action="store_true", help="score with the generic rules only")
    ap.add_argument("--missing", action="store_true", help="list boilerplate found per file")
    args = ap.parse_args(argv)
    if args.command == "entry":
        if args.listing is None:
            ap.error("entry needs a listing file")
        print(json.dumps(entry_from_listing(args.listing.read_text(encoding="utf-8"))))
        return 0
    sets = [
        ("VOA gold (tests/fixtures)", FIXTURES.parent, VOA_GOLD),
        ("VOA held out (tests/fixtures)", FIXTURES.parent, VOA_HELDOUT),
    ]
    if (CORPUS / "other").is_dir():
        sets.append((f"other outlets ({CORPUS / 'other'})", CORPUS, OTHER_GOLD))
    else:
        print(f"{CORPUS / 'other'} not found: the other outlets are skipped", file=sys.stderr)
    for title, base, path in sets:
        gold = load(path)
        with generic_only() if args.generic else _nothing():
            scores = score_files(base, gold)
        print(f"\n{title}{' - generic rules only' if args.generic else ''}")
        print("\n".join(table(gold, scores)))
        if args.missing:
            for name, sc in scores.items():
                if sc.boilerplate_found or sc.missed or sc.captions_once < sc.captions:
                    print(
                        f"  {name}: boilerplate {sc.boilerplate_found}, missed {sc.missed}, "
                        f"captions {sc.captions_once}/{sc.captions}"
                    )
    return 0


@contextmanager
def _nothing() -> Iterator[None]:
    yield


if __name__ == "__main__":
    sys.exit(main())
