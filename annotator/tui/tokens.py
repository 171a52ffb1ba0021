"""Words of a unit for span tasks: the ingest tokenizer (jieba for Chinese), else a fallback."""

from __future__ import annotations

import re

_FALLBACK = re.compile(r"[A-Za-z0-9_'’-]+|[^\sA-Za-z0-9_]")


def tokenize(text: str, lang: str | None) -> list[str]:
    try:
        from annotator.ingest.tokens import tokenize as ingest_tokenize
    except ImportError:
        return _FALLBACK.findall(text)
    return [t for t in ingest_tokenize(text, lang or "") if t.strip()]


def warm_up(lang: str | None) -> None:
    """Load the segmenter's dictionary now (jieba takes ~1 s), off the UI thread."""
    tokenize("预热一下分词器。Warm up.", lang or "zh")
