"""A quick start (`annotate -a NAME` on a SQLite store) draws the first unit it read through
sqlite3 before the store layer loads (store/first_look.py), then hands the screen to the
session (AnnotatorApp.open_quick): the same unit and the same screen as the usual start,
keys typed meanwhile reach the session in the order typed, errors are the same one line."""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

import pytest
from textual.geometry import Region
from textual.worker import WorkerFailed

from annotator.schema.loader import load_schema, parse_schema
from annotator.store.checks import NewCheck, add_checks
from annotator.store.engine import session_scope
from annotator.store.first_look import StartScan
from annotator.store.leases import claim, live_leases
from annotator.store.models import Assignment
from annotator.store.queue_direct import ColdFloor
from annotator.tui import launch
from annotator.tui.app import AnnotatorApp, QuickStart
from annotator.tui.config import UserConfig
from tests.support.tui import make_app, make_store, screen_text, sessions_for, stored

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"
MEDIA_BIAS = load_schema(SCHEMAS / "media_bias.yaml")  # with its YAML, as a store holds it
TEXTS = [
    "Officials said the plan would cut costs.",
    "Critics slammed the reckless scheme.",
    "The vote is set for Tuesday.",
    "Turnout was high.",
]
DOCS = [[f"{text} (story {d})" for text in TEXTS] for d in range(3)]  # units 1-12
BIASED = {"bias": "biased", "bias_type": ["word_choice"], "opinion": "entirely_factual"}


def _store(tmp_path, schema=MEDIA_BIAS):
    tmp_path.mkdir(exist_ok=True)
    return make_store(tmp_path, schema, docs=DOCS)


def _label(ctx, name: str, n: int) -> None:
    (who,) = sessions_for(ctx, name)
    who.open_first()
    for _ in range(n):
        who.save(BIASED)
    who.leave()


def _box_lines(app) -> list[str]:
    from annotator.tui.widgets.unit_view import UnitBox

    box = app.screen.query_one(UnitBox)
    region = Region(0, 0, box.size.width, box.size.height)
    return [strip.text.rstrip() for strip in box.render_lines(region)]


def _held_load(monkeypatch) -> tuple[threading.Event, threading.Event]:
    """The session's load waits for the second event (the first says it began)."""
    loading, go_on = threading.Event(), threading.Event()
    real = launch.load_context

    def slow(**kw):
        loading.set()
        assert go_on.wait(10)
        return real(**kw)

    monkeypatch.setattr(launch, "load_context", slow)
    return loading, go_on


@contextlib.asynccontextmanager
async def _while_loading(tmp_path, monkeypatch):
    """A quick start's app, run until its session has begun to load, which then waits for
    the event yielded with it: (app, pilot, event)."""
    loading, go_on = _held_load(monkeypatch)
    app = _quick_app(tmp_path)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert loading.wait(5)
            yield app, pilot, go_on
    finally:
        go_on.set()


def _load_fails(monkeypatch, error: Exception) -> None:
    """The session's load raises `error` as it loads the store."""

    def fail(**kw):
        raise error

    monkeypatch.setattr(launch, "load_context", fail)


async def _run_through_load(app: AnnotatorApp) -> None:
    """Run `app` until its session has loaded, or failed to, then end it."""
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()


def _quick_app(tmp_path, name: str = "alice") -> AnnotatorApp:
    scan = StartScan(str(tmp_path / "ui.db"), "news", name)
    assert scan.opening() is not None  # a quick start
    return AnnotatorApp(
        None,
        annotator=name,
        config=UserConfig(),
        remember=False,
        quick=QuickStart(scan, None, None),
    )


def _first_session_unit(ctx, name: str) -> int | None:
    (who,) = sessions_for(ctx, name)
    view = who.open_first()
    who.leave()
    return view.unit_id if view is not None else None


def _look(tmp_path, name: str = "alice") -> int | None:
    look = StartScan(str(tmp_path / "ui.db"), "news", name).look()
    return look.unit_id if look is not None else None


@pytest.fixture(autouse=True)
def _store_url(monkeypatch, tmp_path):
    # The session loads the store the command names: the test's own file.
    real = launch.load_context

    def load(*, db, project, access="write"):
        return real(db=db or f"sqlite:///{tmp_path / 'ui.db'}", project=project, access=access)

    monkeypatch.setattr(launch, "load_context", load)


async def _screen(app) -> tuple[str, str, int]:
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()  # the session, then the progress counts
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.annotating is not None and app.annotating.view is not None
        return app.export_screenshot(), screen_text(app), app.annotating.view.unit_id


async def test_the_quick_start_shows_what_the_usual_start_shows(tmp_path, monkeypatch):
    ctx = _store(tmp_path)
    _label(ctx, "bob", 6)  # alice's queue starts in the middle of the second story
    usual = await _screen(make_app(ctx, "alice"))
    (alice,) = sessions_for(ctx, "alice")
    alice.leave()  # nothing held, the position as the usual start left it
    quick = await _screen(_quick_app(tmp_path))
    assert DOCS[1][2] in usual[1]
    assert quick == usual


async def test_keys_typed_before_the_session_has_loaded_reach_it_in_order(tmp_path, monkeypatch):
    _store(tmp_path)
    async with _while_loading(tmp_path, monkeypatch) as (app, pilot, go_on):
        assert DOCS[0][0] in screen_text(app)  # the first look is on screen, no session yet
        assert app.annotating is None
        await pilot.press("2", "1", "enter")  # bias: not biased; opinion: factual; save
        go_on.set()
        await app.workers.wait_for_complete()
        for _ in range(20):
            await pilot.pause(0.05)
            if DOCS[0][1] in screen_text(app):
                break
        assert DOCS[0][1] in screen_text(app)  # saved, and on to the next
    assert stored(app.context) == {
        DOCS[0][0]: ("done", {"bias": "non_biased", "opinion": "entirely_factual"})
    }


async def test_the_first_look_is_drawn_as_the_session_then_draws_it(tmp_path, monkeypatch):
    # No context before the unit in this schema: the look, read with all the context a
    # screen may want, shows only what the session will.
    text = (SCHEMAS / "media_bias.yaml").read_text(encoding="utf-8")
    schema = parse_schema(
        text.replace("context: {before: 2, after: 1}", "context: {before: 0, after: 1}")
    )
    ctx = _store(tmp_path, schema)
    _label(ctx, "bob", 1)
    async with _while_loading(tmp_path, monkeypatch) as (app, pilot, go_on):
        look = _box_lines(app)
        go_on.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.annotating is not None and app.annotating.view is not None
        assert app.annotating.view.unit_id == 2
        assert _box_lines(app) == look
    assert any(DOCS[0][1] in line for line in look)
    assert any(DOCS[0][2] in line for line in look)  # the context after it
    assert not any(DOCS[0][0] in line for line in look)  # none before it


async def test_a_session_that_never_reached_the_screen_lets_go_of_its_unit(tmp_path, monkeypatch):
    # The app ends (q typed and held, a kill) while the session loads: the unit found and
    # held for it goes back to the others as the command ends, not when the hold lapses.
    _store(tmp_path)
    async with _while_loading(tmp_path, monkeypatch) as (app, _pilot, _go_on):
        app.exit()
    assert app.load_ended.wait(10)
    assert app.loaded is not None and app.annotating is None
    with session_scope(app.loaded.ctx.engine) as s:
        assert live_leases(s, project_id=app.loaded.ctx.project_id) != {}
    app.let_go_of_unused_session()
    with session_scope(app.loaded.ctx.engine) as s:
        assert live_leases(s, project_id=app.loaded.ctx.project_id) == {}


async def test_a_store_error_while_the_session_loads_is_one_line(tmp_path, monkeypatch):
    _store(tmp_path)
    from annotator.store.errors import StoreError

    _load_fails(monkeypatch, StoreError("the store is locked (check --db / ANNOTATOR_DB)"))
    app = _quick_app(tmp_path)
    await _run_through_load(app)
    assert app.error_message == "the store is locked (check --db / ANNOTATOR_DB)"
    assert app.return_code == 1


def test_the_look_is_the_unit_the_session_opens_with(tmp_path):
    ctx = _store(tmp_path)
    assert _look(tmp_path) == _first_session_unit(ctx, "alice") == 1
    _label(ctx, "bob", 3)
    _label(ctx, "alice", 2)  # a remembered position: the look starts there too
    assert _look(tmp_path) == _first_session_unit(ctx, "alice") == 6
    assert _look(tmp_path, "carol") == _first_session_unit(ctx, "carol") == 6  # new to the store
    (dan,) = sessions_for(ctx, "dan")
    with session_scope(ctx.engine) as s:  # dan holds unit 6 for himself
        assert claim(
            s, project_id=ctx.project_id, unit_id=6, annotator_id=dan.annotator_id, overlap=1
        )
    assert _look(tmp_path, "erin") == _first_session_unit(ctx, "erin") == 7
    with session_scope(ctx.engine) as s:  # the second story (units 5-8) is dan's alone
        s.add(Assignment(project_id=ctx.project_id, document_id=2, annotator_id=dan.annotator_id))
    assert _look(tmp_path, "fay") == _first_session_unit(ctx, "fay") == 9


def test_no_look_where_the_session_may_open_with_something_else(tmp_path):
    ctx = _store(tmp_path)
    with session_scope(ctx.engine) as s:  # a check item may come before the first unit
        add_checks(s, ctx.project_id, [NewCheck(7, BIASED)], source="imported")
    assert _look(tmp_path) is None
    assert StartScan(str(tmp_path / "ui.db"), "news", "alice").opening() is not None
    assert StartScan(str(tmp_path / "ui.db"), "elsewhere", "alice").opening() is None
    assert StartScan("postgresql://nobody@127.0.0.1:1/x", "news", "alice").opening() is None


def test_the_look_reads_the_cold_floor_the_usual_start_is_given(tmp_path):
    ctx = _store(tmp_path)
    _label(ctx, "bob", 5)
    import sqlite3

    con = sqlite3.connect(tmp_path / "ui.db")
    with con:
        con.execute("DELETE FROM queueposition")
    con.close()
    scan = StartScan(str(tmp_path / "ui.db"), "news", "alice")
    assert scan.floor() == ColdFloor(floor=5, mark=scan.floor().mark, overlap=1)
    assert scan.look() is not None and scan.look().unit_id == 6
    assert scan.look().before[-1].text == DOCS[1][0]  # context as the screen reads it


async def test_keys_typed_on_a_look_that_the_session_replaced_are_dropped(tmp_path, monkeypatch):
    # Someone takes the unit drawn while the session loads: the session opens the next one,
    # which the keys typed on the first look must not label.
    ctx = _store(tmp_path)
    (dan,) = sessions_for(ctx, "dan")
    async with _while_loading(tmp_path, monkeypatch) as (app, pilot, go_on):
        assert DOCS[0][0] in screen_text(app)
        with session_scope(ctx.engine) as s:
            assert claim(
                s, project_id=ctx.project_id, unit_id=1, annotator_id=dan.annotator_id, overlap=1
            )
        await pilot.press("2", "1", "enter")
        go_on.set()
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        assert DOCS[0][1] in screen_text(app)
    assert stored(ctx) == {}


async def test_a_bug_while_the_session_loads_ends_the_app(tmp_path, monkeypatch):
    # Not a store error: the app must not stay on the first look, holding every key (q too).
    _store(tmp_path)
    _load_fails(monkeypatch, RuntimeError("a bug"))
    app = _quick_app(tmp_path)
    with pytest.raises(WorkerFailed, match="a bug"):  # the CLI's guard: one line and a log
        await _run_through_load(app)
    assert app.annotating is None
