"""Pilot tests for navigation, undo, flag, help, errors, untrusted text, stance, start screen."""

from __future__ import annotations

import os

from sqlalchemy.exc import OperationalError
from sqlmodel import select

from annotator.store.engine import session_scope
from annotator.store.models import AnnotationEvent, Annotator
from annotator.tui.config import UserConfig, load_config
from tests.support.tui import (
    BIAS_QUICK,
    MEDIA_BIAS,
    STANCE,
    TEXTS,
    make_app,
    make_store,
    panel,
    screen_text,
    stored,
)


def message(app) -> str:
    return str(app.screen.query_one("#message").render())


async def test_left_shows_my_saved_value_and_it_can_be_changed(tmp_path):
    ctx = make_store(tmp_path, BIAS_QUICK)
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("1", "1")
        await pilot.press("left")
        assert TEXTS[1] in screen_text(app)
        assert panel(app, "bias").value == "biased"
        await pilot.press("left")
        assert TEXTS[0] in screen_text(app)
        await pilot.press("left")
        assert "No earlier unit" in message(app)
        await pilot.press("right", "right")
        assert TEXTS[2] in screen_text(app)  # back at the head of my queue
        await pilot.press("right")
        assert "This is your next unit" in message(app)
        await pilot.press("left", "left", "2")  # change unit 0, then go on to unit 1
        assert TEXTS[1] in screen_text(app)
    assert stored(ctx)[TEXTS[0]] == ("done", {"bias": "non_biased"})


async def test_undo_restores_and_shows_the_unit_again(tmp_path):
    ctx = make_store(tmp_path, BIAS_QUICK)
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("u")
        assert "Nothing to undo" in message(app)
        await pilot.press("1", "2")
        await pilot.press("u")
        assert TEXTS[1] in screen_text(app)
        assert panel(app, "bias").value is None
        await pilot.press("u")
        assert TEXTS[0] in screen_text(app)
        await pilot.press("2")
        assert TEXTS[1] in screen_text(app)
    assert stored(ctx) == {TEXTS[0]: ("done", {"bias": "non_biased"})}
    with session_scope(ctx.engine) as s:
        actions = [e.action for e in s.exec(select(AnnotationEvent).order_by(AnnotationEvent.id))]
    assert actions == ["create", "create", "undo", "undo", "create"]


async def test_flag_with_comment_and_escape_cancels(tmp_path):
    ctx = make_store(tmp_path, BIAS_QUICK)
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f")
        await pilot.press(*"odd", "escape")
        assert TEXTS[0] in screen_text(app)
        await pilot.press("f", *"garbled [b]", "enter")
        await pilot.pause()
        assert TEXTS[1] in screen_text(app)
    assert stored(ctx) == {TEXTS[0]: ("flagged", {})}
    with session_scope(ctx.engine) as s:
        (event,) = s.exec(select(AnnotationEvent)).all()
    assert (event.action, event.comment) == ("flag", "garbled [b]")


async def test_help_shows_guidelines_and_label_keys(tmp_path):
    ctx = make_store(tmp_path, MEDIA_BIAS)
    app = make_app(ctx)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        from rich.console import Console

        console = Console(width=100, record=True, file=open(os.devnull, "w"))  # noqa: SIM115
        console.print(app.screen.table)
        keymap = console.export_text()
        assert "bias: Biased" in keymap and "skip for now" in keymap
        assert "Copy" not in keymap  # Textual's own keys are not ours to list
        # The key map comes before the guidelines, not after pages of text.
        help_box = app.screen.query_one("#help-box")
        order = [child.id for child in help_box.children]
        assert order.index("keymap") < order.index("guidelines")
        await pilot.press("escape")
        assert type(app.screen).__name__ == "AnnotateScreen"


async def test_store_error_keeps_values_and_does_not_advance(tmp_path, monkeypatch):
    ctx = make_store(tmp_path, MEDIA_BIAS)
    app = make_app(ctx)
    from annotator.store import annotations

    real = annotations.save_annotation

    def broken(*a, **kw):
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    async with app.run_test(size=(80, 24)) as pilot:
        monkeypatch.setattr(annotations, "save_annotation", broken)
        await pilot.press("2", "1", "enter")
        assert "Not saved: database is locked" in message(app)
        assert TEXTS[0] in screen_text(app)
        assert panel(app, "bias").value == "non_biased"
        monkeypatch.setattr(annotations, "save_annotation", real)
        await pilot.press("enter")
        assert TEXTS[1] in screen_text(app)
    assert stored(ctx)[TEXTS[0]][1] == {"bias": "non_biased", "opinion": "entirely_factual"}


async def test_error_after_the_write_rolls_it_back_and_keeps_the_unit(tmp_path, monkeypatch):
    """The write and the look-up of the next unit are one transaction: if the look-up fails,
    nothing is stored, the unit stays, and a retry saves it once and moves on."""
    ctx = make_store(tmp_path, MEDIA_BIAS)
    app = make_app(ctx)
    from annotator.store import queue

    real = queue.next_open_unit

    def broken(*a, **kw):
        raise OperationalError("SELECT", {}, Exception("disk I/O error"))

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        monkeypatch.setattr(queue, "next_open_unit", broken)
        await pilot.press("2", "1", "enter")
        assert "Not saved: disk I/O error" in message(app)
        assert TEXTS[0] in screen_text(app)
        assert stored(ctx) == {}
        monkeypatch.setattr(queue, "next_open_unit", real)
        await pilot.press("enter")
        assert TEXTS[1] in screen_text(app)
        await pilot.press("2", "2", "enter")
        assert TEXTS[2] in screen_text(app)
    got = stored(ctx)
    assert got[TEXTS[0]][1] == {"bias": "non_biased", "opinion": "entirely_factual"}
    assert len(got) == 2


HOSTILE = (
    "[bold]x[/] [link=https://e.vil]y[/link] \x1b[31mred\x1b[0m "
    "\x1b]8;;http://e.vil\x07osc\x1b]8;;\x07 \u202eevil\u202c " + "长" * 20_000
)


async def test_hostile_text_is_shown_literally(tmp_path):
    ctx = make_store(tmp_path, BIAS_QUICK, docs=[[HOSTILE, "next"]])
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        shown = screen_text(app)
        assert "[bold]x[/] [link=https://e.vil]y[/link]" in shown
        assert "\x1b" not in shown and "\u202e" not in shown and "\x07" not in shown
        assert "␛[31mred" in shown
        await pilot.press("1")
        assert "next" in screen_text(app)
    assert stored(ctx)[HOSTILE][1] == {"bias": "biased"}


async def test_stance_rows_per_target(tmp_path):
    ctx = make_store(tmp_path, STANCE)
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "2")  # USA: against; China left empty
        await pilot.press("enter")
        assert TEXTS[1] in screen_text(app)
        await pilot.press("enter")  # no target mentioned: still a valid answer
    assert stored(ctx)[TEXTS[0]] == ("done", {"stance": {"USA": "against"}})
    assert stored(ctx)[TEXTS[1]] == ("done", {})


async def test_hidden_task_values_are_not_saved(tmp_path):
    ctx = make_store(tmp_path, MEDIA_BIAS)
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("1", "1", "tab", "2")  # bias_type chosen while biased
        await pilot.press("shift+tab", "shift+tab", "shift+tab", "2")  # back: not biased
        assert not panel(app, "bias_type").display
        await pilot.press("enter")
        assert TEXTS[1] in screen_text(app)
    assert stored(ctx)[TEXTS[0]][1] == {"bias": "non_biased", "opinion": "entirely_factual"}


async def test_empty_queue_says_so(tmp_path):
    ctx = make_store(tmp_path, BIAS_QUICK, docs=[["only one"]])
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()  # the counts are in
        await pilot.press("1")
        assert "queue is empty" in message(app)
        await pilot.pause()
        assert "1 done · 0 left" in str(app.screen.query_one("#progress").render())
        await pilot.press("q")
    assert app.return_code == 0


async def test_start_screen_asks_and_remembers_the_name(tmp_path):
    ctx = make_store(tmp_path, BIAS_QUICK)
    app = make_app(ctx, name=None)
    app.remember = True
    app.config = UserConfig(path=tmp_path / "config.toml")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        assert "Please type a name" in str(app.screen.query_one("#start-error").render())
        await pilot.press(*"bob", "enter")
        await pilot.pause()
        await pilot.press("1")
    assert load_config(tmp_path / "config.toml").annotator == "bob"
    with session_scope(ctx.engine) as s:
        assert [a.name for a in s.exec(select(Annotator))] == ["bob"]
    assert stored(ctx) == {TEXTS[0]: ("done", {"bias": "biased"})}
    # Next time the name is offered.
    app2 = make_app(ctx, name=None)
    app2.config = load_config(tmp_path / "config.toml")
    async with app2.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app2.screen.query_one("#name").value == "bob"


async def test_keys_can_be_remapped_in_the_config(tmp_path):
    ctx = make_store(tmp_path, BIAS_QUICK)
    cfg_file = tmp_path / "config.toml"
    cfg_file.write_text('[keys]\nskip = "k"\n', encoding="utf-8")
    app = make_app(ctx)
    app.config = load_config(cfg_file)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s")
        assert TEXTS[0] in screen_text(app)
        await pilot.press("k")
        assert TEXTS[1] in screen_text(app)
    assert stored(ctx) == {TEXTS[0]: ("skipped", {})}


async def test_fast_typing_reaches_the_right_task(tmp_path):
    """Keys arriving in one burst (type-ahead) go to the task that is active at that moment."""
    from textual import events

    ctx = make_store(tmp_path, MEDIA_BIAS)
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        burst = [("1", "1"), ("2", "2"), ("space", " "), ("tab", "\t"), ("3", "3"), ("enter", "\r")]
        for key, char in burst:
            app.post_message(events.Key(key, char))
        await pilot.pause(0.5)
        assert TEXTS[1] in screen_text(app)
    values = stored(ctx)[TEXTS[0]][1]
    assert values["bias"] == "biased"
    assert values["opinion"] == "somewhat_factual_but_opinionated"
    assert values["bias_type"] == ["informational"]
    assert values["biased_words"][0]["token_start"] == 0


async def test_the_active_task_is_scrolled_into_view_on_a_small_screen(tmp_path):
    ctx = make_store(tmp_path, MEDIA_BIAS)
    app = make_app(ctx)
    async with app.run_test(size=(80, 14)) as pilot:
        await pilot.press("1", "3")  # biased: the span and bias_type tasks appear
        await pilot.press("tab")  # bias_type, below the fold of the task list
        await pilot.pause()
        tasks = app.screen.query_one("#tasks")
        active = panel(app, "bias_type")
        assert app.screen.active is active and tasks.max_scroll_y > 0
        assert tasks.region.contains_region(active.region)
        await pilot.press("shift+tab", "shift+tab", "shift+tab")  # back up to bias
        await pilot.pause()
        assert tasks.region.contains_region(panel(app, "bias").region)


async def test_a_unit_read_ahead_but_taken_meanwhile_is_not_shown(tmp_path):
    """The next unit is read while this one is on screen; if a colleague labels it first
    (overlap 1), saving moves on to the one after it."""
    from annotator.store.annotations import save_annotation
    from annotator.store.annotators import get_or_create_annotator

    ctx = make_store(tmp_path, BIAS_QUICK)
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.pause()  # the read-ahead of TEXTS[1] ran after the first frame
        assert app.annotating._ahead is not None
        with session_scope(ctx.engine) as s:
            unit_ids = {text: uid for text, uid in _unit_ids(s)}
            bob = get_or_create_annotator(s, "bob").id
            save_annotation(
                s,
                unit_id=unit_ids[TEXTS[1]],
                annotator_id=bob,
                schema_version_id=ctx.schema_version_id,
                values={"bias": "biased"},
            )
        await pilot.press("2")
        await pilot.pause()
        assert TEXTS[2] in screen_text(app)
        await pilot.press("2")  # and the read-ahead of a free unit is used as it is
        await pilot.pause()
        assert TEXTS[3] in screen_text(app)
    assert set(stored(ctx)) == {TEXTS[0], TEXTS[1], TEXTS[2]}


def _unit_ids(session):
    from annotator.store.models import Unit

    return [(u.text, u.id) for u in session.exec(select(Unit))]


async def test_going_back_shows_my_saved_span_words(tmp_path):
    ctx = make_store(tmp_path, MEDIA_BIAS)
    app = make_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("1", "3", "right", "space", "tab", "1", "enter")  # word 1: "said"
        await pilot.pause()
        assert TEXTS[1] in screen_text(app)
        span = panel(app, "biased_words")
        assert not span.display and not span.tokens  # not biased yet: no words loaded
        await pilot.press("left")
        await pilot.pause()
        assert TEXTS[0] in screen_text(app)
        assert span.display and span.selected == {1}
        assert [s["text"] for s in span.value] == ["said"]
        await pilot.press("enter")  # saved again, unchanged
        await pilot.pause()
    _, values = stored(ctx)[TEXTS[0]]
    assert [s["text"] for s in values["biased_words"]] == ["said"]
