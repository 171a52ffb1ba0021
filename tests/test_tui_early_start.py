"""`annotator annotate -a NAME` begins the session in a thread while Textual loads
(tui/early_start.py): the same first unit, the same screen, the same errors as the app
beginning it itself, and nothing left held when the app never takes it."""

from __future__ import annotations

import time

from sqlalchemy.exc import OperationalError

from annotator.store import queue
from annotator.store.engine import session_scope
from annotator.store.first_look import StartScan
from annotator.store.leases import live_leases
from annotator.tui.early_start import EarlyStart
from tests.support.tui import MEDIA_BIAS, TEXTS, make_app, make_store, screen_text, sessions_for

DOCS = [[f"{text} (story {d})" for text in TEXTS] for d in range(3)]


def _store(tmp_path):
    """Three documents; Bob has labelled the first one and a half, so Alice's queue starts
    in the middle of the second (the scan walks past what he closed)."""
    tmp_path.mkdir()
    ctx = make_store(tmp_path, MEDIA_BIAS, docs=DOCS)
    (bob,) = sessions_for(ctx, "bob")
    bob.open_first()
    values = {"bias": "non_biased", "opinion": "entirely_factual"}
    for _ in range(6):
        bob.save(values)
    bob.leave()
    return ctx


async def _first_screen(ctx, early: EarlyStart | None) -> tuple[str, str, int]:
    app = make_app(ctx, "alice", early=early)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()  # the progress counts are on screen
        await pilot.pause()
        assert app.annotating is not None and app.annotating.view is not None
        shown = (app.export_screenshot(), screen_text(app), app.annotating.view.unit_id)
    return shown


async def test_the_first_unit_and_screen_are_the_same_begun_early_or_not(tmp_path):
    late = await _first_screen(_store(tmp_path / "late"), None)
    ctx = _store(tmp_path / "early")
    early = await _first_screen(ctx, EarlyStart(ctx, "alice"))
    assert DOCS[1][2] in late[1]  # the first unit Bob left open
    assert early == late


async def test_a_name_the_store_refuses_is_the_same_one_line_begun_early(tmp_path):
    ctx = make_store(tmp_path, MEDIA_BIAS)
    name = "x" * 201
    messages = []
    for early in (None, EarlyStart(ctx, name)):
        app = make_app(ctx, name, early=early)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
        messages.append(app.error_message)
    assert messages[0] == messages[1] == "annotator name is longer than 200 characters"


async def test_a_store_error_finding_the_first_unit_shows_the_retry_line(tmp_path, monkeypatch):
    ctx = make_store(tmp_path, MEDIA_BIAS)
    real = queue.Queue.next
    calls = []

    def flaky(self, session, **kw):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("SELECT", {}, Exception("connection refused"))
        return real(self, session, **kw)

    monkeypatch.setattr(queue.Queue, "next", flaky)
    app = make_app(ctx, "alice", early=EarlyStart(ctx, "alice"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        message = str(app.screen.query_one("#message").render())
        assert "Could not reach the store: connection refused" in message
        await pilot.press("enter")
        await pilot.pause()
        assert TEXTS[0] in screen_text(app)


def test_a_session_the_app_never_took_gives_its_unit_back(tmp_path):
    ctx = make_store(tmp_path, MEDIA_BIAS)
    early = EarlyStart(ctx, "alice")
    early.discard()  # the app ended before it began the session (say, ctrl+c)
    with session_scope(ctx.engine) as s:
        assert live_leases(s, project_id=ctx.project_id) == {}
    early = EarlyStart(ctx, "alice")
    early.take()._found.result()  # type: ignore[union-attr]  # found, and held
    with session_scope(ctx.engine) as s:
        assert sum(live_leases(s, project_id=ctx.project_id).values()) == 1


def test_ctrl_c_while_the_screen_loads_gives_the_held_unit_back(tmp_path, monkeypatch, capsys):
    # The first unit is held while Textual loads; ctrl+c in that second ends the command with
    # its line and lets the unit go (it stayed held for the lease's 5 minutes).
    import annotator.tui.app
    from annotator.cli.app import app
    from annotator.cli.failures import EXIT_INTERRUPTED, guarded
    from annotator.store.engine import open_store

    db = f"sqlite:///{tmp_path / 'a.db'}"
    article = tmp_path / "a.txt"
    article.write_text("One sentence here. And a second one.\n", encoding="utf-8")
    for argv in (["init", "--db", db], ["import", str(article), "--db", db]):
        assert guarded(lambda argv=argv: app(argv, prog_name="annotator")) == 0
    engine = open_store(db)

    def held() -> int:
        with session_scope(engine) as s:
            return sum(live_leases(s, project_id=1).values())

    def interrupted(*_args, **_kwargs):
        for _ in range(500):  # until the early start holds the first unit (seconds at most)
            if held():
                break
            time.sleep(0.01)
        assert held() == 1
        raise KeyboardInterrupt

    monkeypatch.setattr(annotator.tui.app, "AnnotatorApp", interrupted)
    # The usual start, as on PostgreSQL (a quick start holds nothing before its screen).
    monkeypatch.setattr(StartScan, "opening", lambda self: None)
    argv = ["annotate", "--db", db, "-a", "alice"]
    assert guarded(lambda: app(argv, prog_name="annotator")) == EXIT_INTERRUPTED
    assert "Traceback" not in capsys.readouterr().err
    assert held() == 0
