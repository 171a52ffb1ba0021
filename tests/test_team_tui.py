"""The annotate screen when the store or the team gets in the way: a store that cannot be
written or reached, a save that failed, a queue emptied by what others hold, and a crash."""

from __future__ import annotations

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from annotator.store.engine import make_engine
from annotator.tui.controller import Annotating
from annotator.tui.crash import QuietCrashApp
from annotator.tui.launch import StoreContext
from tests.support.tui import BIAS_QUICK, TEXTS, make_app, make_store, screen_text, stored


def message(app) -> str:
    return str(app.screen.query_one("#message").render())


async def test_a_store_that_cannot_be_written_ends_with_one_line_and_exit_1(tmp_path):
    ctx = make_store(tmp_path, BIAS_QUICK)
    ctx.engine.dispose()
    # Read-only as root too (chmod does not stop root): SQLite refuses every write.
    engine = make_engine(f"sqlite:///{tmp_path / 'ui.db'}")
    event.listen(engine, "connect", lambda conn, _: conn.execute("PRAGMA query_only = 1"))
    ro = StoreContext(engine, ctx.project_id, ctx.project_name, ctx.schema, ctx.schema_version_id)
    app = make_app(ro, name="newcomer")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
    assert app.return_code == 1
    assert "readonly" in app.error_message and "\n" not in app.error_message


async def test_quitting_after_a_failed_save_asks_once(tmp_path, monkeypatch):
    ctx = make_store(tmp_path, BIAS_QUICK)

    def broken(self, values, **kw):
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        monkeypatch.setattr(Annotating, "save", broken)
        await pilot.press("1")
        assert "Not saved: database is locked" in message(app)
        await pilot.press("q")
        await pilot.pause()
        assert app.is_running and "not saved" in message(app)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running
    assert stored(ctx) == {}


async def test_a_store_unreachable_at_start_shows_a_retry_line(tmp_path, monkeypatch):
    ctx = make_store(tmp_path, BIAS_QUICK)
    real = Annotating.open_first
    calls = []

    def flaky(self):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("SELECT", {}, Exception("connection refused"))
        return real(self)

    monkeypatch.setattr(Annotating, "open_first", flaky)
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "Could not reach the store: connection refused" in message(app)
        await pilot.press("enter")
        await pilot.pause()
        assert TEXTS[0] in screen_text(app)


async def test_an_empty_queue_says_what_the_others_hold_and_looks_again(tmp_path):
    ctx = make_store(tmp_path, BIAS_QUICK, docs=[TEXTS[:1]])
    from annotator.store.annotators import get_or_create_annotator
    from annotator.store.engine import session_scope

    with session_scope(ctx.engine) as s:
        bob_id = get_or_create_annotator(s, "bob").id
    bob = Annotating(ctx, annotator_id=bob_id, annotator_name="bob")
    assert bob.open_first().text == TEXTS[0]
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "1 sentences are on others' screens" in message(app)
        bob.leave()  # Bob walks away without labelling it
        await pilot.press("enter")
        await pilot.pause()
        assert TEXTS[0] in screen_text(app)


class _Boom(QuietCrashApp):
    def on_mount(self) -> None:
        secret = "label values and SQL parameters"  # noqa: F841  (a local Textual would print)
        raise RuntimeError("boom")


def test_a_crash_is_raised_for_the_cli_not_drawn_as_a_traceback(capsys):
    with pytest.raises(RuntimeError, match="boom"):
        _Boom().run_or_raise(headless=True)
    err = capsys.readouterr()
    assert "Traceback" not in err.err + err.out
    assert "SQL parameters" not in err.err + err.out
