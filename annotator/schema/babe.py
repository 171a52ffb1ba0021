"""BABE and MBIC label cells -> ``media_bias.yaml`` values, for the label importer.

The published files (Spinde et al., 2021) spell their labels in English words, with a curly
apostrophe and, in SG1, typos ("Somewhat factional ...", "Expresses wleter´s opinion"). Every
spelling seen in those files maps to one value of ``media_bias.yaml``; a blank cell or the
aggregate files' "No agreement" maps to ``None`` (no label); anything else raises, so nothing is
silently dropped.
"""

from __future__ import annotations

import ast
import re
import unicodedata

# Tasks of media_bias.yaml these columns fill.
BIAS_TASK = "bias"
OPINION_TASK = "opinion"
WORDS_TASK = "biased_words"

NO_AGREEMENT = "no agreement"  # the aggregate files' tie; not a label, so it maps to None

_BIAS = {
    "biased": "biased",
    "non-biased": "non_biased",
    "non biased": "non_biased",
    "biased, unfair": "biased",  # one SG2 row
}
_OPINION = {
    "entirely factual": "entirely_factual",
    "somewhat factual but also opinionated": "somewhat_factual_but_opinionated",
    "somewhat factional but also opinionated": "somewhat_factual_but_opinionated",  # SG1 typo
    "expresses writer's opinion": "expresses_writers_opinion",
    "expresses wleter's opinion": "expresses_writers_opinion",  # SG1 typo
}
_APOSTROPHES = re.compile("[\u2018\u2019\u00b4\u0060\u02bc]")


class BabeLabelError(ValueError):
    """A label cell that matches no media_bias.yaml value."""


def normalise(cell: str | None) -> str:
    """Case, width, apostrophe and spacing differences removed."""
    if cell is None:
        return ""
    # Apostrophes first: NFKC would turn the acute accent into a space and a combining mark.
    text = unicodedata.normalize("NFKC", _APOSTROPHES.sub("'", cell))
    return " ".join(text.split()).lower()


def _lookup(table: dict[str, str], cell: str | None, column: str) -> str | None:
    key = normalise(cell)
    if key in ("", "nan", NO_AGREEMENT):
        return None
    try:
        return table[key]
    except KeyError:
        raise BabeLabelError(f"{column}: unknown label {cell!r}") from None


def bias_value(cell: str | None) -> str | None:
    """A `label_bias` cell as a value of the `bias` task (`biased` / `non_biased`)."""
    return _lookup(_BIAS, cell, "label_bias")


def opinion_value(cell: str | None) -> str | None:
    """A `label_opinion` cell as a value of the `opinion` scale."""
    return _lookup(_OPINION, cell, "label_opinion")


def biased_words(cell: str | None) -> list[str]:
    """The biased words or phrases of a row: `['a', 'b']` (aggregate files) or `a, b` (raw)."""
    text = (cell or "").strip()
    if text in ("", "nan", "[]"):
        return []
    if text.startswith("[") and text.endswith("]"):
        try:
            items = ast.literal_eval(text)  # a literal only; never evaluates code
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            items = None
        if isinstance(items, list | tuple):
            return [str(i).strip() for i in items if str(i).strip()]
    parts = (part.strip().strip("'\"").strip() for part in text.strip("[]").split(","))
    return [part for part in parts if part]
