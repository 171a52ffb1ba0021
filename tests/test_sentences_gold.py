"""The hand-checked gold set: every paragraph must split exactly as a careful reader would."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from annotator.ingest.sentences import split_sentences

GOLD = Path(__file__).parent / "fixtures" / "sentences" / "gold.jsonl"
SHARED = Path(__file__).resolve().parents[2] / "shared"
ROWS = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line]


def test_gold_set_covers_the_hard_cases() -> None:
    langs = {lang: sum(r["lang"] == lang for r in ROWS) for lang in ("zh-Hans", "zh-Hant", "en")}
    assert langs["zh-Hans"] >= 60 and langs["zh-Hant"] >= 10 and langs["en"] >= 30
    cases = {r["case"] for r in ROWS}
    for case in ("caption-date", "quote-end-continues", "quote-long", "ellipsis", "latin"):
        assert case in cases


@pytest.mark.parametrize("row", ROWS, ids=[r["id"] for r in ROWS])
def test_gold_expectation_is_well_formed(row: dict) -> None:
    # The expected units spell out the paragraph, in order, with nothing lost or invented.
    squeeze = re.compile(r"\s+")
    assert squeeze.sub("", "".join(row["sentences"])) == squeeze.sub("", row["text"])
    assert all(s == s.strip() and s for s in row["sentences"])


@pytest.mark.parametrize("row", ROWS, ids=[r["id"] for r in ROWS])
def test_gold_paragraph_splits_exactly(row: dict) -> None:
    assert split_sentences(row["text"], row["lang"]) == row["sentences"]


@pytest.mark.parametrize("row", ROWS, ids=[r["id"] for r in ROWS])
def test_gold_paragraph_splits_the_same_without_a_language(row: dict) -> None:
    # Readers may not know the language yet; Chinese and English rules live in one splitter.
    assert split_sentences(row["text"]) == row["sentences"]


def test_voa_gold_paragraphs_are_still_in_the_corpus() -> None:
    voa = [r for r in ROWS if r["source"].startswith("voa/")]
    if not (SHARED / "corpus" / "voa").is_dir():
        pytest.skip("../shared/corpus is not present")
    for row in voa:
        raw = (SHARED / "corpus" / row["source"]).read_text(encoding="utf-8")
        assert row["text"][:12] in re.sub(r"<[^>]+>", "", raw), row["id"]
