"""Sign-in tokens and `annotator serve`'s served app: the store functions (SQLite and
PostgreSQL), the token commands, and Pilot tests of the sign-in and what each role may open.
The real-browser test is in test_serve_browser.py."""

from __future__ import annotations

import hashlib
import sys

import pytest
from sqlalchemy import text
from sqlmodel import select
from typer.testing import CliRunner

from annotator.cli.app import app as cli_app
from annotator.store.annotators import get_or_create_annotator
from annotator.store.engine import StoreError, open_store, session_scope
from annotator.store.models import Annotator
from annotator.store.tokens import (
    count_token_holders,
    find_by_token,
    hash_token,
    issue_token,
    revoke_token,
    still_valid,
)
from tests.support.tui import BIAS_QUICK, TEXTS, make_store, stored

# --- the store ----------------------------------------------------------------------------


@pytest.fixture
def people(db_url):
    engine = open_store(db_url)
    with session_scope(engine) as s:
        get_or_create_annotator(s, "alice")
        get_or_create_annotator(s, "lina", "lead")
    yield engine
    engine.dispose()


def test_a_token_finds_its_holder_and_only_its_hash_is_stored(people):
    with session_scope(people) as s:
        token = issue_token(s, name="alice")
    assert len(token) >= 32
    with session_scope(people) as s:
        holder = find_by_token(s, token=token)
        assert holder is not None and (holder.name, holder.role) == ("alice", "annotator")
        assert find_by_token(s, token=f"  {token}\n") == holder  # pasted with blanks
        lina = issue_token(s, name="lina")
    with session_scope(people) as s:
        assert find_by_token(s, token=lina).role == "lead"
        row = s.exec(select(Annotator).where(Annotator.name == "alice")).one()
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() == hash_token(token)
        # The token itself is nowhere in the annotator table.
        dump = " ".join(str(v) for r in s.execute(text("SELECT * FROM annotator")) for v in r)
        assert token not in dump and lina not in dump
        assert count_token_holders(s) == 2


def test_wrong_empty_and_oversized_tokens_find_nobody(people):
    with session_scope(people) as s:
        token = issue_token(s, name="alice")
    with session_scope(people) as s:
        for wrong in ("", "   ", token[:-1], token + "x", token.upper(), "x" * 10_000):
            assert find_by_token(s, token=wrong) is None, wrong


def test_a_new_token_replaces_the_old_and_revoking_ends_both(people):
    with session_scope(people) as s:
        old = issue_token(s, name="alice")
        holder = find_by_token(s, token=old)
        new = issue_token(s, name="alice")
    assert old != new
    with session_scope(people) as s:
        assert find_by_token(s, token=old) is None
        assert find_by_token(s, token=new) is not None
        assert not still_valid(s, holder=holder)  # an open session with the old one ends
        assert still_valid(s, holder=find_by_token(s, token=new))
        assert revoke_token(s, name="alice") is True
    with session_scope(people) as s:
        assert find_by_token(s, token=new) is None
        assert revoke_token(s, name="alice") is False
        assert count_token_holders(s) == 0


def test_tokens_only_for_existing_annotators(people):
    with session_scope(people) as s, pytest.raises(StoreError, match="no annotator called 'bob'"):
        issue_token(s, name="bob")
    with session_scope(people) as s, pytest.raises(StoreError, match="no annotator"):
        revoke_token(s, name="bob")


# --- the commands ------------------------------------------------------------------------


def test_token_commands_print_it_once_and_keep_the_hash(tmp_path):
    db = str(tmp_path / "a.db")
    runner = CliRunner()
    added = runner.invoke(cli_app, ["annotators", "add", "alice", "--token", "--db", db])
    assert added.exit_code == 0, added.output
    first = added.stdout.splitlines()[-1]
    assert "shown only this once" in added.stderr
    again = runner.invoke(cli_app, ["annotators", "token", "alice", "--db", db])
    assert again.exit_code == 0 and again.stdout.strip() != first  # only the token on stdout
    second = again.stdout.strip()
    engine = open_store(db)
    with session_scope(engine) as s:
        assert find_by_token(s, token=first) is None
        assert find_by_token(s, token=second).name == "alice"
    listed = runner.invoke(cli_app, ["annotators", "list", "--json", "--db", db])
    assert '"token": true' in listed.stdout
    revoked = runner.invoke(cli_app, ["annotators", "revoke", "alice", "--db", db])
    assert revoked.exit_code == 0 and "revoked" in revoked.stdout
    with session_scope(engine) as s:
        assert count_token_holders(s) == 0
    unknown = runner.invoke(cli_app, ["annotators", "token", "bob", "--db", db])
    assert unknown.exit_code == 1 and "no annotator called 'bob'" in str(unknown.exception)


def test_serve_refuses_a_bad_port_and_warns_off_loopback():
    from annotator.cli.serve import is_loopback

    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")
    assert not is_loopback("annotate.example.org")
    result = CliRunner().invoke(cli_app, ["serve", "--port", "0"])
    assert result.exit_code == 1 and "--port 0" in str(result.exception)


# --- the served app (Pilot) --------------------------------------------------------------


@pytest.fixture
def served(tmp_path):
    """A store with four units, alice (annotator) and lina (lead), each with a token."""
    ctx = make_store(tmp_path, BIAS_QUICK)
    with session_scope(ctx.engine) as s:
        get_or_create_annotator(s, "alice")
        get_or_create_annotator(s, "lina", "lead")
        get_or_create_annotator(s, "bob")  # no token: cannot sign in
        tokens = {"alice": issue_token(s, name="alice"), "lina": issue_token(s, name="lina")}
    return ctx, tokens


def served_app(ctx, **kw):
    from annotator.tui.served.app import ServedApp

    return ServedApp(ctx, wrong_token_delay=0.0, **kw)


async def sign_in(app, pilot, token: str) -> None:
    from textual.widgets import Input

    app.screen.query_one("#token", Input).value = token
    await pilot.press("enter")
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


def signin_message(app) -> str:
    from textual.widgets import Static

    return str(app.screen.query_one("#signin-error", Static).render())


def annotating_as(app, ctx) -> str | None:
    """Whose queue the app is working through (by the controller's annotator id)."""
    if app.annotating is None:
        return None
    with session_scope(ctx.engine) as s:
        return s.get(Annotator, app.annotating.annotator_id).name


def annotator_count(ctx) -> int:
    with session_scope(ctx.engine) as s:
        return len(s.exec(select(Annotator)).all())


async def test_a_good_token_opens_annotate_as_that_person(served, tmp_path):
    from textual.widgets import Input

    from annotator.tui.screens.annotate import AnnotateScreen
    from annotator.tui.served.signin import SignInScreen

    ctx, tokens = served
    app = served_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, SignInScreen)
        box = app.screen.query_one("#token", Input)
        assert box.password and box.has_focus
        await pilot.press(*tokens["alice"], "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, AnnotateScreen)
        assert annotating_as(app, ctx) == app.annotator_name == "alice"
        await pilot.press("1", "2")
        await pilot.pause()
    assert stored(ctx) == {
        TEXTS[0]: ("done", {"bias": "biased"}),
        TEXTS[1]: ("done", {"bias": "non_biased"}),
    }
    with session_scope(ctx.engine) as s:
        who = s.execute(text("SELECT DISTINCT annotator_id FROM annotation")).scalars().all()
        alice = s.exec(select(Annotator.id).where(Annotator.name == "alice")).one()
    assert who == [alice]
    assert not (tmp_path / "config.toml").exists()  # served: nothing in the server's ~/.config


async def test_an_annotator_cannot_open_review_and_sees_no_per_annotator_figures(served):
    from annotator.tui.dashboard.screen import DashboardScreen
    from annotator.tui.review.screen import ReviewScreen
    from annotator.tui.served.signin import LeadMenu

    ctx, tokens = served
    app = served_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await sign_in(app, pilot, tokens["alice"])
        assert not any(isinstance(s, LeadMenu) for s in app.screen_stack)
        await pilot.press("r", "d")  # the lead menu's keys do nothing here
        # Even a forged menu choice opens nothing for an annotator.
        app.post_message(LeadMenu.Chosen("review"))
        await pilot.pause()
        assert not any(isinstance(s, ReviewScreen) for s in app.screen_stack)
        app.show_dashboard()  # what ctrl+p "Dashboard" runs
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen) and not app.screen.per_annotator


async def test_a_lead_chooses_review_or_the_dashboard(served):
    from annotator.tui.dashboard.screen import DashboardScreen
    from annotator.tui.review.screen import ReviewScreen
    from annotator.tui.screens.annotate import AnnotateScreen
    from annotator.tui.served.signin import LeadMenu

    ctx, tokens = served
    app = served_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await sign_in(app, pilot, tokens["lina"])
        assert isinstance(app.screen, LeadMenu)
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen) and app.screen.per_annotator
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LeadMenu)
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen) and app.screen.lead == "lina"
        app.pop_screen()
        await pilot.pause()
        await pilot.press("enter")  # the first choice: annotate
        await pilot.pause()
        assert isinstance(app.screen, AnnotateScreen)
        assert annotating_as(app, ctx) == "lina"


async def test_a_wrong_token_is_refused_and_creates_nobody(served):
    from textual.widgets import Input

    from annotator.tui.served.signin import SignInScreen

    ctx, tokens = served
    before = annotator_count(ctx)
    app = served_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for wrong in ("alice", "bob", tokens["alice"][:-1]):
            await sign_in(app, pilot, wrong)
            assert isinstance(app.screen, SignInScreen)
            assert "not valid" in signin_message(app)
            box = app.screen.query_one("#token", Input)
            assert box.value == "" and not box.disabled  # ready for another try
        await sign_in(app, pilot, "   ")
        assert "type your token" in signin_message(app)
        await sign_in(app, pilot, tokens["alice"])
        assert annotating_as(app, ctx) == "alice"
    assert annotator_count(ctx) == before


async def test_too_many_wrong_tokens_end_the_session(served):
    ctx, _tokens = served
    app = served_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for n in range(5):
            await sign_in(app, pilot, f"guess-{n}")
        assert "Too many wrong tokens" in signin_message(app)
        await pilot.pause(2.5)
    assert app.return_code is not None  # the app exited


async def test_revoking_a_token_ends_an_open_session(served):
    ctx, tokens = served
    app = served_app(ctx, recheck_seconds=0.1)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await sign_in(app, pilot, tokens["alice"])
        assert app.annotating is not None
        with session_scope(ctx.engine) as s:
            revoke_token(s, name="alice")
        await pilot.pause(0.5)
        await pilot.pause(3.5)
    assert app.return_code is not None


def test_serve_says_how_to_get_the_extra_when_textual_serve_is_missing(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "textual_serve", None)  # as if not installed
    monkeypatch.setitem(sys.modules, "textual_serve.server", None)
    monkeypatch.delitem(sys.modules, "annotator.tui.served.web", raising=False)  # import anew
    result = CliRunner().invoke(cli_app, ["serve", "--db", str(tmp_path / "a.db")])
    assert result.exit_code == 1
    assert "pip install 'annotator[serve]'" in str(result.exception)


def test_serve_says_so_when_the_port_is_taken(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli_app, ["serve", "--port", str(port)])
    assert result.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in str(result.exception)
    assert "pick another --port" in str(result.exception)


# --- the web server (no session is started: refusals happen before) ---------------------


@pytest.fixture
async def web_client():
    from aiohttp.test_utils import TestClient, TestServer

    from annotator.tui.served.web import SessionServer

    server = SessionServer(
        "false", host="127.0.0.1", port=8000, title="annotator · news", banner="test"
    )
    client = TestClient(TestServer(await server._make_app()))
    await client.start_server()
    yield server, client
    await client.close()


async def test_the_page_follows_the_address_used_and_asks_nothing_of_the_internet(web_client):
    _server, client = web_client
    page = await (await client.get("/", headers={"Host": "lab-server:9000"})).text()
    assert 'data-session-websocket-url="ws://lab-server:9000/ws"' in page
    assert "googleapis" not in page and "http://lab-server:9000/static/fonts/" in page
    # A Host header that is not a host name never reaches the page.
    page = await (await client.get("/", headers={"Host": '"><script>x</script>'})).text()
    assert "<script>x" not in page and "ws://127.0.0.1:8000/ws" in page


async def test_sessions_from_another_site_or_beyond_the_limit_are_refused(web_client):
    server, client = web_client
    foreign = await client.get("/ws", headers={"Origin": "http://evil.example"})
    assert foreign.status == 403
    server.max_sessions = 0
    full = await client.get("/ws", headers={"Origin": f"http://{client.host}:{client.port}"})
    assert full.status == 503
