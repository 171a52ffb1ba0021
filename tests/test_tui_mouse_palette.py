"""A mouse click on a word of a span task, and the command palette's jump to a document."""

from __future__ import annotations

from tests.support.tui import MEDIA_BIAS, TEXTS, make_app, make_store, panel, screen_text, stored


async def test_clicking_a_word_toggles_it_in_the_span(tmp_path):
    ctx = make_store(tmp_path, MEDIA_BIAS)
    app = make_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("1", "3")  # biased (the span task appears), opinion
        span = panel(app, "biased_words")
        assert span.display
        # The content's first row is the task header; the words are on the next one.
        # Each word wears its hint letters: find a word where the panel draws it.
        x0, y = span.content_region.x, span.content_region.y + 1
        drawn = span.body().plain
        col = drawn.index("plan")
        await pilot.click(offset=(x0 + col + 1, y))
        await pilot.pause()
        assert [s["text"] for s in span.value] == ["plan"]
        await pilot.click(offset=(x0 + col + 1, y))  # again: off
        await pilot.pause()
        assert span.value is None
        await pilot.click(offset=(x0 + drawn.index("cut") + 1, y))
        await pilot.press("tab", "1", "enter")  # bias_type: word choice; save
        await pilot.pause()
    _, values = stored(ctx)[TEXTS[0]]
    assert [s["text"] for s in values["biased_words"]] == ["cut"]


async def test_palette_jumps_to_a_document_by_title(tmp_path):
    ctx = make_store(tmp_path, MEDIA_BIAS, docs=[TEXTS[:2], ["Second story opens here.", "x"]])
    app = make_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert TEXTS[0] in screen_text(app)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"story 1")
        await pilot.pause(0.5)  # the providers search asynchronously
        await pilot.press("enter")
        await pilot.pause()
        assert "Second story opens here." in screen_text(app)
        await pilot.press("2", "1", "enter")  # the jumped-to unit is annotated and saved
        await pilot.pause()
    assert stored(ctx)["Second story opens here."][0] == "done"


async def test_palette_opens_the_dashboard_blind_for_an_annotator(tmp_path):
    from annotator.store.engine import session_scope
    from annotator.store.labels_query import set_role
    from annotator.tui.dashboard.screen import DashboardScreen

    ctx = make_store(tmp_path, MEDIA_BIAS)
    with session_scope(ctx.engine) as session:
        set_role(session, "lena", "lead")  # once a lead exists, others see no per-person figures
    app = make_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+p")
        await pilot.press(*"Dashboard")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause(0.5)
        assert isinstance(app.screen, DashboardScreen)
        assert app.screen.per_annotator is False
        assert "not a lead" in app.screen.note


async def test_active_task_highlight_follows_the_task_and_the_theme(tmp_path):
    from textual.color import Color

    ctx = make_store(tmp_path, MEDIA_BIAS)
    app = make_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        bias, opinion = panel(app, "bias"), panel(app, "opinion")
        idle = opinion.styles.background
        await pilot.press("2")  # on to opinion
        assert opinion.styles.background == Color.parse(app.theme_variables["boost"])
        assert opinion.styles.border_left[1] == Color.parse(app.theme_variables["accent"])
        assert bias.styles.background == idle and bias.styles.border_left[0] == "blank"
        before = app.theme_variables["accent"]
        app.theme = "nord"
        await pilot.pause()
        assert app.theme_variables["accent"] != before
        assert opinion.styles.border_left[1] == Color.parse(app.theme_variables["accent"])
        assert opinion.styles.background == Color.parse(app.theme_variables["boost"])


async def _palette(pilot, query: str) -> None:
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*query)
    await pilot.pause(0.5)  # the providers search asynchronously
    await pilot.press("enter")
    await pilot.pause()


async def test_after_go_to_document_the_next_keys_work_through_that_document(tmp_path):
    from tests.support.tui import BIAS_QUICK

    second = ["Second story opens here.", "Its middle.", "Its end."]
    ctx = make_store(tmp_path, BIAS_QUICK, docs=[TEXTS, second, ["Third story."]])
    app = make_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await _palette(pilot, "story 1")
        assert second[0] in screen_text(app)
        await pilot.press("1")  # saved: on to the document's next sentence, not the queue head
        await pilot.pause()
        assert second[1] in screen_text(app)
        await pilot.press("2", "1")
        await pilot.pause()
        assert TEXTS[0] in screen_text(app)  # the document is done: back to the queue
    got = stored(ctx)
    assert {t: got[t][1]["bias"] for t in second} == {
        second[0]: "biased",
        second[1]: "non_biased",
        second[2]: "biased",
    }


async def test_the_palette_finds_a_sentence_by_its_words(tmp_path):
    ctx = make_store(tmp_path, MEDIA_BIAS, docs=[TEXTS, ["Nothing here.", "Rain 100% likely."]])
    app = make_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await _palette(pilot, "100% like")
        assert "Rain 100% likely." in screen_text(app)


async def test_a_project_without_sentences_says_to_import_first(tmp_path):
    from annotator.store.engine import session_scope
    from annotator.store.models import Unit
    from tests.support.tui import BIAS_QUICK

    ctx = make_store(tmp_path, BIAS_QUICK)
    with session_scope(ctx.engine) as s:
        for unit in s.exec(Unit.__table__.select()).all():  # type: ignore[attr-defined]
            s.delete(s.get(Unit, unit.id))
    app = make_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        message = str(app.screen.query_one("#message").render())
        assert "no sentences yet: import" in message and "thank you" not in message


async def test_a_skipped_unit_in_bias_quick_says_a_key_changes_it(tmp_path):
    from tests.support.tui import BIAS_QUICK

    ctx = make_store(tmp_path, BIAS_QUICK)
    app = make_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("s", "left")
        message = str(app.screen.query_one("#message").render())
        assert "skipped earlier: a label key changes it" in message
        assert "press enter" not in message
