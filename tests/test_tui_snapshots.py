"""Snapshot tests pinning the main screens (update with `pytest --snapshot-update`, then look
at the SVGs in tests/__snapshots__ before committing them).

The annotate, review and help screens at 80x24, 120x40 and 200x50, on VOA text (Chinese, and
Chinese with a Latin name in it, tests/fixtures/tui/voa_units.json) and English: the unit
after a 327-character neighbour (unit 7113 of the VOA corpus) is drawn whole at every size,
Chinese wraps by CJK rules, the document line keeps its n/N at 80 columns.
"""

from __future__ import annotations

import pytest

from annotator.store.annotators import get_or_create_annotator
from annotator.store.engine import session_scope
from annotator.tui.launch import StoreContext
from annotator.tui.review.app import ReviewApp
from tests.support.tui import BIAS_QUICK, MEDIA_BIAS, make_app, make_store
from tests.support.voa_screens import ENGLISH, VOA, voa_store

DOC = [
    "美国国会周二就预算法案举行投票。",
    "The senator's reckless plan would gut school funding, critics said [bold]on Tuesday[/].",
    "白宫发言人说，这项计划“将为纳税人节省数十亿美元”。",
    "The vote is set for Thursday.",
]
SIZES = [(80, 24), (120, 40), (200, 50)]


def lead_id(ctx: StoreContext) -> int:
    with session_scope(ctx.engine) as s:
        return get_or_create_annotator(s, "lina", "lead").id


async def _settled(pilot) -> None:
    """Counts loaded, tokenizer warm: the screen as an annotator sees it after a moment."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_quick_pass_screen(tmp_path, snap_compare):
    app = make_app(make_store(tmp_path, BIAS_QUICK, docs=[DOC]))
    assert snap_compare(app, press=["1"], terminal_size=(80, 24), run_before=_settled)


def test_media_bias_all_tasks_shown(tmp_path, snap_compare):
    """Biased: the span and bias-type tasks appear; two words selected in mixed text."""
    app = make_app(make_store(tmp_path, MEDIA_BIAS, docs=[DOC]))
    press = ["1", "1", "3", "right", "right", "space", "shift+right"]
    assert snap_compare(app, press=press, terminal_size=(80, 24), run_before=_settled)


def test_help_screen(tmp_path, snap_compare):
    app = make_app(make_store(tmp_path, MEDIA_BIAS, docs=[DOC]))
    assert snap_compare(app, press=["question_mark"], terminal_size=(100, 30), run_before=_settled)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_annotate_after_a_very_long_neighbour(tmp_path, snap_compare, size):
    """The short subtitle after 327 characters of quote: whole, with the context around it
    cut to fit, and the long title cut before outlet · date · n/N."""
    app = make_app(voa_store(tmp_path, VOA["hk_identity"], done=3))
    assert snap_compare(app, terminal_size=size, run_before=_settled)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_annotate_mixed_chinese_and_latin(tmp_path, snap_compare, size):
    """（Adina Masalbekova） is never split, in the unit and in the word picker."""
    app = make_app(voa_store(tmp_path, VOA["central_asia"], done=3))
    assert snap_compare(app, press=["1"], terminal_size=size, run_before=_settled)


@pytest.mark.parametrize("size", [(80, 24), (200, 50)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_annotate_english(tmp_path, snap_compare, size):
    app = make_app(voa_store(tmp_path, ENGLISH, done=2))
    assert snap_compare(app, terminal_size=size, run_before=_settled)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_review(tmp_path, snap_compare, size):
    ctx = voa_store(tmp_path, VOA["central_asia"], done=3, opinions=True)
    app = ReviewApp(ctx, lead="lina", lead_id=lead_id(ctx))
    assert snap_compare(app, terminal_size=size, run_before=_settled)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_help_with_chinese_guidelines(tmp_path, snap_compare, size):
    """Keys first; the guidelines' paragraphs without stray spaces or breaks."""
    app = make_app(voa_store(tmp_path, VOA["hk_identity"], done=3))
    assert snap_compare(app, press=["question_mark"], terminal_size=size, run_before=_settled)


def test_loaded_words_underlined_at_80x24(tmp_path, snap_compare):
    """The schema's lexicon: its words underlined in the current sentence (English whole
    words in any case, Chinese anywhere), the context and the markup-like text untouched."""
    from annotator.assist.lexicon import Matcher

    hints = Matcher(["reckless", "Gut", "节省", "将为"])
    app = make_app(make_store(tmp_path, BIAS_QUICK, docs=[DOC]), hints=hints)
    assert snap_compare(app, press=["2"], terminal_size=(80, 24), run_before=_settled)
