"""Counts and articles in messages people read: "1 document", "2 documents", "an annotator"."""

from __future__ import annotations


def plural(n: int, word: str, many: str | None = None) -> str:
    """``plural(1, "unit")`` -> "1 unit"; ``plural(2, "unit")`` -> "2 units" (with commas)."""
    return f"{n:,} {word if n == 1 else many or word + 's'}"


def a_or_an(word: str) -> str:
    """``a_or_an("annotator")`` -> "an annotator" (by the first letter: enough for roles)."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"
