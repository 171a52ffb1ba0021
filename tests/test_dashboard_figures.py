"""The dashboard: its figures, its charts, and who sees per-annotator rows."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from textual.widgets import ProgressBar, Static

from annotator.analysis.agreement import compute_agreement
from annotator.store.engine import session_scope
from annotator.store.labels_query import fetch_labels
from annotator.tui.dashboard.charts import distribution, hbar, sparkline
from annotator.tui.dashboard.data import load_dashboard
from annotator.tui.dashboard.screen import DashboardApp, DashboardScreen
from annotator.tui.launch import StoreContext
from tests.support.review import SCHEMA, make_store


@pytest.fixture
def ctx(sqlite_url) -> StoreContext:
    engine, pid, svid, *_ = make_store(sqlite_url)
    return StoreContext(engine, pid, "news", SCHEMA, svid)


def test_progress_distribution_and_alpha_match_the_store(ctx):
    data = load_dashboard(ctx, per_annotator=True)
    assert (data.total_units, data.labelled_units, data.complete_units) == (6, 4, 4)
    assert [(a.name, a.done, a.flagged) for a in data.annotators] == [
        ("alice", 4, 0),
        ("bob", 2, 1),
        ("chen", 4, 0),
    ]
    tasks = {t.name: t for t in data.tasks}
    assert tasks["bias"].distribution == [("biased", 4), ("non_biased", 6)]
    with session_scope(ctx.engine) as s:
        report = compute_agreement(SCHEMA, fetch_labels(s, ctx.project_id))
    expected = next(t.alpha.value for t in report.tasks if t.name == "bias")
    assert tasks["bias"].value == expected
    # The last point of "alpha as annotation goes on" is alpha on everything.
    assert tasks["bias"].history and tasks["bias"].history[-1] == expected


def test_per_annotator_rows_only_when_asked(ctx):
    assert load_dashboard(ctx, per_annotator=False).annotators == []


def test_alpha_history_follows_the_order_labels_were_made(ctx):
    # Make unit 1's disagreement the newest labels: early prefixes then agree fully.
    with session_scope(ctx.engine) as s:
        s.execute(text("UPDATE annotation SET created_at = '2001-01-01 00:00:00'"))
        first = s.execute(text("SELECT min(unit_id) FROM annotation")).scalar_one()
        s.execute(
            text("UPDATE annotation SET created_at = '2030-01-01 00:00:00' WHERE unit_id = :u"),
            {"u": first},
        )
    history = {t.name: t.history for t in load_dashboard(ctx, per_annotator=True).tasks}
    bias = history["bias"]
    assert bias[0] == 1.0 and bias[-1] < 1.0


def test_charts_draw_on_a_fixed_scale():
    assert hbar(0.5, 10).plain == "█" * 5 + "·" * 5
    assert hbar(1.5, 4).plain == "████" and hbar(-1, 4).plain == "····"
    assert len(hbar(0.33, 12).plain) == 12
    line = sparkline([0.0, 0.5, 1.0, -0.2])
    assert line.plain == "▁▅█▁"
    assert line.spans[-1].style == "red"  # below zero, marked
    # Nearly equal values stay nearly equal (Textual's Sparkline would stretch them).
    assert len(set(sparkline([0.41, 0.42, 0.43]).plain)) == 1
    dist = distribution([("biased", 3), ("\x1b[31mred", 1)], 8).plain.splitlines()
    assert dist[0].startswith("biased") and "3 (75%)" in dist[0]
    assert "\x1b" not in dist[1] and "␛[31mred" in dist[1]


def _shown(app) -> str:
    return "\n".join(str(w.render()) for w in app.screen.query(Static))


async def test_dashboard_app_hides_names_from_non_leads(ctx):
    app = DashboardApp(ctx, per_annotator=False, note="per-annotator figures are for leads")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        shown = _shown(app)
        assert "Agreement" in shown and "bias" in shown
        assert "4 of 6 units labelled" in shown
        assert "alice" not in shown and "for leads" in shown
        assert app.screen.query_one("#overall", ProgressBar).progress == 4
        await pilot.press("q")
    assert app.return_code == 0


async def test_dashboard_screen_shows_each_annotator_to_a_lead(ctx):
    app = DashboardApp(ctx, per_annotator=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        shown = _shown(app)
        assert "alice" in shown and "2 done · 1 flagged" in shown
        bars = [b.progress for b in app.screen.query(ProgressBar)]
        assert bars == [4, 4, 2, 4]  # overall, alice, bob, chen
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "alice" in _shown(app)
