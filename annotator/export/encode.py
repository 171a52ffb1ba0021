"""Small encoding helpers for the writers that build their output as text."""

from __future__ import annotations

import json
from collections.abc import Callable
from json.encoder import encode_basestring
from typing import Any

# Compact JSON that keeps non-ASCII text readable (Chinese stays Chinese).
dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
# A str as a JSON string, as `dumps` writes it (the C encoder, no call overhead).
jstr = encode_basestring


class Memo(dict):
    """A dict that fills itself: ``memo[key]`` computes ``make(key)`` once (C-speed on a hit).

    For the handful of distinct annotators, statuses, kinds and label values an export
    repeats a million times; `clear()` it when the keys are not bounded.
    """

    def __init__(self, make: Callable[[Any], Any]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, key: Any) -> Any:
        value = self[key] = self.make(key)
        return value


def json_number(x: Any) -> str:
    """A number (or None) as ``json`` writes it: ``repr`` unless it is inf or nan."""
    if x is None:
        return "null"
    text = repr(x)
    return dumps(x) if "n" in text else text  # 'inf', 'nan'; finite floats have no 'n'
