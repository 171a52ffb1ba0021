"""Pilot tests: drive the annotate screen with keys and check what the store holds."""

from __future__ import annotations

from sqlmodel import select

from annotator.store.engine import session_scope
from annotator.store.models import (
    Annotation,
)
from tests.support.tui import (
    BIAS_QUICK,
    MEDIA_BIAS,
    TEXTS,
    make_app,
    make_store,
    panel,
    screen_text,
    stored,
)


async def test_one_key_saves_and_advances(tmp_path):
    ctx = make_store(tmp_path, BIAS_QUICK)
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert TEXTS[0] in screen_text(app)
        await pilot.press("1")
        assert TEXTS[1] in screen_text(app)
        await pilot.press("2")
        await pilot.press("s")
        assert TEXTS[3] in screen_text(app)
    assert stored(ctx) == {
        TEXTS[0]: ("done", {"bias": "biased"}),
        TEXTS[1]: ("done", {"bias": "non_biased"}),
        TEXTS[2]: ("skipped", {}),
    }


async def test_reopening_resumes_and_time_on_item_is_recorded(tmp_path):
    ctx = make_store(tmp_path, BIAS_QUICK)
    async with make_app(ctx).run_test(size=(80, 24)) as pilot:
        await pilot.press("1", "1")
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert TEXTS[2] in screen_text(app)
    with session_scope(ctx.engine) as s:
        secs = [a.seconds for a in s.exec(select(Annotation))]
    assert len(secs) == 2 and all(x is not None and x >= 0 for x in secs)


async def test_media_bias_enter_says_what_is_missing_then_saves_all_tasks(tmp_path):
    ctx = make_store(tmp_path, MEDIA_BIAS)
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert not panel(app, "biased_words").display  # shown only if biased
        await pilot.press("enter")
        message = str(app.screen.query_one("#message").render())
        assert "Still needed: bias, opinion" in message
        await pilot.press("1")  # bias=biased; on to opinion
        assert panel(app, "biased_words").display and panel(app, "bias_type").display
        await pilot.press("3")  # opinion; the span task becomes the active one
        assert app.screen.active is panel(app, "biased_words")
        await pilot.press("right", "space", "shift+right")  # words 1-2
        await pilot.press("tab", "1", "3", "2", "2")  # bias_type: word_choice + informational
        await pilot.press("tab", *"see ref")  # the note; enter in it saves
        await pilot.press("enter")
        await pilot.pause()
        assert TEXTS[1] in screen_text(app)
    status, values = stored(ctx)[TEXTS[0]]
    assert status == "done"
    assert values["bias"] == "biased"
    assert values["opinion"] == "expresses_writers_opinion"
    assert values["bias_type"] == ["word_choice", "informational"]
    assert values["note"] == "see ref"
    (span,) = values["biased_words"]
    assert span["text"] == "said the" and (span["token_start"], span["token_end"]) == (1, 3)
