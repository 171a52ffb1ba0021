"""Word tokens for span annotation: lossless, offset-mappable, and lazy about jieba."""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.tokens import token_offsets, tokenize

GOLD = Path(__file__).parent / "fixtures" / "sentences" / "gold.jsonl"
SENTENCES = [
    s
    for line in GOLD.read_text(encoding="utf-8").splitlines()
    for s in json.loads(line)["sentences"]
]
_SPACE = re.compile(r"\s+")


def test_english_words_and_punctuation() -> None:
    text = 'Mr. Smith met U.N. officials on Jan. 5; GDP grew 3.5%. "Don\'t go," she said.'
    assert tokenize(text, "en") == [
        "Mr.", "Smith", "met", "U.N.", "officials", "on", "Jan.", "5", ";", "GDP", "grew",
        "3.5", "%", ".", '"', "Don't", "go", ",", '"', "she", "said", ".",
    ]  # fmt: skip


def test_chinese_words_with_latin_and_numbers() -> None:
    tokens = tokenize("美国总统拜登（Joe Biden）说，GDP增长了3.5%。", "zh-Hans")
    assert tokens[:2] == ["美国", "总统"]
    for expected in ("拜登", "（", "Joe", "Biden", "）", "GDP", "3.5", "%", "。"):
        assert expected in tokens
    assert all(len(t) <= 4 for t in tokens if re.fullmatch(r"[\u4e00-\u9fff]+", t))


def test_no_token_holds_whitespace() -> None:
    for token in tokenize("He said:  \u201cWe  will\u00a0win.\u201d\n他说：  “我们 会 赢。”"):
        assert token and not _SPACE.search(token)


@pytest.mark.parametrize("sentence", SENTENCES[::3])
def test_tokens_spell_out_the_text_and_map_to_offsets(sentence: str) -> None:
    tokens = tokenize(sentence)
    assert "".join(tokens) == _SPACE.sub("", sentence)
    offsets = token_offsets(sentence, tokens)
    assert [sentence[a:b] for a, b in offsets] == tokens
    assert all(a < b for a, b in offsets)
    assert all(prev[1] <= nxt[0] for prev, nxt in itertools.pairwise(offsets))


def test_offsets_skip_whitespace() -> None:
    assert token_offsets("  a  bc ", ["a", "bc"]) == [(2, 3), (5, 7)]


def test_offsets_reject_tokens_that_do_not_match() -> None:
    with pytest.raises(ValueError, match="offset 2"):
        token_offsets("a b", ["a", "c"])
    with pytest.raises(ValueError):
        token_offsets("ab", ["a", ""])


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )


def test_importing_the_ingest_modules_does_not_load_jieba() -> None:
    result = _run(
        "import sys, annotator.tokens, annotator.ingest.sentences, "
        "annotator.ingest.language; "
        "from annotator.tokens import tokenize; tokenize('Hello, world.', 'en'); "
        "print('jieba' in sys.modules)"
    )
    assert result.stdout.strip() == "False"


def test_first_chinese_call_loads_jieba_quietly() -> None:
    result = _run(
        "import sys; from annotator.tokens import tokenize; "
        "print('|'.join(tokenize('中国西安市民路过街头。', 'zh-Hans'))); "
        "print('jieba' in sys.modules)"
    )
    assert result.stdout.split() == ["中国|西安|市民|路过|街头|。", "True"]
    assert result.stderr == ""
