"""The annotate screen outlives a store that fails under it: a count that cannot be read
is asked again, and the screen goes on (labels never depended on it)."""

from __future__ import annotations

from sqlalchemy.exc import OperationalError

from annotator.tui.controller import Annotating
from tests.support.tui import BIAS_QUICK, TEXTS, make_app, make_store, screen_text, stored


async def test_progress_counts_that_fail_are_read_again(tmp_path, monkeypatch):
    ctx = make_store(tmp_path, BIAS_QUICK)
    real = Annotating.load_progress
    calls = []

    def flaky(self):
        calls.append(1)
        if len(calls) == 1:  # the connection drops under the first count
            raise OperationalError("SELECT count(*)", {}, Exception("server closed the connection"))
        return real(self)

    monkeypatch.setattr(Annotating, "load_progress", flaky)
    monkeypatch.setattr(
        "annotator.tui.screens.annotate.AnnotateScreen.set_timer",
        lambda self, delay, callback: callback(),
    )  # retry at once in the test
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.is_running and len(calls) >= 2
        await pilot.press("1")
        assert TEXTS[1] in screen_text(app)
    assert stored(ctx)[TEXTS[0]] == ("done", {"bias": "biased"})
