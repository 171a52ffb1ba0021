"""Language tags for documents: Simplified vs Traditional Chinese must be reliable."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from annotator.ingest.language import SAMPLE_CHARS, chinese_script, detect_language

SHARED = Path(__file__).resolve().parents[2] / "shared"
GOLD = Path(__file__).parent / "fixtures" / "sentences" / "gold.jsonl"


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("中国西安市民路过街头竖立的中亚峰会宣传牌。", "zh-Hans"),
        ("中國西安市民路過街頭豎立的中亞峰會宣傳牌。", "zh-Hant"),
        ("美国总统拜登（Joe Biden）星期二在白宫说，这是一个历史性的时刻。", "zh-Hans"),
        ("台灣總統蔡英文（Tsai Ing-wen）週二表示，這是歷史性的時刻。", "zh-Hant"),
        ("The president said on Tuesday that the talks would continue.", "en"),
        ("Der Präsident sagte am Dienstag, dass die Gespräche fortgesetzt werden.", "de"),
        ("Le président a déclaré mardi que les négociations se poursuivraient.", "fr"),
        ("東京で首脳会議が開かれ、両国の首相が会談しました。", "ja"),
        ("서울에서 정상회의가 열렸다.", "ko"),
        ("", "und"),
        ("2023-05-17 12:00 ... 100%", "und"),
    ],
)
def test_detects_news_text(text: str, tag: str) -> None:
    assert detect_language(text) == tag


def test_script_without_evidence_is_plain_zh() -> None:
    # 中文 and 西安 are written the same in both scripts.
    assert chinese_script("中文西安") == "zh"
    assert detect_language("中文西安") == "zh"


def test_majority_script_wins_in_mixed_text() -> None:
    simplified = "这是美国之音的报道，国务院发言人说会继续关注。" * 3
    quoted = "「我們會繼續關注。」"
    assert detect_language(simplified + quoted) == "zh-Hans"
    assert detect_language(quoted * 3 + "这是报道。") == "zh-Hant"


def test_no_character_votes_for_both_scripts() -> None:
    # Each script's characters are counted by a pattern of their own: a character in both
    # lists would count twice and tip a tie.
    from annotator.ingest.language import _SIMPLIFIED_ONLY, _TRADITIONAL_ONLY

    assert not _SIMPLIFIED_ONLY & _TRADITIONAL_ONLY
    assert chinese_script("国國说說") == "zh"  # two votes each way


def test_only_the_beginning_is_read() -> None:
    english = "The talks will go on, officials said. " * (SAMPLE_CHARS // 30)
    assert detect_language(english + "中文" * 5000) == "en"


def test_english_with_a_chinese_name_stays_english() -> None:
    text = (
        "Chinese leader Xi Jinping (习近平) met the president of Kazakhstan in Xi'an on Wednesday."
    )
    assert detect_language(text) == "en"


def test_gold_paragraphs_get_their_language() -> None:
    for line in GOLD.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        assert detect_language(row["text"]) == row["lang"], row["id"]


def test_every_voa_article_is_simplified_chinese() -> None:
    folder = SHARED / "corpus" / "voa"
    if not folder.is_dir():
        pytest.skip("../shared/corpus is not present")
    for path in sorted(folder.glob("*.md")):
        body = re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8").split("------", 1)[-1])
        assert detect_language(body) == "zh-Hans", path.name
