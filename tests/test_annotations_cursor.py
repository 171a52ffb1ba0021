"""A remembered queue position: kept in the store, trusted only while no later change can have
reopened a unit."""

from __future__ import annotations

from annotator.store.annotations import undo_save
from annotator.store.engine import session_scope
from annotator.store.positions import forget_floors, load_floor, save_floor
from annotator.store.queue import Queue, checked_floor, event_mark
from tests.support.queue import save_label


def _floor_after_walk(engine, pid, alice, sv, units, n):
    """Alice labels the first n units in order; returns (the queue floor, the mark)."""
    with session_scope(engine) as s:
        mark = event_mark(s)
    q = Queue(project_id=pid, annotator_id=alice)
    for unit in units[:n]:
        save_label(engine, unit, alice, sv)
    with session_scope(engine) as s:
        assert q.next(s) == units[n]
    return q.floor, mark


def test_remembered_floor_is_kept_when_nothing_reopened(queue_store):
    engine, ids, alice, bob = queue_store
    pid, sv, units = ids["p"]
    floor, mark = _floor_after_walk(engine, pid, alice, sv, units, 4)
    save_label(engine, units[4], bob, sv)  # another label (closing a unit) changes nothing
    with session_scope(engine) as s:
        assert checked_floor(s, project_id=pid, floor=floor, mark=mark) == floor
        q = Queue(project_id=pid, annotator_id=alice, floor=floor)
        assert q.next(s) == units[5]


def test_an_undo_since_the_mark_lowers_the_floor(queue_store):
    engine, ids, alice, bob = queue_store
    pid, sv, units = ids["p"]
    # Bob labels unit 1 (closing it for Alice too, overlap 1), then Alice walks past it.
    result = save_label(engine, units[1], bob, sv)
    floor, mark = _floor_after_walk(engine, pid, alice, sv, [units[0], units[2], units[3]], 2)
    with session_scope(engine) as s:
        undo_save(s, unit_id=units[1], annotator_id=bob, previous=result.previous)
    with session_scope(engine) as s:
        low = checked_floor(s, project_id=pid, floor=floor, mark=mark)
        assert low < units[1]
        assert Queue(project_id=pid, annotator_id=alice, floor=low).next(s) == units[1]


def test_a_floor_from_another_store_is_dropped(queue_store):
    engine, ids, _, _ = queue_store
    pid, _, units = ids["p"]
    with session_scope(engine) as s:
        assert checked_floor(s, project_id=pid, floor=units[3], mark=10**6) == 0


def test_position_round_trip_per_person_and_overlap(queue_store):
    engine, ids, alice, bob = queue_store
    pid, _, units = ids["p"]
    with session_scope(engine) as s:
        assert load_floor(s, project_id=pid, annotator_id=alice, overlap=1) == 0
        mark = event_mark(s)
        save_floor(s, project_id=pid, annotator_id=alice, overlap=1, floor=units[2], mark=mark)
    with session_scope(engine) as s:  # written again: one row, the newest floor
        save_floor(s, project_id=pid, annotator_id=alice, overlap=1, floor=units[3], mark=mark)
    with session_scope(engine) as s:
        assert load_floor(s, project_id=pid, annotator_id=alice, overlap=1) == units[3]
        assert load_floor(s, project_id=pid, annotator_id=bob, overlap=1) == 0
        # A floor proved at overlap 1 says nothing once the schema asks for two labels.
        assert load_floor(s, project_id=pid, annotator_id=alice, overlap=2) == 0
        forget_floors(s, project_id=pid)
    with session_scope(engine) as s:
        assert load_floor(s, project_id=pid, annotator_id=alice, overlap=1) == 0
