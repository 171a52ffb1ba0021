"""Seeds for the fuzz targets: real files of each kind, small enough to mutate quickly."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def files(*patterns: str) -> list[bytes]:
    found = [p.read_bytes() for pattern in patterns for p in sorted(ROOT.glob(pattern))]
    assert found, patterns
    return found
