"""Sentence splitting for Chinese (Simplified and Traditional) and English. PLACEHOLDER: being rewritten."""

from __future__ import annotations

import re

_SPLIT = re.compile(r"(?<=[。！？!?])\s*|(?<=[.])\s+")


def split_sentences(text: str, lang: str | None = None) -> list[str]:
    """Split one paragraph of plain text into sentences, in order, stripped, none empty."""
    return [s.strip() for s in _SPLIT.split(text) if s and s.strip()]
