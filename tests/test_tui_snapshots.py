"""Snapshot tests pinning the main screens (update with `pytest --snapshot-update`, then look
at the SVGs in tests/__snapshots__ before committing them)."""

from __future__ import annotations

from tests.support.tui import BIAS_QUICK, MEDIA_BIAS, make_app, make_store

DOC = [
    "美国国会周二就预算法案举行投票。",
    "The senator's reckless plan would gut school funding, critics said [bold]on Tuesday[/].",
    "白宫发言人说，这项计划“将为纳税人节省数十亿美元”。",
    "The vote is set for Thursday.",
]


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
