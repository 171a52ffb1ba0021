"""Progress counts stay right when labels are saved while the whole-project count runs."""

from __future__ import annotations

from annotator.store.annotators import get_or_create_annotator
from annotator.store.engine import session_scope
from annotator.tui.controller import Annotating
from tests.support.tui import BIAS_QUICK, make_store


def test_saves_during_the_count_are_counted_once(tmp_path):
    ctx = make_store(tmp_path, BIAS_QUICK)
    with session_scope(ctx.engine) as s:
        me = get_or_create_annotator(s, "alice").id
    ann = Annotating(ctx, annotator_id=me, annotator_name="alice")
    ann.open_first()
    ann.save({"bias": "biased"})  # before the count's snapshot: the count includes it
    counted = ann.load_progress()  # what the worker thread computes...
    ann.save({"bias": "non_biased"})  # ...while this save lands
    ann.save({}, status="skipped")
    ann.undo()  # undone before the counts arrive
    ann.progress_loaded(counted)  # ...and only now reaches the screen
    assert (ann.progress.done, ann.progress.left) == (2, 2)
    ann.save({}, status="skipped")  # counts known: applied at once
    assert (ann.progress.done, ann.progress.left) == (2, 2)
    ann.save({"bias": "biased"})  # the last unit: only the skipped one is left
    assert (ann.progress.done, ann.progress.left) == (3, 1)


def test_leaving_stops_a_count_that_is_still_running(db_url, tmp_path, monkeypatch):
    """On a store of millions of units the counts take seconds; a person who quits before
    they arrive is not kept waiting for them (the process waits for its threads)."""
    import threading

    from sqlalchemy import text

    from annotator.store import queue

    ctx = make_store(tmp_path, BIAS_QUICK, url=db_url)
    with session_scope(ctx.engine) as s:
        me = get_or_create_annotator(s, "alice").id
    ann = Annotating(ctx, annotator_id=me, annotator_name="alice")
    ann.open_first()
    started = threading.Event()

    def endless_count(session, **_):
        started.set()  # a count that takes minutes (a server's sleeps, SQLite's steps)
        if session.get_bind().dialect.name == "postgresql":
            return session.execute(text("SELECT pg_sleep(300)")).scalar_one()
        endless = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
        return session.execute(text(endless + "SELECT count(*) FROM n")).scalar_one()

    monkeypatch.setattr(queue, "my_progress", endless_count)
    got: list[object] = []
    counting = threading.Thread(target=lambda: got.append(ann.load_progress()), daemon=True)
    counting.start()
    assert started.wait(30)
    if ctx.engine.dialect.name == "postgresql":  # a cancel reaches a statement under way
        _wait_until_running(ctx.engine, "SELECT pg_sleep(300)")
    ann.stop_counting()  # what quitting does
    counting.join(60)
    assert not counting.is_alive(), "the count went on after the session ended"
    assert got == [None]  # abandoned, not an error the screen would show
    ann.leave()  # the store is still usable: the session ends as usual
    assert ann.load_progress() is None  # asked after leaving: not counted at all


def _wait_until_running(engine, start: str) -> None:
    import time

    from sqlalchemy import text

    deadline = time.monotonic() + 30
    with engine.connect() as conn:
        while time.monotonic() < deadline:
            running = conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
                    "AND query LIKE :start AND pid <> pg_backend_pid()"
                ),
                {"start": start + "%"},
            ).scalar_one()
            conn.rollback()
            if running:
                return
            time.sleep(0.05)
    raise AssertionError(f"no statement starting {start!r} ran")


def test_the_counts_see_one_snapshot_on_postgresql(db_url, tmp_path, monkeypatch):
    """The whole-project counts are several statements; on PostgreSQL they run in one
    REPEATABLE READ transaction, so a save landing between them cannot be counted twice
    (stopping them on the way out takes the same connection, and must not change that)."""
    import pytest
    from sqlalchemy import text

    from annotator.store import queue

    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite's read transaction is one snapshot by itself")
    ctx = make_store(tmp_path, BIAS_QUICK, url=db_url)
    with session_scope(ctx.engine) as s:
        me = get_or_create_annotator(s, "alice").id
    ann = Annotating(ctx, annotator_id=me, annotator_name="alice")
    ann.open_first()
    seen: list[str] = []
    counts = queue.my_progress

    def watched(session, **kw):
        seen.append(session.execute(text("SHOW transaction_isolation")).scalar_one())
        return counts(session, **kw)

    monkeypatch.setattr(queue, "my_progress", watched)
    assert ann.load_progress() is not None
    assert seen == ["repeatable read"]
