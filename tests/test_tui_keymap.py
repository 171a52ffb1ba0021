"""The key table drives every screen: bindings, config names, reserved keys, footer, help."""

from __future__ import annotations

from annotator.schema.keys import ACTIONS, ANNOTATE, RESERVED_KEYS, REVIEW, actions_for
from annotator.tui import keymap
from annotator.tui.config import ACTIONS as CONFIG_ACTIONS
from annotator.tui.config import load_config
from annotator.tui.review.screen import METHODS as REVIEW_METHODS
from annotator.tui.screens.annotate import METHODS as ANNOTATE_METHODS
from tests.support.tui import BIAS_QUICK, TEXTS, make_app, make_store, screen_text


def test_every_action_of_a_screen_has_a_method_and_no_method_lacks_an_action():
    assert keymap.missing_methods(ANNOTATE, ANNOTATE_METHODS) == set()
    assert keymap.missing_methods(REVIEW, REVIEW_METHODS) == set()


def test_reserved_keys_and_config_names_come_from_the_table():
    assert {k for a in ACTIONS for k in a.keys} == RESERVED_KEYS
    assert {"up", "down", "home", "end", "shift+left", "shift+right"} <= RESERVED_KEYS
    assert set(CONFIG_ACTIONS) == {a.id for a in ACTIONS if a.remap}
    bound = {b.id for b in keymap.bindings(ANNOTATE, ANNOTATE_METHODS)}
    assert bound == {a.id for a in actions_for(ANNOTATE)} - keymap.ELSEWHERE


async def test_a_remapped_key_works_and_the_footer_and_help_show_it(tmp_path):
    ctx = make_store(tmp_path, BIAS_QUICK)
    cfg_file = tmp_path / "config.toml"
    cfg_file.write_text('[keys]\nskip = "k"\nhelp = "h"\n', encoding="utf-8")
    app = make_app(ctx)
    app.config = load_config(cfg_file)
    async with app.run_test(size=(120, 24)) as pilot:
        await pilot.pause()
        footer = str(app.screen.query_one("#keys").render())
        assert " k  Skip" in footer and " s  Skip" not in footer
        assert "Palette" in footer
        await pilot.press("k")
        assert TEXTS[1] in screen_text(app)
        await pilot.press("h")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        from rich.console import Console

        console = Console(width=120, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
        console.print(app.screen.table)
        assert any(
            line.split()[:1] == ["k"] and "skip" in line
            for line in console.export_text().splitlines()
        )
