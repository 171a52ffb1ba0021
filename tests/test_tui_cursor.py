"""The remembered queue position: used on the next start, never carried to another store."""

from __future__ import annotations

import pytest

from tests.test_tui_app import BIAS_QUICK, TEXTS, make_app, make_store, screen_text


@pytest.fixture(autouse=True)
def _no_user_config(tmp_path, monkeypatch):
    monkeypatch.setenv("ANNOTATOR_CONFIG", str(tmp_path / "config.toml"))


async def test_position_is_remembered_but_not_for_a_recreated_store(tmp_path):
    cursors = tmp_path / "cache" / "cursors.json"
    ctx = make_store(tmp_path, BIAS_QUICK)
    async with make_app(ctx, cursors=cursors).run_test(size=(80, 24)) as pilot:
        await pilot.press("1", "2")
    assert cursors.exists()
    app = make_app(ctx, cursors=cursors)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert TEXTS[2] in screen_text(app)
    ctx.engine.dispose()
    (tmp_path / "ui.db").unlink()
    ctx = make_store(tmp_path, BIAS_QUICK)  # same path, same ids, a new store
    app = make_app(ctx, cursors=cursors)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert TEXTS[0] in screen_text(app)
