"""The user config file on hostile TOML: settings, or a problem line naming the file; the
annotate screen then starts either way (a broken config is never fatal)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from annotator.tui.config import load_config
from tests.fuzz.conftest import fuzz
from tests.fuzz.mutate import mutated

CONFIGS = [
    b'annotator = "alice"\ntheme = "textual-dark"\n\n[keys]\nskip = "k"\nsave = "enter,ctrl+s"\n',
    b'annotator = "\\u00e9l\\u00e8ve"\n[keys]\nquit = "q"\nprev_unit = "left"\n',
]
# tomllib raises these on `a = [[[[...` (RecursionError) and on a 5,000-digit integer
# (ValueError), and load_config catches only TOMLDecodeError. annotator/tui is the lead's
# to change: until it is, these two are counted and reported as an expected failure, and
# the fuzzing goes on looking for anything else.
KNOWN = (RecursionError, ValueError)


def test_fuzz_config_file() -> None:
    known: list[str] = []

    def check(data: bytes) -> None:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "config.toml"
            path.write_bytes(data)
            try:
                config = load_config(path)
            except KNOWN as exc:
                known.append(type(exc).__name__)
                return
            assert config.problem is None or config.problem.startswith(f"{path}: ")
            assert config.annotator is None or isinstance(config.annotator, str)
            assert all(isinstance(k, str) for k in config.keys.values())

    fuzz("config file", mutated(CONFIGS), check)
    if known:
        pytest.xfail(f"load_config raised {sorted(set(known))} on {len(known)} inputs")
