"""The user config file on hostile TOML: settings, or a problem line naming the file; the
annotate screen then starts either way (a broken config is never fatal)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from annotator.tui.config import load_config
from tests.fuzz.conftest import fuzz
from tests.fuzz.mutate import mutated

CONFIGS = [
    b'annotator = "alice"\ntheme = "textual-dark"\n\n[keys]\nskip = "k"\nsave = "enter,ctrl+s"\n',
    b'annotator = "\\u00e9l\\u00e8ve"\n[keys]\nquit = "q"\nprev_unit = "left"\n',
]


def test_fuzz_config_file() -> None:
    def check(data: bytes) -> None:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "config.toml"
            path.write_bytes(data)
            config = load_config(path)  # never raises: a broken config is a problem line
            assert config.problem is None or config.problem.startswith(f"{path}: ")
            assert config.annotator is None or isinstance(config.annotator, str)
            assert all(isinstance(k, str) for k in config.keys.values())

    fuzz("config file", mutated(CONFIGS), check)


def test_config_with_a_huge_number_or_deep_nesting_is_a_problem_line(tmp_path) -> None:
    for data in ("a = " + "9" * 5000, "a = " + "[" * 100_000):
        path = tmp_path / "config.toml"
        path.write_text(data, encoding="utf-8")
        assert load_config(path).problem.startswith(f"{path}: ignored")
