"""The cold-start floor read through sqlite3 alone (store/queue_direct.py) agrees with the
queue's own next-unit query, and a floor found that way is checked as a remembered one is."""

from __future__ import annotations

import sqlite3
from dataclasses import replace

from annotator.store.engine import session_scope
from annotator.store.first_look import StartScan
from annotator.store.queue import next_open_unit
from annotator.store.queue_direct import ColdFloor
from tests.support.tui import BIAS_QUICK, TEXTS, make_store, sessions_for

DOCS = [[f"{text} (story {d})" for text in TEXTS] for d in range(3)]  # units 1-12


def cold_floor(db: str, project: str, name: str) -> ColdFloor | None:
    """The floor a quick start's scan finds (None: a position is remembered, or no answer)."""
    return StartScan(db, project, name).floor()


def _db(tmp_path) -> str:
    return str(tmp_path / "ui.db")


def _next_open(ctx, name: str, overlap: int = 1) -> int | None:
    with session_scope(ctx.engine) as s:
        (who,) = sessions_for(ctx, name)
        return next_open_unit(
            s, project_id=ctx.project_id, annotator_id=who.annotator_id, overlap=overlap
        )


def _label(ctx, name: str, n: int, status: str = "done") -> None:
    (who,) = sessions_for(ctx, name)
    who.open_first()
    for _ in range(n):
        who.save({"bias": "biased"}, status=status)
    who.leave()


def _forget_positions(tmp_path) -> None:
    con = sqlite3.connect(_db(tmp_path))
    with con:
        con.execute("DELETE FROM queueposition")
    con.close()


def test_the_floor_is_just_below_the_unit_the_queue_opens_with(tmp_path):
    ctx = make_store(tmp_path, BIAS_QUICK, docs=DOCS)
    assert cold_floor(_db(tmp_path), "news", "alice") == ColdFloor(floor=0, mark=0, overlap=1)
    _label(ctx, "bob", 5)
    _label(ctx, "alice", 2, status="skipped")  # units 6 and 7: closed for me, open for others
    _forget_positions(tmp_path)
    for name in ("alice", "bob", "carol"):  # carol: not in the store yet
        floor = cold_floor(_db(tmp_path), "news", name)
        assert floor is not None and floor.floor + 1 == _next_open(ctx, name)
    assert _next_open(ctx, "alice") == 8


def test_at_overlap_two_a_unit_done_once_is_still_open(tmp_path):
    ctx = make_store(tmp_path, replace(BIAS_QUICK, overlap=2), docs=DOCS)
    con = sqlite3.connect(_db(tmp_path))
    with con:  # the overlap as a schema file says it
        con.execute("UPDATE schemaversion SET yaml_text = 'name: x\noverlap: 2  # two each\n'")
    con.close()
    _label(ctx, "bob", 3)
    _label(ctx, "carol", 2)
    _forget_positions(tmp_path)
    floor = cold_floor(_db(tmp_path), "news", "alice")
    assert floor is not None and floor.overlap == 2
    assert floor.floor + 1 == _next_open(ctx, "alice", overlap=2) == 3


def test_every_unit_closed_gives_the_last_unit(tmp_path):
    ctx = make_store(tmp_path, BIAS_QUICK, docs=DOCS[:1])
    _label(ctx, "bob", 4)
    _forget_positions(tmp_path)
    floor = cold_floor(_db(tmp_path), "news", "alice")
    assert floor is not None and floor.floor == 4 and _next_open(ctx, "alice") is None


def test_a_remembered_position_or_an_unknown_project_gives_none(tmp_path):
    ctx = make_store(tmp_path, BIAS_QUICK, docs=DOCS)
    _label(ctx, "alice", 1)  # leaving remembers where alice stands
    assert cold_floor(_db(tmp_path), "news", "alice") is None
    assert cold_floor(_db(tmp_path), "other", "bob") is None
    assert cold_floor(str(tmp_path / "missing.db"), "news", "bob") is None
    assert cold_floor("postgresql://nobody@127.0.0.1:1/x", "news", "bob") is None


def test_documents_of_others_are_not_passed_by_the_floor(tmp_path):
    ctx = make_store(tmp_path, BIAS_QUICK, docs=DOCS)
    _label(ctx, "bob", 2)
    con = sqlite3.connect(_db(tmp_path))
    with con:  # the second document is bob's alone
        con.execute(
            "INSERT INTO assignment (project_id, document_id, annotator_id, created_at) "
            "SELECT 1, 2, id, '2026-01-01' FROM annotator WHERE name = 'bob'"
        )
    con.close()
    _label(ctx, "alice", 2)  # units 3 and 4; the queue then skips to the third document
    _forget_positions(tmp_path)
    floor = cold_floor(_db(tmp_path), "news", "alice")
    assert _next_open(ctx, "alice") == 9
    assert floor is not None and floor.floor == 4  # bob's units count as open: it stops there


async def test_a_unit_reopened_after_the_floor_was_found_comes_first(tmp_path):
    ctx = make_store(tmp_path, BIAS_QUICK, docs=DOCS)
    (bob,) = sessions_for(ctx, "bob")
    bob.open_first()
    for _ in range(5):
        bob.save({"bias": "biased"})
    _forget_positions(tmp_path)
    floor = cold_floor(_db(tmp_path), "news", "alice")
    assert floor is not None and floor.floor == 5
    bob.undo()  # unit 5 is open again, after the floor was proved
    bob.leave()
    (alice,) = sessions_for(ctx, "alice")
    alice.finding_first(lambda: floor)()
    view = alice.open_first()
    assert view is not None and view.unit_id == 5
