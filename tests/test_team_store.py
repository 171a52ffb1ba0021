"""Many annotators on one store: leases, the queue, and saves that recheck, on SQLite and
PostgreSQL alike (the `store` fixture runs on both)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from annotator.store import leases
from annotator.store.annotators import get_or_create_annotator
from annotator.store.engine import session_scope
from annotator.store.leases import LeaseLost
from annotator.store.models import Assignment, Unit
from annotator.store.queue import Queue
from tests.support.queue import save_label, settle_and_save


@pytest.fixture
def clock(monkeypatch):
    """The lease clock, moved by hand: [now in ms]."""
    now = [1_000_000_000]
    monkeypatch.setattr(leases, "now_ms", lambda: now[0])
    return now


def _next(engine, queue: Queue, current: int | None = None) -> int | None:
    with session_scope(engine) as s:
        return queue.next(s, current=current)


def _done_counts(engine) -> dict[int, int]:
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT unit_id, count(*) FROM annotation WHERE status = 'done' GROUP BY unit_id")
        )
        return {u: n for u, n in rows}


def test_people_starting_together_get_different_units(queue_store, clock):
    engine, ids, alice, bob = queue_store
    pid, _, units = ids["p"]
    qa, qb = Queue(project_id=pid, annotator_id=alice), Queue(project_id=pid, annotator_id=bob)
    assert _next(engine, qa) == units[0]
    assert _next(engine, qb) == units[1]  # the first unit is on Alice's screen
    # Asking again (a restart, another tab) gives Alice the unit she already holds.
    assert _next(engine, Queue(project_id=pid, annotator_id=alice)) == units[0]


def test_overlap_two_lets_two_people_hold_a_unit_but_not_three(queue_store, clock):
    engine, ids, alice, bob = queue_store
    pid, _, units = ids["p"]
    with session_scope(engine) as s:
        carol = get_or_create_annotator(s, "carol").id
    got = [
        _next(engine, Queue(project_id=pid, annotator_id=who, overlap=2))
        for who in (alice, bob, carol)
    ]
    assert got == [units[0], units[0], units[1]]


def test_a_lapsed_lease_goes_to_the_next_person_and_the_late_save_is_refused(
    queue_store,
    clock,
):
    engine, ids, alice, bob = queue_store
    pid, sv, units = ids["p"]
    assert _next(engine, Queue(project_id=pid, annotator_id=alice, lease_seconds=60)) == units[0]
    clock[0] += 61_000  # Alice's laptop was closed for a minute
    assert _next(engine, Queue(project_id=pid, annotator_id=bob)) == units[0]
    settle_and_save(engine, units[0], bob, sv)
    with pytest.raises(LeaseLost):
        settle_and_save(engine, units[0], alice, sv)
    assert _done_counts(engine) == {units[0]: 1}


def test_a_lapsed_lease_nobody_took_still_saves(queue_store, clock):
    engine, ids, alice, _ = queue_store
    pid, sv, units = ids["p"]
    assert _next(engine, Queue(project_id=pid, annotator_id=alice, lease_seconds=60)) == units[0]
    clock[0] += 3_600_000
    settle_and_save(engine, units[0], alice, sv)  # never lose a label that still fits
    assert _done_counts(engine) == {units[0]: 1}


def test_the_holder_saves_even_when_others_saved_without_a_lease(queue_store, clock):
    engine, ids, alice, bob = queue_store
    pid, sv, units = ids["p"]
    assert _next(engine, Queue(project_id=pid, annotator_id=alice)) == units[0]
    save_label(engine, units[0], bob, sv)  # say, a `labels import` meanwhile
    settle_and_save(engine, units[0], alice, sv)
    assert _done_counts(engine) == {units[0]: 2}


def test_skip_releases_and_renew_touches_only_my_own_lease(queue_store, clock):
    engine, ids, alice, bob = queue_store
    pid, _, units = ids["p"]
    assert _next(engine, Queue(project_id=pid, annotator_id=alice)) == units[0]
    with session_scope(engine) as s:
        assert not leases.renew(s, unit_id=units[0], annotator_id=bob)
        assert leases.live_leases(s, project_id=pid) == {alice: 1}
        leases.release(s, unit_id=units[0], annotator_id=alice)  # what a skip does
    assert _next(engine, Queue(project_id=pid, annotator_id=bob)) == units[0]


def test_holding_a_new_unit_lets_go_of_the_previous_one(queue_store, clock):
    engine, ids, alice, bob = queue_store
    pid, _, units = ids["p"]
    qa = Queue(project_id=pid, annotator_id=alice)
    with session_scope(engine) as s:
        assert qa.claim(s, units[0])
        assert qa.claim(s, units[4])  # jumped to another document from the palette
        assert leases.live_leases(s, project_id=pid) == {alice: 1}
    assert _next(engine, Queue(project_id=pid, annotator_id=bob)) == units[0]


def test_a_unit_held_by_someone_else_is_not_passed_for_good(queue_store, clock):
    engine, ids, alice, bob = queue_store
    pid, sv, units = ids["p"]
    qa, qb = Queue(project_id=pid, annotator_id=alice), Queue(project_id=pid, annotator_id=bob)
    assert _next(engine, qa) == units[0]
    assert _next(engine, qb) == units[1]
    with session_scope(engine) as s:
        leases.release_all(s, project_id=pid, annotator_id=alice)  # Alice leaves
    settle_and_save(engine, units[1], bob, sv)
    assert _next(engine, qb, current=units[1]) == units[0]  # it comes back to Bob


def test_skipped_units_come_back_only_while_they_have_room(queue_store, clock):
    engine, ids, alice, bob = queue_store
    pid, sv, units = ids["p"]
    for u in units:
        save_label(engine, u, alice, sv, status="skipped")
    for u in units[:-1]:
        save_label(engine, u, bob, sv)
    qa = Queue(project_id=pid, annotator_id=alice)
    assert _next(engine, qa) == units[-1]  # the others are full: no double work


def test_assigned_documents_go_only_to_their_annotators(queue_store, clock):
    engine, ids, alice, bob = queue_store
    pid, _, units = ids["p"]
    with session_scope(engine) as s:
        doc0 = s.get(Unit, units[0]).document_id
        s.add(Assignment(project_id=pid, document_id=doc0, annotator_id=alice))
    qb = Queue(project_id=pid, annotator_id=bob)
    assert _next(engine, qb) == units[3]  # the shared pool: the second document
    assert _next(engine, Queue(project_id=pid, annotator_id=alice)) == units[0]
    # Random order keeps to the same rule.
    seen = set()
    qr = Queue(project_id=pid, annotator_id=bob, order="random", seed=3)
    for _ in range(3):
        uid = _next(engine, qr)
        seen.add(uid)
        save_label(engine, uid, bob, ids["p"][1])
    assert seen == set(units[3:])
    assert _next(engine, qr) is None


def test_postgres_next_unit_reads_only_past_my_floor(db_url):
    """The next-unit query must not read the annotation index from the first unit: at 1M
    units that plan cost 0.5 s per key on PostgreSQL."""
    if not db_url.startswith("postgresql"):
        pytest.skip("a PostgreSQL plan check")
    import json

    from annotator.store.engine import open_store
    from annotator.store.queue import _NEXT_OPEN_1

    engine = open_store(db_url)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO project (name, created_at) VALUES ('p', now())"))
        conn.execute(
            text(
                "INSERT INTO schemaversion (project_id, name, yaml_text, content_hash, created_at)"
                " VALUES (1, 's', '', 'h', now())"
            )
        )
        conn.execute(
            text(
                "INSERT INTO document (project_id, source_path, title, content_hash, meta, "
                "imported_at) SELECT 1, '', 'd' || g, 'h' || g, '{}', now() "
                "FROM generate_series(1, 400) g"
            )
        )
        conn.execute(
            text(
                "INSERT INTO unit (project_id, document_id, position, kind, text, text_hash) "
                "SELECT 1, 1 + g / 50, g % 50, 'body', 's' || g, 'h' || g "
                "FROM generate_series(0, 19999) g"
            )
        )
        conn.execute(
            text("INSERT INTO annotator (name, role, created_at) VALUES ('e', 'x', now())")
        )
        conn.execute(
            text(
                'INSERT INTO annotation (unit_id, annotator_id, schema_version_id, "values", '
                "status, created_at, updated_at) SELECT id, 1, 1, '{}', 'done', now(), now() "
                "FROM unit WHERE id <= 19000"
            )
        )
        conn.execute(text("ANALYZE"))
        query = _NEXT_OPEN_1["other", True].text
        params = {"p": 1, "me": 2, "after": 18990, "now": 0}
        plan = conn.execute(text("EXPLAIN (ANALYZE, FORMAT JSON) " + query), params).scalar()
    plan = plan if isinstance(plan, list) else json.loads(plan)

    def nodes(node):
        yield node
        for child in node.get("Plans", []):
            yield from nodes(child)

    read = max(n.get("Actual Rows", 0) for n in nodes(plan[0]["Plan"]))
    assert read < 2000, f"a plan node read {read} rows"
