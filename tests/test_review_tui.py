"""Pilot tests: a lead settles disagreements on the review screen; check what was stored."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from sqlmodel import select
from textual.widgets import Static

from annotator.store.engine import session_scope
from annotator.store.models import Adjudication, AdjudicationEvent
from annotator.tui.launch import StoreContext
from annotator.tui.review.app import ReviewApp
from annotator.tui.review.model import Filters, parse_filters
from annotator.tui.review.screen import ReviewScreen
from annotator.tui.review.widgets import FilterBox
from annotator.tui.widgets.unit_view import UnitBox
from tests.support.review import SCHEMA, make_store, static_text


@pytest.fixture
def review(db_url):
    """The review screen's store, on SQLite and on PostgreSQL."""
    engine, pid, svid, units, _people, lead = make_store(db_url)
    ctx = StoreContext(engine, pid, "news", SCHEMA, svid)
    return ctx, units, lead


def app_for(ctx, lead, filters: Filters | None = None) -> ReviewApp:
    return ReviewApp(ctx, lead="lina", lead_id=lead, filters=filters)


async def settle(app, pilot) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def decided(ctx) -> dict[tuple[int, str], object]:
    with session_scope(ctx.engine) as s:
        return {(a.unit_id, a.task): a.value for a in s.exec(select(Adjudication)).all()}


async def test_a_label_key_decides_as_in_annotate_and_moves_on(review):
    ctx, units, lead = review
    app = app_for(ctx, lead)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        assert screen.item.unit_id == units[0]
        assert "doc 0 sentence 0" in screen.query_one(UnitBox).current_text()
        table = static_text(app, "#opinions")
        # Values as the annotators saw them: the label text, not the stored id.
        assert "alice" in table and "bob" in table and "Not biased" in table
        assert "non_biased" not in table
        await pilot.press("2")  # bias's key 2: Not biased, as in annotate
        assert decided(ctx) == {(units[0], "bias"): "non_biased"}
        assert screen.item.unit_id == units[3]  # the next unit, at once
        await pilot.press("left")
        assert screen.item.unit_id == units[0]
        assert "Not biased" in str(screen.query_one("#decision", Static).render())
    with session_scope(ctx.engine) as s:
        row = s.exec(select(Adjudication)).one()
    assert row.annotator_id == lead and row.created_at is not None


async def test_rows_are_chosen_with_the_arrows_and_enter_takes_the_chosen_value(review):
    ctx, units, lead = review
    app = app_for(ctx, lead)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("down", "down")  # bob's row
        assert "▶" in static_text(app, "#opinions")
        await pilot.press("enter")
    assert decided(ctx) == {(units[0], "bias"): "non_biased"}


async def test_enter_accepts_the_suggestion_and_help_lists_the_review_keys(review):
    ctx, units, lead = review
    app = app_for(ctx, lead)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert "Biased" in str(app.screen.query_one("#decision", Static).render())
        await pilot.press("enter")  # majority of alice, bob, chen: biased
        assert decided(ctx) == {(units[0], "bias"): "biased"}
        await pilot.press("2")  # opinion's key 2 on the next unit: Opinion
        await pilot.pause()
        hints = str(app.screen.query_one("#keys").render())
        assert "Label" in hints and "Quit" in hints and "Dash" in hints
        await pilot.press("question_mark")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        console = Console(width=100, record=True, file=io.StringIO(), color_system=None)
        console.print(app.screen.table)
        keys = console.export_text()
        assert "clear this decision" in keys and "opinion: Opinion" in keys
        await pilot.press("escape")
        assert isinstance(app.screen, ReviewScreen)
    assert decided(ctx) == {(units[0], "bias"): "biased", (units[3], "opinion"): "op"}


async def test_changing_and_clearing_a_decision_keep_the_history(review):
    ctx, _units, lead = review
    app = app_for(ctx, lead)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("1")  # biased
        await pilot.press("left", "2")  # back, then not biased
        await pilot.press("left", "u")  # back, clear (u: undo the decision)
        await pilot.pause()
    assert decided(ctx) == {}
    with session_scope(ctx.engine) as s:
        events = s.exec(select(AdjudicationEvent).order_by(AdjudicationEvent.id)).all()
    assert [(e.action, e.value, e.previous) for e in events] == [
        ("set", "biased", None),
        ("change", "non_biased", "biased"),
        ("clear", None, "non_biased"),
    ]


async def test_an_annotator_without_a_value_is_refused(review):
    ctx, units, lead = review
    app = app_for(ctx, lead, Filters(show="flagged"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.screen.item.unit_id == units[2]
        await pilot.press("down", "down", "enter")  # bob flagged it and gave no value
        message = str(app.screen.query_one("#message", Static).render())
        assert "bob gave no value for bias" in message
        await pilot.press("3")  # a key of bias_type, not of bias: refused, not guessed
        assert "3: not a key of bias" in str(app.screen.query_one("#message", Static).render())
        # The comment is shown as typed: markup stays text.
        assert "[bold]split badly[/]" in static_text(app, "#opinions")
    assert decided(ctx) == {}


async def test_filter_box_narrows_the_queue_and_multi_values_are_picked(review):
    ctx, units, lead = review
    app = app_for(ctx, lead)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash")
        box = app.screen
        assert isinstance(box, FilterBox)
        box.query_one("#filter-input").value = "show:flagged task:bias_type"
        await pilot.press("enter")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        assert [(i.unit_id, i.tasks) for i in screen.items] == [(units[2], ("bias_type",))]
        await pilot.press("3", "1", "enter")  # epis + word, toggled with the label keys
        await pilot.pause()
        await pilot.press("slash")
        app.screen.query_one("#filter-input").value = "who:zed"
        await pilot.press("enter")
        await settle(app, pilot)
        assert "no annotator called zed" in str(app.screen.query_one("#message", Static).render())
    assert decided(ctx) == {(units[2], "bias_type"): ["word", "epis"]}


async def test_ctrl_d_opens_the_dashboard_and_escape_comes_back(review):
    from annotator.tui.dashboard.screen import DashboardScreen

    ctx, _, lead = review
    app = app_for(ctx, lead)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+d")
        await settle(app, pilot)
        assert isinstance(app.screen, DashboardScreen)
        assert app.screen.per_annotator  # a lead sees per-annotator rows
        await pilot.press("escape")
        assert isinstance(app.screen, ReviewScreen)
        await pilot.press("q")
    assert app.return_code == 0


async def test_an_empty_queue_says_so(review):
    ctx, _, lead = review
    app = app_for(ctx, lead, Filters(task="bias_type"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert "Nothing to review" in str(app.screen.query_one("#message", Static).render())
        await pilot.press("1", "enter", "right", "down", "u")  # nothing to act on: no harm
        assert isinstance(app.screen, ReviewScreen)
    assert decided(ctx) == {}


def test_filter_lines_parse_and_explain_mistakes():
    f = parse_filters("show:all task:bias doc:'Storm hits' who:alice,bob")
    assert f == Filters(show="all", task="bias", document="Storm hits", who=("alice", "bob"))
    assert parse_filters(f.describe()) == f
    assert parse_filters("task:", f).task is None
    with pytest.raises(ValueError, match="show:some"):
        parse_filters("show:some")
    with pytest.raises(ValueError, match="use task:"):
        parse_filters("bias")
