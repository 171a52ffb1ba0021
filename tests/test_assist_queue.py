"""The queue orders that read the model's scores (uncertain, balanced): their order, their
random share, and the teams guarantee (a unit handed out is leased: no double work beyond
the overlap), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from annotator.store import assist_models, leases
from annotator.store.annotators import get_or_create_annotator
from annotator.store.engine import session_scope
from annotator.store.queue import Queue
from tests.support.queue import settle_and_save


@pytest.fixture
def clock(monkeypatch):
    now = [1_000_000_000]
    monkeypatch.setattr(leases, "now_ms", lambda: now[0])
    return now


# Project p's six units: (confidence, minority) by position; unit 5 was never scored.
SCORES = [(0.9, 0.1), (0.55, 0.2), (0.7, 0.9), (0.51, 0.5), (0.8, 0.6)]


@pytest.fixture
def scored(queue_store):
    engine, ids, alice, bob = queue_store
    pid, sv, units = ids["p"]
    rows = [(u, c, m) for u, (c, m) in zip(units, SCORES, strict=False)]
    with session_scope(engine) as s:
        assist_models.replace_scores(s, pid, [rows])
    return engine, pid, sv, units, alice, bob


def walk(engine, queue: Queue, who: int, sv: int, n: int = 10) -> list[int]:
    """Take and label units one after another, as a person would; the units in turn."""
    got = []
    for _ in range(n):
        with session_scope(engine) as s:
            uid = queue.next(s)
        if uid is None:
            break
        got.append(uid)
        settle_and_save(engine, uid, who, sv)
    return got


def test_uncertain_gives_the_least_confident_first_then_the_unscored(scored, clock):
    engine, pid, sv, units, alice, _ = scored
    q = Queue(project_id=pid, annotator_id=alice, order="uncertain", explore=0.0)
    got = walk(engine, q, alice, sv)
    assert got == [units[3], units[1], units[2], units[4], units[0], units[5]]


def test_balanced_gives_the_likeliest_rare_label_first(scored, clock):
    engine, pid, sv, units, alice, _ = scored
    q = Queue(project_id=pid, annotator_id=alice, order="balanced", explore=0.0)
    assert walk(engine, q, alice, sv, n=5) == [units[i] for i in (2, 4, 3, 1, 0)]


def test_a_random_share_of_one_is_the_random_order(scored, clock):
    engine, pid, sv, units, alice, _ = scored
    ranked = Queue(project_id=pid, annotator_id=alice, order="uncertain", explore=1.0, seed=7)
    plain = Queue(project_id=pid, annotator_id=alice, order="random", seed=7)
    got = walk(engine, ranked, alice, sv)
    assert got != [units[i] for i in (3, 1, 2, 4, 0, 5)]  # not the ranked order
    with session_scope(engine) as s:
        s.execute(text("DELETE FROM annotation"))
    assert walk(engine, plain, alice, sv) == got


def test_the_random_share_comes_from_the_project_setting(scored, clock):
    engine, pid, _sv, _units, alice, _ = scored
    with session_scope(engine) as s:
        assist_models.change_settings(s, pid, explore=1.0)
    q = Queue(project_id=pid, annotator_id=alice, order="uncertain", seed=3)
    with session_scope(engine) as s:
        q.next(s)
    assert q.explore == 1.0


def test_a_share_mixes_random_units_into_the_ranked_ones(scored, clock):
    engine, pid, _sv, units, alice, _ = scored
    # Over many seeds about half the first units are not the least confident one.
    firsts = []
    for seed in range(40):
        with session_scope(engine) as s:
            firsts.append(
                Queue(
                    project_id=pid, annotator_id=alice, order="uncertain", explore=0.5, seed=seed
                ).next(s)
            )
    share = sum(u != units[3] for u in firsts) / len(firsts)
    assert 0.2 < share < 0.7  # a random pick is units[3] one time in six


def test_a_failed_save_puts_the_ranked_walk_back(scored, clock):
    engine, pid, _sv, _units, alice, _ = scored
    q = Queue(project_id=pid, annotator_id=alice, order="uncertain", explore=0.5, seed=1)
    with session_scope(engine) as s:
        before = q.position()
        first = q.next(s)
    q.restore(before)
    with session_scope(engine) as s:
        assert q.next(s) == first


def _done_counts(engine) -> dict[int, int]:
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT unit_id, count(*) FROM annotation WHERE status = 'done' GROUP BY unit_id")
        )
        return {u: n for u, n in rows}


@pytest.mark.parametrize("order", ["uncertain", "balanced"])
def test_two_annotators_on_a_ranked_order_never_share_a_unit(scored, clock, order):
    engine, pid, sv, units, alice, bob = scored
    qa = Queue(project_id=pid, annotator_id=alice, order=order, explore=0.3, seed=1)
    qb = Queue(project_id=pid, annotator_id=bob, order=order, explore=0.3, seed=1)
    mine: dict[int, list[int]] = {alice: [], bob: []}
    for _ in range(len(units)):
        # Both ask before either saves: the unit on one screen is held from the other.
        with session_scope(engine) as s:
            a = qa.next(s)
        with session_scope(engine) as s:
            b = qb.next(s)
        assert a is None or a != b
        for who, uid in ((alice, a), (bob, b)):
            if uid is not None:
                settle_and_save(engine, uid, who, sv)
                mine[who].append(uid)
    assert not set(mine[alice]) & set(mine[bob])
    assert _done_counts(engine) == {u: 1 for u in units}  # every unit, once


def test_with_overlap_two_no_unit_gets_a_third_annotator(scored, clock):
    engine, pid, sv, units, alice, bob = scored
    with session_scope(engine) as s:
        carol = get_or_create_annotator(s, "carol").id
    queues = {
        who: Queue(
            project_id=pid, annotator_id=who, order="uncertain", overlap=2, explore=0.3, seed=who
        )
        for who in (alice, bob, carol)
    }
    for _ in range(len(units)):
        held = {}
        for who, q in queues.items():
            with session_scope(engine) as s:
                held[who] = q.next(s)
        for who, uid in held.items():
            if uid is not None:
                settle_and_save(engine, uid, who, sv, overlap=2)
    counts = _done_counts(engine)
    assert max(counts.values()) == 2
    assert sum(counts.values()) == 2 * len(units)


def test_two_sessions_on_uncertain_label_disjoint_units_least_confident_first(
    tmp_path, db_url, clock
):
    from tests.support.tui import BIAS_QUICK, TEXTS, make_store, sessions_for, stored

    ctx = make_store(tmp_path, BIAS_QUICK, url=db_url)
    with session_scope(ctx.engine) as s:
        units = [r[0] for r in s.execute(text("SELECT id FROM unit ORDER BY id"))]
        # Least confident: TEXTS[2], then 0, 3, 1.
        rows = [(units[i], c, 0.5) for i, c in ((0, 0.6), (1, 0.9), (2, 0.5), (3, 0.7))]
        assist_models.replace_scores(s, ctx.project_id, [rows])
        assist_models.change_settings(s, ctx.project_id, explore=0.0)
    alice, bob = sessions_for(ctx, "alice", "bob", order="uncertain")
    assert alice.open_first().text == TEXTS[2]
    assert bob.open_first().text == TEXTS[0]  # TEXTS[2] is on Alice's screen
    assert alice.save({"bias": "biased"}).text == TEXTS[3]
    assert bob.save({"bias": "biased"}).text == TEXTS[1]
    assert alice.save({"bias": "biased"}) is None
    assert bob.save({"bias": "biased"}) is None
    assert set(stored(ctx)) == set(TEXTS)  # every unit once


def test_a_session_follows_a_new_training_without_a_restart(scored, clock):
    engine, pid, sv, units, alice, _ = scored
    q = Queue(project_id=pid, annotator_id=alice, order="uncertain", explore=0.0)
    assert walk(engine, q, alice, sv, n=1) == [units[3]]
    with session_scope(engine) as s:  # the lead trains again: unit 0 is now the least sure
        rows = [(units[0], 0.1, 0.5), (units[1], 0.9, 0.5), (units[2], 0.8, 0.5)]
        assist_models.replace_scores(s, pid, [rows])
        assist_models.save_model(
            s,
            project_id=pid,
            task="bias",
            task_type="single",
            schema_version_id=sv,
            label_ids=[],
            label_count=1,
            event_mark=0,
            weights=b"-",
            seconds=0.0,
        )
    assert walk(engine, q, alice, sv, n=3) == [units[0], units[2], units[1]]
