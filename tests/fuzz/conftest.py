"""Seeds for the fuzz targets: real files of each kind, small enough to mutate quickly."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from hypothesis import given
from hypothesis.strategies import SearchStrategy

ROOT = Path(__file__).resolve().parents[2]


def files(*patterns: str) -> list[bytes]:
    found = [p.read_bytes() for pattern in patterns for p in sorted(ROOT.glob(pattern))]
    assert found, patterns
    return found


def fuzz(name: str, inputs: SearchStrategy[bytes], check: Callable[[bytes], None]) -> int:
    """Run `check` on the profile's number of inputs; prints and returns how many ran
    (`pytest -s` shows the figures)."""
    ran = 0

    @given(inputs)
    def run(data: bytes) -> None:
        nonlocal ran
        ran += 1
        check(data)

    run()
    print(f"\nfuzz {name}: {ran:,} inputs")
    return ran
