"""Store queries behind the annotation UI: queue order, overlap, skip, undo, audit, indexes."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import select

from annotator.store.annotations import my_annotation, save_annotation, undo_save
from annotator.store.annotators import get_or_create_annotator
from annotator.store.engine import StoreError, open_store, session_scope
from annotator.store.models import AnnotationEvent
from annotator.store.queue import Progress, Queue, my_next_unit, my_previous_unit, my_progress
from annotator.store.units import load_unit
from tests.support.queue import save_label


def test_queue_walks_document_order_and_resumes(queue_store):
    engine, ids, alice, _ = queue_store
    pid, sv, units = ids["p"]
    q = Queue(project_id=pid, annotator_id=alice)
    with session_scope(engine) as s:
        assert q.next(s) == units[0]
    save_label(engine, units[0], alice, sv)
    save_label(engine, units[1], alice, sv)
    with session_scope(engine) as s:
        assert q.next(s) == units[2]
        # A fresh queue (reopening the app) resumes at the same unit.
        assert Queue(project_id=pid, annotator_id=alice).next(s) == units[2]


def test_overlap_one_skips_units_done_by_others_overlap_two_does_not(queue_store):
    engine, ids, alice, bob = queue_store
    pid, sv, units = ids["p"]
    save_label(engine, units[0], bob, sv)
    with session_scope(engine) as s:
        assert Queue(project_id=pid, annotator_id=alice).next(s) == units[1]
        assert Queue(project_id=pid, annotator_id=alice, overlap=2).next(s) == units[0]
    # Bob's skip does not fill the unit.
    save_label(engine, units[1], bob, sv, status="skipped")
    with session_scope(engine) as s:
        assert Queue(project_id=pid, annotator_id=alice).next(s) == units[1]


def test_skipped_units_come_last_and_cycle(queue_store):
    engine, ids, alice, _ = queue_store
    pid, sv, units = ids["p"]
    q = Queue(project_id=pid, annotator_id=alice)
    save_label(engine, units[0], alice, sv, status="skipped")
    save_label(engine, units[1], alice, sv, status="skipped")
    with session_scope(engine) as s:
        assert q.next(s) == units[2]
    for u in units[2:]:
        save_label(engine, u, alice, sv)
    with session_scope(engine) as s:
        assert q.next(s, current=units[-1]) == units[0]
        assert q.next(s, current=units[0]) == units[1]
        assert q.next(s, current=units[1]) == units[0]
    save_label(engine, units[0], alice, sv)
    save_label(engine, units[1], alice, sv)
    with session_scope(engine) as s:
        assert q.next(s) is None


def test_flagged_units_leave_my_queue(queue_store):
    engine, ids, alice, _ = queue_store
    pid, sv, units = ids["p"]
    save_label(engine, units[0], alice, sv, status="flagged")
    with session_scope(engine) as s:
        assert Queue(project_id=pid, annotator_id=alice).next(s) == units[1]


def test_random_order_is_seeded_and_covers_every_unit(queue_store):
    engine, ids, alice, _ = queue_store
    pid, sv, units = ids["p"]
    seen = []
    q = Queue(project_id=pid, annotator_id=alice, order="random", seed=7)
    while True:
        with session_scope(engine) as s:
            uid = q.next(s)
        if uid is None:
            break
        seen.append(uid)
        save_label(engine, uid, alice, sv)
    assert sorted(seen) == units
    engine2_order = []
    q2 = Queue(project_id=pid, annotator_id=get_bob(engine), order="random", seed=7)
    with session_scope(engine) as s:
        q2.overlap = 2
        engine2_order.append(q2.next(s))
    assert engine2_order[0] == seen[0]


def get_bob(engine):
    with session_scope(engine) as s:
        return get_or_create_annotator(s, "bob").id


def test_save_update_and_undo_keep_an_audit(queue_store):
    engine, ids, alice, _ = queue_store
    pid, sv, units = ids["p"]
    first = save_label(engine, units[0], alice, sv, values={"bias": "biased"})
    assert first.previous is None
    second = save_label(engine, units[0], alice, sv, values={"bias": "non_biased"})
    assert second.previous is not None and second.previous.values == {"bias": "biased"}
    with session_scope(engine) as s:
        assert undo_save(s, unit_id=units[0], annotator_id=alice, previous=second.previous)
        assert my_annotation(s, unit_id=units[0], annotator_id=alice).values == {"bias": "biased"}
        assert undo_save(s, unit_id=units[0], annotator_id=alice, previous=first.previous)
        assert my_annotation(s, unit_id=units[0], annotator_id=alice) is None
        events = s.exec(select(AnnotationEvent).order_by(AnnotationEvent.id)).all()
    assert [e.action for e in events] == ["create", "update", "undo", "undo"]
    assert [e.values for e in events] == [
        {"bias": "biased"},
        {"bias": "non_biased"},
        {"bias": "biased"},
        {},
    ]
    # Undone units are back in the queue.
    with session_scope(engine) as s:
        assert Queue(project_id=pid, annotator_id=alice).next(s) == units[0]


def test_skip_and_flag_are_audited_with_comment(queue_store):
    engine, ids, alice, _ = queue_store
    _, sv, units = ids["p"]
    save_label(engine, units[0], alice, sv, status="skipped", values={})
    with session_scope(engine) as s:
        save_annotation(
            s,
            unit_id=units[1],
            annotator_id=alice,
            schema_version_id=sv,
            values={},
            status="flagged",
            comment="garbled [bold]text",
        )
        events = s.exec(select(AnnotationEvent).order_by(AnnotationEvent.id)).all()
    assert [(e.action, e.status) for e in events] == [("skip", "skipped"), ("flag", "flagged")]
    assert events[1].comment == "garbled [bold]text"


def test_time_on_item_accumulates(queue_store):
    engine, ids, alice, _ = queue_store
    _, sv, units = ids["p"]
    for secs in (2.0, 3.5):
        with session_scope(engine) as s:
            save_annotation(
                s,
                unit_id=units[0],
                annotator_id=alice,
                schema_version_id=sv,
                values={},
                seconds=secs,
            )
    with session_scope(engine) as s:
        assert my_annotation(s, unit_id=units[0], annotator_id=alice).seconds == 5.5


def test_previous_and_next_of_mine_stay_in_project(queue_store):
    engine, ids, alice, bob = queue_store
    pid, sv, units = ids["p"]
    _, osv, ounits = ids["other"]
    save_label(engine, units[1], alice, sv)
    save_label(engine, units[3], bob, sv)
    save_label(engine, units[4], alice, sv)
    save_label(engine, ounits[0], alice, osv)
    with session_scope(engine) as s:
        kw = {"project_id": pid, "annotator_id": alice}
        assert my_previous_unit(s, unit_id=units[5], **kw) == units[4]
        assert my_previous_unit(s, unit_id=units[4], **kw) == units[1]
        assert my_previous_unit(s, unit_id=units[1], **kw) is None
        assert my_next_unit(s, unit_id=units[1], **kw) == units[4]
        assert my_next_unit(s, unit_id=units[4], **kw) is None


def test_load_unit_gives_document_and_context_within_document(queue_store):
    engine, ids, _, _ = queue_store
    _, _, units = ids["p"]
    with session_scope(engine) as s:
        view = load_unit(s, units[3], before=2, after=1)
        assert view.title == "T1" and view.position == 0 and view.doc_units == 3
        assert view.before == ()
        assert [c.text for c in view.after] == ["p doc1 unit1"]
        mid = load_unit(s, units[4], before=2, after=5)
        assert [c.text for c in mid.before] == ["p doc1 unit0"]
        assert [c.text for c in mid.after] == ["p doc1 unit2"]


def test_progress_counts_and_applies_changes(queue_store):
    engine, ids, alice, bob = queue_store
    pid, sv, units = ids["p"]
    save_label(engine, units[0], alice, sv)
    save_label(engine, units[1], alice, sv, status="skipped")
    save_label(engine, units[2], bob, sv)
    save_label(engine, units[3], alice, sv, status="flagged")
    with session_scope(engine) as s:
        prog = my_progress(s, project_id=pid, annotator_id=alice)
    # units 4 and 5 open, unit 1 skipped (comes back).
    assert (prog.done, prog.left, prog.total) == (1, 3, 6)
    prog.apply(None, "done")
    prog.apply("skipped", "done")
    assert (prog.done, prog.left) == (3, 1)
    assert Progress(done=1, left=1).apply("done", None) is None


# Each unit's labels by alice, bob, carol, dave: units done by exactly 1, 2 and 3 others.
_LABELS = (
    ("done", "done", None, None),
    ("done", "done", "done", None),
    ("skipped", "done", None, "flagged"),
    (None, None, None, None),
    ("done", None, "skipped", "done"),
    ("flagged", "done", "done", "done"),
)


@pytest.mark.parametrize("overlap", [1, 2, 3])
def test_progress_counts_agree_with_the_labels_at_every_overlap(queue_store, overlap):
    """The whole-project counts (each dialect has its own SQL for them) against the same
    figures worked out from the labels by hand, for each of four annotators."""
    engine, ids, alice, bob = queue_store
    pid, sv, units = ids["p"]
    _, other_sv, other_units = ids["other"]
    with session_scope(engine) as s:
        people = (alice, bob, *(get_or_create_annotator(s, n).id for n in ("carol", "dave")))
    labels: dict[tuple[int, int], str] = {}
    for unit, row in zip(units, _LABELS, strict=True):
        for who, status in zip(people, row, strict=True):
            if status is not None:
                save_label(engine, unit, who, sv, status=status)
                labels[unit, who] = status
    for unit in other_units:  # another project's labels count for nothing here
        for who in people:
            save_label(engine, unit, who, other_sv)
    for me in people:
        closed = sum(
            1
            for u in units
            if (u, me) in labels or sum(labels.get((u, w)) == "done" for w in people) >= overlap
        )
        mine = [labels[u, me] for u in units if (u, me) in labels]
        with session_scope(engine) as s:
            prog = my_progress(s, project_id=pid, annotator_id=me, overlap=overlap)
        assert prog.total == len(units)
        assert prog.done == mine.count("done")
        assert prog.left == len(units) - closed + mine.count("skipped")


def test_annotator_is_created_once_and_name_checked(queue_store):
    engine, *_ = queue_store
    with session_scope(engine) as s:
        a = get_or_create_annotator(s, " carol ")
        assert get_or_create_annotator(s, "carol").id == a.id
        assert a.role == "annotator"
        with pytest.raises(StoreError, match="empty"):
            get_or_create_annotator(s, "  ")


def _plans() -> dict[str, tuple]:
    """The statements the annotation screen runs per key, as the store runs them."""
    from annotator.store import annotations, leases, queue, units

    me = {"p": 1, "me": 1, "after": 0, "overlap": 1, "now": 0, "u": 1, "uid": 5}
    return {
        "next open": (queue._NEXT_OPEN_1["sqlite", False], me),
        "next free": (queue._NEXT_OPEN_1["sqlite", True], me),
        "next open, overlap 2": (queue._NEXT_OPEN, {**me, "overlap": 2}),
        "next free, overlap 2": (queue._NEXT_FREE, {**me, "overlap": 2}),
        "claim": (leases._CLAIM, {**me, "exp": 1}),
        "room": (leases._HAS_ROOM, me),
        "my previous": (queue._MY_PREV, me),
        "my next": (queue._MY_NEXT, me),
        "context": (units._CONTEXT, {"doc": 1, "lo": 0, "hi": 3, "pos": 1}),
        "mine": (annotations._MINE, {"u": 1, "a": 1}),
    }


PER_KEYSTROKE = sorted(_plans())


@pytest.mark.parametrize("name", PER_KEYSTROKE)
def test_per_keystroke_queries_use_indexes(sqlite_url, name):
    engine = open_store(sqlite_url)
    statement, params = _plans()[name]
    if hasattr(statement, "text"):
        sql = statement.text
    else:  # Core, with its values written in
        sql = str(
            statement.params(**params).compile(
                dialect=engine.dialect, compile_kwargs={"literal_binds": True}
            )
        )
    with engine.connect() as conn:
        rows = conn.execute(text("EXPLAIN QUERY PLAN " + sql), params)
        plan = " | ".join(r[-1] for r in rows)
    # "SCAN u" / "SCAN a" without an index would be a full table scan per keystroke.
    for part in plan.split(" | "):
        if part.startswith("SCAN") and part != "SCAN CONSTANT ROW":
            assert "USING" in part, plan
    assert "TEMP B-TREE" not in plan, plan


def test_progress_counts_on_sqlite_read_the_indexes_not_every_annotation(sqlite_url):
    """At a million units the counts took 1.5 s grouping every annotation; these plans are
    what make them a third of that: my labels from my own index entries, closed units
    answered per unit from the covering index."""
    from annotator.store import queue

    engine = open_store(sqlite_url)
    params = {"p": 1, "me": 1, "overlap": 2}

    def plan(statement) -> list[str]:
        with engine.connect() as conn:
            rows = conn.execute(text("EXPLAIN QUERY PLAN " + statement.text), params)
            return [r[-1] for r in rows]

    assert plan(queue._MINE_BY_STATUS["sqlite"])[0].startswith(
        "SEARCH a USING INDEX ix_annotation_annotator_unit (annotator_id=?)"
    )
    for closed in (queue._CLOSED["sqlite"], queue._CLOSED_SQLITE_1):
        steps = plan(closed)
        assert steps[0].startswith("SEARCH u USING COVERING INDEX"), steps
        assert not any(s.startswith("SCAN a") for s in steps), steps
