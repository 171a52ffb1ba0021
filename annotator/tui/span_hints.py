"""Hint letters for the words of a span task: which tokens are words, and each word's hint.

Pure functions (no Textual), tested on their own.
"""

from __future__ import annotations

from collections.abc import Iterable

# Home row first, then the rows above and below: the commonest hints are the easiest keys.
HINT_ORDER = "adghjkleiorwtypcvbnmxzfsuq"


def is_word(token: str) -> bool:
    """A token the arrows stop at and a hint names: it has a letter, digit or Han character."""
    return any(c.isalnum() for c in token)


def hint_alphabet(taken: Iterable[str]) -> str:
    """The hint letters: lower-case letters whose key (and capital) nothing else keeps."""
    busy = set(taken)
    return "".join(c for c in HINT_ORDER if c not in busy and c.upper() not in busy)


def assign_hints(words: list[int], alphabet: str) -> dict[int, str]:
    """token index -> hint, in reading order. One letter each while the alphabet lasts; with
    more words than letters, the last letters become prefixes of two-letter hints and the
    first words keep one letter each (as many as leave room for the rest). Words beyond
    what two letters can name get none."""
    m, n = len(alphabet), len(words)
    if m == 0:
        return {}
    if n <= m:
        return {w: alphabet[i] for i, w in enumerate(words)}
    singles = max(0, (m * m - n) // (m - 1)) if m > 1 else 0
    hints = list(alphabet[:singles])
    for prefix in alphabet[singles:]:
        hints += [prefix + c for c in alphabet]
    return dict(zip(words, hints, strict=False))
