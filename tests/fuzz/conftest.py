"""Seeds for the fuzz targets, and the one helper that runs a target under the profile's count
and the per-input budget."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from hypothesis import given, settings
from hypothesis.strategies import SearchStrategy

ROOT = Path(__file__).resolve().parents[2]

# "Never more than a few seconds per input", counted in this process's CPU time: what the
# input costs us, whatever else the machine runs. A wall-clock limit failed a healthy HTML
# input once at load 9 (the run shares two cores with the rest of the suite); the profiles'
# wall-clock deadline (tests/conftest.py) stays only as a guard against an input that hangs.
CPU_SECONDS = 5.0


def files(*patterns: str) -> list[bytes]:
    found = [p.read_bytes() for pattern in patterns for p in sorted(ROOT.glob(pattern))]
    assert found, patterns
    return found


def fuzz(name: str, inputs: SearchStrategy[bytes], check: Callable[[bytes], None]) -> int:
    """Run `check` on the profile's number of inputs, each within CPU_SECONDS; prints how many
    ran and the slowest (`pytest -s` shows the figures) and fails if fewer ran than asked."""
    ran = 0
    slowest = 0.0

    @given(inputs)
    def run(data: bytes) -> None:
        nonlocal ran, slowest
        ran += 1
        start = time.process_time()
        check(data)
        spent = time.process_time() - start
        slowest = max(slowest, spent)
        assert spent <= CPU_SECONDS, f"{spent:.1f} s of CPU for one input (at most {CPU_SECONDS})"

    run()
    wanted = settings().max_examples
    print(f"\nfuzz {name}: {ran:,} inputs (profile asks {wanted:,}), slowest {slowest:.2f} s CPU")
    # Hypothesis may stop early (too many inputs it could not build): then say so, not pass.
    assert ran >= wanted, f"fuzz {name}: only {ran:,} of {wanted:,} inputs ran"
    return ran
