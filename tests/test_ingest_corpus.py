"""Every file of the shared news corpus imports cleanly (skipped when ../shared is absent)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from annotator.ingest.dates import parse_date
from annotator.ingest.readers import read_file
from annotator.ingest.sources import iter_sources
from tests.support.ingest import FORBIDDEN

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


@pytest.fixture(scope="module")
def corpus() -> dict[str, object]:
    if not (CORPUS / "MANIFEST.tsv").is_file():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    docs = {}
    for path in iter_sources([CORPUS]):
        assert isinstance(path, Path), path
        (doc,) = read_file(path)
        docs[path.relative_to(CORPUS).as_posix()] = doc
    return docs


def test_every_file_imports(corpus: dict[str, object]) -> None:
    with (CORPUS / "MANIFEST.tsv").open(encoding="utf-8") as fh:
        manifest = {row["file"]: row for row in csv.DictReader(fh, delimiter="\t")}
    assert set(corpus) == set(manifest)
    for name, doc in corpus.items():
        assert doc.url == manifest[name]["source_url"], name
        assert doc.published is not None and doc.published.utcoffset().total_seconds() == 0, name
        assert doc.lang, name


def test_no_unit_carries_markup_or_metadata(corpus: dict[str, object]) -> None:
    bad = []
    for name, doc in corpus.items():
        for unit in doc.units:
            text = unit.text
            if (
                FORBIDDEN.search(text)
                or not text.strip()
                or text != text.strip()
                or "\xa0" in text
                or parse_date(text) is not None
            ):
                bad.append((name, unit.kind, text[:80]))
    assert not bad, bad[:10]


def test_titles_equal_the_feed_title(corpus: dict[str, object]) -> None:
    for name, doc in corpus.items():
        text = (CORPUS / name).read_text(encoding="utf-8")
        if text.startswith("---"):
            line = next(ln for ln in text.splitlines() if ln.startswith("title: "))
            feed_title = line[len("title: ") :].strip().strip('"')
        else:
            link = next(ln for ln in text.splitlines() if ln.startswith("["))
            feed_title = link[1 : link.rindex("](")]
        assert doc.title == " ".join(feed_title.split()), name
        assert doc.units[0].kind == "title" and doc.units[0].text == doc.title, name
        assert sum(u.kind == "title" for u in doc.units) == 1, name
        assert sum(u.kind == "body" for u in doc.units) >= 1, name


def test_captions_once_and_never_from_alt_text(corpus: dict[str, object]) -> None:
    for name, doc in corpus.items():
        caps = [u.text for u in doc.units if u.kind == "caption"]
        assert len(caps) == len(set(caps)), name
        assert doc.title not in caps, name
