"""The review queries: which units need a lead, who said what, decisions and their history."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import select

from annotator.store.adjudications import (
    annotator_ids,
    canonical,
    clear_adjudication,
    decisions,
    find_documents,
    history,
    label_order,
    lead_id,
    opinions,
    review_queue,
    save_adjudication,
)
from annotator.store.annotators import get_or_create_annotator
from annotator.store.engine import StoreError, open_store, session_scope
from annotator.store.models import (
    Adjudication,
)
from tests.support.review import TASKS, make_store


@pytest.fixture
def store(db_url):
    return make_store(db_url)


def test_the_queue_holds_units_where_done_labels_differ(store):
    engine, pid, _, units, _, _ = store
    with session_scope(engine) as s:
        queue = review_queue(s, pid, TASKS)
    assert [(q.unit_id, q.tasks) for q in queue] == [
        (units[0], ("bias",)),
        (units[3], ("opinion",)),
    ]
    assert all(q.open for q in queue)


def test_flagged_and_all_and_the_filters(store):
    engine, pid, _, units, _, _ = store
    with session_scope(engine) as s:
        flagged = review_queue(s, pid, TASKS, show="flagged")
        everything = review_queue(s, pid, TASKS, show="all")
        by_task = review_queue(s, pid, TASKS, task="opinion")
        doc_b = find_documents(s, pid, "storm")
        in_b = review_queue(s, pid, TASKS, documents=doc_b)
        by_bob = review_queue(s, pid, TASKS, annotators=annotator_ids(s, ["bob"]))
        by_id = find_documents(s, pid, str(doc_b[0]))
    assert [(q.unit_id, q.tasks, q.flagged) for q in flagged] == [
        (units[2], ("bias", "bias_type"), True)
    ]
    assert [q.unit_id for q in everything] == units[:4]
    assert [q.unit_id for q in by_task] == [units[3]]
    assert by_id == doc_b and len(doc_b) == 1
    assert [q.unit_id for q in in_b] == [units[3]]
    assert [q.unit_id for q in by_bob] == [units[0]]


def test_unknown_names_and_tasks_say_so(store):
    engine, pid, *_ = store
    with session_scope(engine) as s:
        with pytest.raises(StoreError, match="no annotator called zed"):
            annotator_ids(s, ["zed"])
        with pytest.raises(StoreError, match="no task 'tone'"):
            review_queue(s, pid, TASKS, task="tone")
        with pytest.raises(StoreError, match="show 'some'"):
            review_queue(s, pid, TASKS, show="some")


def test_only_a_lead_may_review(store, tmp_path):
    engine, *_ = store
    with session_scope(engine) as s:
        assert lead_id(s, "lina") > 0
        with pytest.raises(StoreError, match=r"alice is not a lead.*--role lead"):
            lead_id(s, "alice")
        with pytest.raises(StoreError, match="no annotator called 'zed'"):
            lead_id(s, "zed")
    bare = open_store(f"sqlite:///{tmp_path / 'bare.db'}")
    with session_scope(bare) as s:
        get_or_create_annotator(s, "alice")
        with pytest.raises(StoreError, match="annotators add NAME --role lead"):
            lead_id(s, "alice")


def test_opinions_show_every_annotator_with_comments(store):
    engine, _, _, units, *_ = store
    with session_scope(engine) as s:
        seen = opinions(s, units[2])
    assert [(o.annotator, o.status, o.values, o.comment) for o in seen] == [
        ("alice", "done", {"bias": "biased", "bias_type": ["word", "info"]}, None),
        ("bob", "flagged", {}, "[bold]split badly[/]"),
        ("chen", "done", {"bias": "biased", "bias_type": ["info", "word"]}, None),
    ]


def test_a_changed_decision_keeps_the_previous_one(store):
    engine, pid, svid, units, _, lead = store
    u = units[0]
    with session_scope(engine) as s:
        assert save_adjudication(s, unit_id=u, task="bias", value="biased", lead_id=lead) == "set"
    with session_scope(engine) as s:
        same = save_adjudication(s, unit_id=u, task="bias", value="biased", lead_id=lead)
        changed = save_adjudication(
            s, unit_id=u, task="bias", value="non_biased", lead_id=lead, schema_version_id=svid
        )
    assert (same, changed) == (None, "change")
    with session_scope(engine) as s:
        rows = s.exec(select(Adjudication)).all()
        now = decisions(s, u)
        past = history(s, u, "bias")
        queue = review_queue(s, pid, TASKS)
    assert [(r.unit_id, r.task, r.value, r.annotator_id) for r in rows] == [
        (u, "bias", "non_biased", lead)
    ]
    assert now["bias"].value == "non_biased" and now["bias"].by == "lina"
    assert now["bias"].at is not None
    assert [(e.action, e.value, e.previous) for e in past] == [
        ("set", "biased", None),
        ("change", "non_biased", "biased"),
    ]
    assert queue[0].decided == frozenset({"bias"}) and not queue[0].open
    with session_scope(engine) as s:
        assert clear_adjudication(s, unit_id=u, task="bias", lead_id=lead)
        assert not clear_adjudication(s, unit_id=u, task="bias", lead_id=lead)
    with session_scope(engine) as s:
        assert decisions(s, u) == {}
        assert [e.action for e in history(s, u)] == ["set", "change", "clear"]
        assert history(s, u)[-1].previous == "non_biased"


def test_the_decision_history_cannot_be_rewritten(store):
    from sqlalchemy.exc import DatabaseError

    engine, _, _, units, _, lead = store
    with session_scope(engine) as s:
        save_adjudication(s, unit_id=units[0], task="bias", value="biased", lead_id=lead)
    for statement in ("UPDATE adjudicationevent SET value = NULL", "DELETE FROM adjudicationevent"):
        with pytest.raises(DatabaseError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))


def test_canonical_ignores_list_order_only():
    assert canonical(["a", "b"]) == canonical(["b", "a"])
    assert canonical({"x": ["b", "a"]}) == canonical({"x": ["a", "b"]})
    assert canonical(["a"]) != canonical(["a", "b"])
    assert canonical("1") != canonical(1)


def test_label_order_follows_creation_time(store):
    engine, pid, _, units, *_ = store
    with session_scope(engine) as s:
        s.execute(
            text("UPDATE annotation SET created_at = :t WHERE unit_id = :u"),
            {"t": "2020-01-01 00:00:00", "u": units[3]},
        )
        order = label_order(s, pid)
    assert len(order) == 11
    assert order[:2] == [(units[3], "alice"), (units[3], "chen")]
