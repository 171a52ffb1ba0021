"""The annotate screen's layout: the current unit is always whole on screen and context gives
way, the document line keeps n/N, the key hints keep their last key, help lists our keys first."""

from __future__ import annotations

import io

from rich.console import Console
from textual.widgets import Markdown, Static

from annotator.store.views import UnitView
from annotator.tui.screens.dialogs import HelpScreen
from annotator.tui.widgets.status import KeyHints
from annotator.tui.widgets.unit_view import UnitBox, context_depth, document_line, fit_context
from tests.support.tui import make_app
from tests.support.voa_screens import ENGLISH, VOA, voa_store


def test_the_current_unit_gets_its_rows_and_context_the_rest():
    # 3 rows of current in 10: 7 left, a third (2) after, 5 before.
    assert fit_context([4, 4], 3, [4], 10) == (5, 2)
    # Little after: before takes its room; little before: after takes it.
    assert fit_context([9], 3, [1], 10) == (6, 1)
    assert fit_context([1], 3, [9], 10) == (1, 6)
    # The current unit fills the box or more: no context at all.
    assert fit_context([5], 10, [5], 10) == (0, 0)
    assert fit_context([5], 14, [5], 10) == (0, 0)


def test_context_depth_follows_the_screen_within_the_schema():
    # Enough on each side to fill the box alone: near a document's start, what follows
    # takes the room the (missing) sentences before would have had.
    assert context_depth(2, 1, 50) == (40, 40)
    assert context_depth(2, 1, 24) == (24, 24)
    assert context_depth(2, 0, 24) == (24, 0)  # a side the schema leaves out stays out
    assert context_depth(0, 0, 50) == (0, 0)
    assert context_depth(5, 3, 4) == (5, 4)  # never fewer than the schema asks


def _line(renderable, width: int) -> str:
    console = Console(width=width, file=io.StringIO(), color_system=None, record=True)
    console.print(renderable)
    return console.export_text().rstrip("\n")


def test_the_document_line_keeps_date_and_position_when_the_title_is_long():
    view = UnitView(
        unit_id=1,
        document_id=1,
        position=3,
        kind="body",
        text="",
        tokens=None,
        title=VOA["hk_identity"]["title"] * 2,
        outlet="美国之音",
        published=None,
        lang="zh",
        url=None,
        doc_units=41,
    )
    for width in (40, 78, 198):
        line = _line(document_line(view), width)
        assert line.endswith("美国之音 · 4/41"), line
        assert ("…" in line) == (width < 150)  # the doubled title takes 122 cells
    short = _line(document_line(view.__class__(**{**view.__dict__, "title": "Short"})), 78)
    assert short == "Short  美国之音 · 4/41"


def box_lines(app) -> list[str]:
    return app.screen.query_one(UnitBox).render().plain.split("\n")


def current_lines(app) -> list[str]:
    return [line[2:] for line in box_lines(app) if line.startswith("▌ ")]


async def _settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_a_short_unit_after_a_very_long_neighbour_is_on_screen(tmp_path):
    """VOA unit 7113: a 13-character subtitle after a 327-character quote, at 80x24."""
    app = make_app(voa_store(tmp_path, VOA["hk_identity"], done=3))
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        assert current_lines(app) == ["身份认同感无关血统及出生地"]
        lines = box_lines(app)
        assert len(lines) == app.screen.query_one(UnitBox).content_size.height
        assert lines[-1].strip(), "the box is filled with context, down to the tasks"
        # The neighbour gave way: its last lines only, right above the current unit.
        assert lines[lines.index("▌ 身份认同感无关血统及出生地") - 1].endswith("影响了。”")


async def test_near_a_documents_start_what_follows_fills_the_box(tmp_path):
    """The second sentence of a long article at 200x50: one sentence before it, and the box
    filled with what follows, not left blank above."""
    doc = {"title": "长文", "units": [f"第{i}句话在这里。" for i in range(60)]}
    app = make_app(voa_store(tmp_path, doc, done=1))
    async with app.run_test(size=(200, 50)) as pilot:
        await _settle(pilot)
        lines = box_lines(app)
        assert current_lines(app) == ["第1句话在这里。"]
        assert all(line.strip() for line in lines), "no blank row in the box"
        assert lines[-1].strip().startswith("第") and len(lines) > 30


async def test_a_long_current_unit_is_whole_and_the_tasks_scroll(tmp_path):
    long = "这是一句很长的句子，" * 60  # 600 characters: 16 lines at 80 columns
    doc = {"title": "长句", "units": ["前一句。", long, "后一句。"]}
    app = make_app(voa_store(tmp_path, doc, done=1))
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        await pilot.press("1")  # biased: two more tasks appear below
        await _settle(pilot)
        assert "".join(current_lines(app)) == long
        tasks = app.screen.query_one("#tasks")
        assert tasks.region.bottom <= 24 - 2  # progress and key lines still on screen
        assert tasks.max_scroll_y > 0  # the tasks scroll instead


async def test_english_wraps_at_spaces(tmp_path):
    app = make_app(voa_store(tmp_path, ENGLISH, done=2))
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        assert current_lines(app) == [
            "Residents have filed more than 300 complaints since March, according to city",
            "records.",
        ]


async def test_the_key_hints_keep_the_palette_at_80_columns(tmp_path):
    app = make_app(voa_store(tmp_path, ENGLISH, done=2))
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        hints = app.screen.query_one(KeyHints)
        assert hints.render().plain.rstrip().endswith("Palette")
        assert hints.render().cell_len <= 80


async def test_help_shows_our_keys_first_and_the_guidelines_joined(tmp_path):
    app = make_app(voa_store(tmp_path, VOA["hk_identity"], done=3))
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        box = help_screen.query_one("#help-box")
        order = [child.id for child in box.children]
        assert order.index("keymap") < order.index("guidelines")
        keys = _line(help_screen.query_one("#keymap", Static).content, 100)
        # Ours only (the action table's words), not Textual's copy or focus keys.
        assert "copy" not in keys.lower() and "focus" not in keys.lower()
        assert "quit" in keys and "undo my last save" in keys
        guide = help_screen.query_one("#guidelines", Markdown).source
        assert "作者挑选了带偏见的转述动词" in guide
        assert "只给一方说法" in guide
