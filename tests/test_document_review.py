"""Review settles document tasks (`scope: document`) as it settles a unit's: a document's
item comes after its sentences, a decision is stored once per document and task with its
history, and the exports' document gold takes it."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlmodel import select

from annotator.schema.model import Label, Task
from annotator.store.adjudications import (
    clear_adjudication,
    decisions,
    document_decisions,
    history,
    opinions,
    review_queue,
    save_adjudication,
)
from annotator.store.document_annotations import save_document_answer
from annotator.store.engine import session_scope
from annotator.store.models import DocumentAdjudication, Unit
from annotator.tui.launch import StoreContext
from annotator.tui.review.app import ReviewApp
from annotator.tui.review.model import Filters
from annotator.tui.widgets.unit_view import UnitBox
from tests.support.review import SCHEMA, TASKS, make_store, static_text

LEAN = Task(
    name="lean",
    type="single",
    scope="document",
    labels=(
        Label("left", "Left", "1"),
        Label("center", "Center", "2"),
        Label("right", "Right", "3"),
    ),
)
ARTICLE_SCHEMA = replace(SCHEMA, document_tasks=(LEAN,))


@pytest.fixture
def store(db_url):
    """The review store, plus answers to `lean`: alice and bob disagree on document 1, agree
    on document 2."""
    engine, pid, svid, units, people, lead = make_store(db_url)
    with session_scope(engine) as s:
        docs = sorted({s.get(Unit, u).document_id for u in units})
        for who, leans in {"alice": ["left", "center"], "bob": ["right", "center"]}.items():
            for doc, lean in zip(docs, leans, strict=True):
                save_document_answer(
                    s,
                    document_id=doc,
                    annotator_id=people[who],
                    schema_version_id=svid,
                    values={"lean": lean},
                )
    return engine, pid, svid, units, docs, lead


def test_a_disagreeing_document_comes_after_its_sentences(store):
    engine, pid, _svid, units, docs, _lead = store
    with session_scope(engine) as s:
        items = review_queue(s, pid, TASKS, document_tasks=["lean"])
        everything = review_queue(s, pid, TASKS, document_tasks=["lean"], show="all")
        only = review_queue(s, pid, TASKS, document_tasks=["lean"], task="lean")
        flagged = review_queue(s, pid, TASKS, document_tasks=["lean"], show="flagged")
        said = opinions(s, document_id=docs[0])
    # Document 1: unit 0 (bias) then the article's lean; document 2: unit 3 (opinion).
    assert [(i.unit_id, i.document_id, i.tasks) for i in items] == [
        (units[0], docs[0], ("bias",)),
        (None, docs[0], ("lean",)),
        (units[3], docs[1], ("opinion",)),
    ]
    assert [i.document_id for i in everything if i.unit_id is None] == docs  # agreed too
    assert [(i.unit_id, i.document_id) for i in only] == [(None, docs[0])]
    assert flagged and all(i.unit_id is not None for i in flagged)  # documents: never flagged
    assert [(o.annotator, o.values) for o in said] == [
        ("alice", {"lean": "left"}),
        ("bob", {"lean": "right"}),
    ]


def test_a_document_decision_keeps_its_history_and_clears(store):
    engine, pid, svid, _units, docs, lead = store
    with session_scope(engine) as s:
        kw = {"task": "lean", "lead_id": lead, "document_id": docs[0], "schema_version_id": svid}
        assert save_adjudication(s, value="left", **kw) == "set"
        assert save_adjudication(s, value="left", **kw) is None
        assert save_adjudication(s, value="right", **kw) == "change"
    with session_scope(engine) as s:
        assert decisions(s, document_id=docs[0])["lean"].value == "right"
        assert decisions(s, document_id=docs[1]) == {}
        assert document_decisions(s, pid) == {"lean": {docs[0]: "right"}}
        items = review_queue(s, pid, TASKS, document_tasks=["lean"])
        assert [i.decided for i in items if i.unit_id is None] == [frozenset({"lean"})]
        assert clear_adjudication(s, task="lean", lead_id=lead, document_id=docs[0])
        events = history(s, document_id=docs[0])
        assert [(e.action, e.value, e.previous) for e in events] == [
            ("set", "left", None),
            ("change", "right", "left"),
            ("clear", None, "right"),
        ]
        assert decisions(s, document_id=docs[0]) == {}
    with pytest.raises(TypeError), session_scope(engine) as s:
        save_adjudication(s, task="lean", value="left", lead_id=lead)  # about nothing


async def test_the_lead_settles_an_article_on_the_review_screen(store):
    engine, pid, svid, _units, docs, lead = store
    ctx = StoreContext(engine, pid, "news", ARTICLE_SCHEMA, svid)
    app = ReviewApp(ctx, lead="lina", lead_id=lead, filters=Filters(task="lean"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert screen.item.unit_id is None and screen.item.document_id == docs[0]
        assert "Article · Budget talks stall" in static_text(app, "#doc")
        assert "article 1 of 1" in static_text(app, "#where")
        # The article from its start, the annotators' answers as their labels.
        assert "doc 0 sentence 0" in screen.query_one(UnitBox).current_text()
        table = static_text(app, "#opinions")
        assert "Left" in table and "Right" in table
        await pilot.press("3")  # lean's key 3: Right
        await pilot.pause()
        assert "decided: Right  by lina" in static_text(app, "#decision")
    with session_scope(engine) as s:
        row = s.exec(select(DocumentAdjudication)).one()
    assert (row.document_id, row.task, row.value, row.annotator_id) == (
        docs[0],
        "lean",
        "right",
        lead,
    )
