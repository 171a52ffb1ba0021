"""Sentence splitting rules that a reader of the units would notice if they broke."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from annotator.ingest.sentences import split_sentences

SHARED = Path(__file__).resolve().parents[2] / "shared"
_SPACE = re.compile(r"\s+")
_CLOSERS = set("”’」』）)]】》\"'")


@pytest.mark.parametrize("text", ["", "   ", "\u3000\n", "\t "])
def test_blank_paragraph_gives_no_units(text: str) -> None:
    assert split_sentences(text) == []


def test_units_are_stripped_and_never_empty() -> None:
    units = split_sentences("  第一句。   第二句！  \n 第三句？  ")
    assert units == ["第一句。", "第二句！", "第三句？"]


def test_closing_quote_after_a_space_is_not_a_unit_of_its_own() -> None:
    assert split_sentences("他说：“我们去传承下去。 ”") == ["他说：“我们去传承下去。 ”"]
    units = split_sentences("句子结束了。 ” 然后是新的一句。")
    assert all(u not in _CLOSERS for u in units)


def test_punctuation_only_paragraph_stays_one_unit() -> None:
    assert split_sentences("……") == ["……"]
    assert split_sentences("。。。") == ["。。。"]


def test_long_quotation_is_split_inside_and_keeps_its_closing_mark() -> None:
    first = "我" * 70 + "。"
    second = "你" * 70 + "。"
    units = split_sentences(f"他说：“{first}{second}”然后走了。")
    assert units == [f"他说：“{first}", f"{second}”", "然后走了。"]


def test_short_quotation_with_several_sentences_stays_whole() -> None:
    text = "他说：“我们会来。你们等着。”"
    assert split_sentences(text) == [text]


def test_caption_date_and_credit_stay_with_the_caption() -> None:
    for caption in (
        "中国西安市民路过街头竖立的中亚峰会宣传牌。（2023年5月17日）",
        "行人走过香港街头。 (美国之音/汤惠芸)",
        "Protesters gather in Hong Kong. (AP Photo/Kin Cheung)",
    ):
        assert split_sentences(caption) == [caption]


def test_bracket_in_mid_paragraph_starts_the_next_sentence() -> None:
    text = "他走了。（2020年互联网大企业杀入）社区团购开始了。"
    assert split_sentences(text) == ["他走了。", "（2020年互联网大企业杀入）社区团购开始了。"]


def test_semicolon_does_not_end_a_sentence() -> None:
    text = "中共不代表中国人民，两者并不一样；过去大家都不谈这个。"
    assert split_sentences(text) == [text]


def test_numbers_and_initialisms_inside_chinese_do_not_split() -> None:
    text = "美国U.S.政府说，GDP增长3.5%，约合1.07亿美元。"
    assert split_sentences(text) == [text]


def test_a_dot_between_two_transcribed_names_is_no_full_stop() -> None:
    text = "拜登提名的杰克.萨利文(Jake Sullivan)第二天也发出推文。他说，澳美关系重要。"
    assert split_sentences(text) == [
        "拜登提名的杰克.萨利文(Jake Sullivan)第二天也发出推文。",
        "他说，澳美关系重要。",
    ]
    assert split_sentences("He met Mr.Smith. Then left.") == ["He met Mr.Smith.", "Then left."]


def test_quotations_ending_in_an_ellipsis_one_after_another_stay_one_sentence() -> None:
    text = "全书以“××平安”造句，例如:“眼平安、耳平安……”“1岁平安、2岁平安……”。下一句。"
    assert split_sentences(text) == [
        "全书以“××平安”造句，例如:“眼平安、耳平安……”“1岁平安、2岁平安……”。",
        "下一句。",
    ]


def test_other_languages_use_sentencex() -> None:
    text = "Der Präsident traf z. B. Dr. Müller in Berlin. Danach reiste er ab."
    assert split_sentences(text, "de") == [
        "Der Präsident traf z. B. Dr. Müller in Berlin.",
        "Danach reiste er ab.",
    ]


def test_unknown_language_code_falls_back_to_built_in_rules() -> None:
    assert split_sentences("One. Two.", "xx-unknown") == ["One.", "Two."]


def _voa_paragraphs() -> list[str]:
    folder = SHARED / "corpus" / "voa"
    if not folder.is_dir():
        pytest.skip("../shared/corpus is not present")
    paragraph = re.compile(r"<p[^>]*>(.*?)</p>", re.S)
    out: list[str] = []
    for path in sorted(folder.glob("*.md")):
        for m in paragraph.finditer(path.read_text(encoding="utf-8")):
            text = _SPACE.sub(" ", re.sub(r"<[^>]+>", "", m.group(1))).strip()
            if text:
                out.append(text)
    return out


def test_whole_voa_corpus_loses_nothing_and_leaves_no_stray_marks() -> None:
    paragraphs = _voa_paragraphs()
    units = 0
    for text in paragraphs:
        pieces = split_sentences(text, "zh-Hans")
        assert _SPACE.sub("", "".join(pieces)) == _SPACE.sub("", text)
        for piece in pieces:
            assert piece and piece == piece.strip()
            assert piece[0] not in "，、,；;：:。！？", piece  # no unit starts mid-clause
            assert not set(piece) <= _CLOSERS
        units += len(pieces)
    assert units > len(paragraphs)


def test_gold_fixture_is_valid_json_lines() -> None:
    gold = Path(__file__).parent / "fixtures" / "sentences" / "gold.jsonl"
    for line in gold.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        assert {"id", "lang", "case", "source", "text", "sentences"} <= row.keys()


def test_undetermined_language_keeps_the_built_in_rules() -> None:
    caption = "市民路过街头竖立的宣传牌。（2023年5月17日）"
    assert split_sentences(caption, "und") == [caption]
    assert split_sentences(caption, "zh-TW") == [caption]


def test_a_long_run_of_dots_still_ends_its_sentence_where_it_ends():
    from annotator.ingest.sentences import split_sentences

    text = "Wait" + "." * 40 + " Then it rained."
    assert split_sentences(text, "en") == ["Wait" + "." * 40, "Then it rained."]
