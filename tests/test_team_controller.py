"""The annotation session without the screen, with several people on one store (SQLite and
PostgreSQL), and the annotate screen driven with keys on both."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import text

from annotator.store import leases
from annotator.tui.controller import LeaseLost
from tests.support.tui import (
    BIAS_QUICK,
    TEXTS,
    make_app,
    make_store,
    screen_text,
    sessions_for,
    stored,
)


@pytest.fixture
def clock(monkeypatch):
    now = [1_000_000_000]
    monkeypatch.setattr(leases, "now_ms", lambda: now[0])
    return now


def test_two_sessions_label_disjoint_units_and_every_label_is_kept(tmp_path, db_url, clock):
    ctx = make_store(tmp_path, BIAS_QUICK, url=db_url)
    alice, bob = sessions_for(ctx, "alice", "bob")
    shown = {alice.open_first().text, bob.open_first().text}
    assert shown == {TEXTS[0], TEXTS[1]}
    views = [alice.save({"bias": "biased"}), bob.save({"bias": "non_biased"})]
    assert {v.text for v in views} == {TEXTS[2], TEXTS[3]}
    assert alice.save({"bias": "biased"}) is None  # nothing left that is not someone's
    assert bob.save({"bias": "biased"}) is None
    labels = stored(ctx)
    assert set(labels) == set(TEXTS)  # every unit once, nobody's work twice


def test_undo_gives_the_unit_back_to_me_not_to_the_next_person(tmp_path, db_url, clock):
    ctx = make_store(tmp_path, BIAS_QUICK, url=db_url)
    alice, bob = sessions_for(ctx, "alice", "bob")
    alice.open_first()
    alice.save({"bias": "biased"})
    assert alice.undo().text == TEXTS[0]
    # 0 is on Alice's screen again; the unit she had been given next is free for Bob.
    assert bob.open_first().text == TEXTS[1]
    assert alice.save({"bias": "biased"}).text == TEXTS[2]


def test_leaving_lets_the_others_have_my_unit_and_remembers_my_place(tmp_path, db_url, clock):
    ctx = make_store(tmp_path, BIAS_QUICK, url=db_url)
    alice, bob = sessions_for(ctx, "alice", "bob")
    alice.open_first()
    alice.save({"bias": "biased"})
    alice.leave()
    assert bob.open_first().text == TEXTS[1]
    with ctx.engine.connect() as conn:
        floor = conn.execute(
            text("SELECT floor FROM queueposition WHERE annotator_id = :a"),
            {"a": alice.annotator_id},
        ).scalar_one()
    assert floor >= 1


def test_a_hold_lapses_without_keys_and_the_late_save_is_refused(tmp_path, db_url, clock):
    ctx = make_store(tmp_path, BIAS_QUICK, url=db_url)
    (alice,) = sessions_for(ctx, "alice", lease_seconds=60)
    (bob,) = sessions_for(ctx, "bob")
    alice.open_first()
    clock[0] += 120_000
    assert bob.open_first().text == TEXTS[0]
    bob.save({"bias": "non_biased"})
    assert not alice.keep_alive_now()
    with pytest.raises(LeaseLost):
        alice.save({"bias": "biased"})
    assert alice.view.text == TEXTS[0]  # nothing moved: the choice can be read and dropped
    assert stored(ctx)[TEXTS[0]] == ("done", {"bias": "non_biased"})


def test_overlap_two_three_people_exactly_two_labels_per_unit(tmp_path, db_url, clock):
    ctx = make_store(tmp_path, dataclasses.replace(BIAS_QUICK, overlap=2), url=db_url)
    people = sessions_for(ctx, "a", "b", "c")
    views = [p.open_first() for p in people]
    while any(v is not None for v in views):
        pairs = zip(people, views, strict=True)
        views = [p.save({"bias": "biased"}) if v else None for p, v in pairs]
    with ctx.engine.connect() as conn:
        counts = conn.execute(
            text("SELECT count(*) FROM annotation GROUP BY unit_id ORDER BY unit_id")
        ).scalars()
        assert list(counts) == [2] * len(TEXTS)


async def test_the_annotate_screen_labels_on_both_stores(tmp_path, db_url):
    ctx = make_store(tmp_path, BIAS_QUICK, url=db_url)
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("1", "2")
        await pilot.pause()
        assert TEXTS[2] in screen_text(app)
    assert stored(ctx) == {
        TEXTS[0]: ("done", {"bias": "biased"}),
        TEXTS[1]: ("done", {"bias": "non_biased"}),
    }
    with ctx.engine.connect() as conn:  # quitting let go of the third sentence
        assert conn.execute(text("SELECT count(*) FROM lease")).scalar_one() == 0


async def test_the_screen_says_when_a_lapsed_unit_was_taken(tmp_path, db_url, clock):
    ctx = make_store(tmp_path, BIAS_QUICK, url=db_url)
    app = make_app(ctx, lease_seconds=60)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        clock[0] += 120_000
        (bob,) = sessions_for(ctx, "bob")
        bob.open_first()
        bob.save({"bias": "non_biased"})
        await pilot.press("1")
        await pilot.pause()
        shown = app.screen.query_one("#message").render()
        assert "others have labelled it" in str(shown)
        assert TEXTS[0] in screen_text(app)  # still on screen, with the choice made
        await pilot.press("right")
        await pilot.pause()
        assert TEXTS[2] in screen_text(app)
    assert stored(ctx)[TEXTS[0]] == ("done", {"bias": "non_biased"})


def test_a_label_saved_before_the_next_unit_failed_to_load_is_kept(tmp_path, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from annotator.store import units
    from annotator.tui.controller import NotShown

    ctx = make_store(tmp_path, BIAS_QUICK)
    (alice,) = sessions_for(ctx, "alice")
    alice.open_first()
    real = units.load_unit

    def gone(*a, **kw):
        raise OperationalError("SELECT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(units, "load_unit", gone)
    with pytest.raises(NotShown):
        alice.save({"bias": "biased"})
    assert stored(ctx)[TEXTS[0]] == ("done", {"bias": "biased"})
    assert alice.saved_status == "done"  # the screen shows it as saved
    monkeypatch.setattr(units, "load_unit", real)
    assert alice.following().text == TEXTS[1]
