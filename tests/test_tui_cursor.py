"""The remembered queue position lives in the store: the next start, on any machine, is warm."""

from __future__ import annotations

from sqlalchemy import text

from tests.support.tui import BIAS_QUICK, TEXTS, make_app, make_store, screen_text


async def test_position_is_kept_in_the_store_not_in_the_home_folder(tmp_path, monkeypatch):
    ctx = make_store(tmp_path, BIAS_QUICK)
    monkeypatch.setenv("HOME", str(tmp_path / "laptop"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "laptop" / ".cache"))
    async with make_app(ctx).run_test(size=(80, 24)) as pilot:
        await pilot.press("1", "2")
    with ctx.engine.connect() as conn:
        floor = conn.execute(text("SELECT floor FROM queueposition")).scalar_one()
    assert floor > 0
    # Another machine: a different home, the same store. The third sentence comes first.
    monkeypatch.setenv("HOME", str(tmp_path / "desktop"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "desktop" / ".cache"))
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert TEXTS[2] in screen_text(app)
    assert not (tmp_path / "laptop" / ".cache" / "annotator").exists()
