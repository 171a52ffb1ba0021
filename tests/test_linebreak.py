"""The line breaker: Chinese wraps by the usual CJK rules, English at spaces, nothing is lost."""

from __future__ import annotations

import itertools
import random
import re

import pytest
from rich.cells import cell_len
from rich.text import Text

from annotator.tui.linebreak import break_lines, join_soft_breaks, wrap, wrap_text

NAME = (
    "路透社引用比什凯克欧安（吉尔吉斯斯坦首都）组织学院研究员阿迪娜·玛萨尔别科娃"
    "（Adina Masalbekova）的话说，“北京希望推动一个新的全球秩序，并试图说服中亚国家，"
    "让它们相信这个新的全球秩序对它们来说会更好。”"
)
LONG = (
    "王逸战说：“其实我觉得这条红线真的愈来愈厉害，但是我们现在想的是如何在有限空间继续生存，"
    "继续传承这个文化，如果我想到有一个破局的方法，香港早就‘重光'了，可能不一定是‘黄'"
    "(支持反送中)，或者你会知道每一件事好与坏。”"
)
MIXED = "价格上涨了64%，达到3.5亿美元，U.S.官员周二在Washington, D.C.说：“这是2020年的新高。”"
ENGLISH = "The senator's reckless plan would gut school funding, critics said on Tuesday."
CLOSING = "，。、；：！？）」』》〉】…%"
OPENING = "（「『《〈【“‘"


def check(text: str, width: int) -> list[str]:
    """Lines of `text`, after checking what every wrap must hold."""
    lines = wrap(text, width)
    for line in lines:
        assert cell_len(line) <= width, (line, width)
    for before, after in itertools.pairwise(lines):
        assert after[:1] not in CLOSING, f"line starts with closing punctuation: {after!r}"
        assert before[-1:] not in OPENING, f"line ends with opening punctuation: {before!r}"
        assert not after.startswith(" ") and not before.endswith(" ")
    # Nothing but the spaces at the breaks is lost.
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    return lines


def words_intact(lines: list[str], words: list[str]) -> None:
    for word in words:
        assert any(word in line for line in lines), f"{word!r} was broken: {lines}"


@pytest.mark.parametrize("width", range(14, 90, 5))
def test_a_latin_name_in_chinese_is_never_split(width):
    lines = check(NAME, width)
    words_intact(lines, ["（Adina", "Masalbekova）"])


def test_the_name_breaks_only_at_its_space_or_around_it():
    assert check(NAME, 41)[2].startswith("（Adina Masalbekova）")
    lines = check(NAME, 30)
    assert "（Adina" in lines[2] and lines[3].startswith("Masalbekova）")


@pytest.mark.parametrize("width", range(12, 80, 5))
def test_numbers_and_abbreviations_hold(width):
    lines = check(MIXED, width)
    words_intact(lines, ["64%", "3.5", "U.S.", "2020", "Washington,"])


@pytest.mark.parametrize("width", [10, 17, 24, 38, 40, 76, 196])
def test_long_chinese_never_starts_a_line_with_punctuation(width):
    check(LONG, width)


def test_a_line_that_would_start_with_a_comma_gives_it_a_character():
    # 9 hanzi then "，": at 18 cells the comma cannot start line 2, so 达 moves down with it.
    lines = check("一二三四五六七八达，九十", 18)
    assert lines == ["一二三四五六七八", "达，九十"]


def test_english_wraps_at_spaces_like_print():
    assert check(ENGLISH, 20) == [
        "The senator's",
        "reckless plan would",
        "gut school funding,",
        "critics said on",
        "Tuesday.",
    ]
    assert check(ENGLISH, 200) == [ENGLISH]


def test_a_word_wider_than_the_line_is_cut_to_fit():
    url = "https://www.voachinese.com/a/hong-kong-identity-index-20201225/5712345.html"
    lines = check(f"见{url}。", 20)
    assert all(cell_len(line) <= 20 for line in lines)
    assert "".join(lines) == f"见{url}。"


def test_wide_characters_and_emoji_count_two_cells_and_stay_whole():
    text = "点赞👍🏽👨‍👩‍👧很好，😀😀😀😀😀😀😀😀"
    for width in range(4, 20):
        lines = check(text, width)
        assert "👍🏽" in "|".join(lines)  # the skin tone stays on its hand
        if width >= 6:
            assert "👨‍👩‍👧" in "|".join(lines)  # a family emoji is not split
    assert wrap(text, 2)[:3] == ["点", "赞", "👍🏽"]


def test_a_line_feed_is_a_break_and_empty_text_one_line():
    assert wrap("第一行\n第二行", 40) == ["第一行", "第二行"]
    assert wrap("", 10) == [""]
    assert break_lines("abc   ", 10) == [(0, 3)]


def test_width_one_still_makes_progress():
    assert wrap("中文ab", 1) == ["中", "文", "a", "b"]


def test_rich_text_keeps_its_styles_per_line():
    text = Text("有偏见的词：")
    text.append("悍然", style="bold")
    text.append("出兵，Adina said")
    lines = wrap_text(text, 10)
    assert [line.plain for line in lines] == [line for line in wrap(text.plain, 10)]
    bold = [line for line in lines if any(span.style == "bold" for span in line.spans)]
    assert bold and "悍然" in bold[0].plain


GUIDE = """# 指南 · Guide

直接引语：如果作者挑选了
  带偏见的转述动词（“狡辩称”），选“有偏见”。

- **有偏见**：用词带感情色彩、片面地只给一方
  说法、把推测写成事实。
- **Biased**: loaded or emotional words, only one side's
  account.
1. 第一项
2. 第二项

Ends with a hard break\\
next line

```
代码 不动
不动
```
"""


def test_soft_breaks_join_chinese_without_a_space_and_english_with_one():
    out = join_soft_breaks(GUIDE)
    assert "挑选了带偏见的转述动词" in out
    assert "只给一方说法" in out
    assert "one side's account." in out
    assert "1. 第一项\n2. 第二项" in out  # list items stay items
    assert "hard break\\\nnext line" in out
    assert "```\n代码 不动\n不动\n```" in out
    assert out.startswith("# 指南 · Guide\n\n")
    assert not re.search(r"[\u4e00-\u9fff] [\u4e00-\u9fff]", out.split("```")[0])


def test_english_is_broken_the_same_by_the_faster_path():
    """ASCII text takes a word-by-word path: it must find the lines the rules find."""
    from annotator.tui.linebreak import _break_any, _break_ascii

    words = ["a", "senator's", "U.S.", "3.5", "(x)", "f(x)", "end.", "x" * 30, "64%", "\n", " "]
    rnd = random.Random(7)
    for _ in range(2000):
        text = " ".join(rnd.choice(words) for _ in range(rnd.randint(1, 14)))
        width = rnd.randint(1, 40)
        assert _break_ascii(text, width) == _break_any(text, width), (text, width)
