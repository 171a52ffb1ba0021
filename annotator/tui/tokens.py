"""Words of a unit for span tasks: the ingest tokenizer (jieba for Chinese) and its offsets."""

from __future__ import annotations

from annotator.ingest.tokens import token_offsets, tokenize


def words(text: str, cached: list[str] | None) -> tuple[list[str], list[tuple[int, int]]]:
    """The unit's tokens and their character offsets. Cached tokens that no longer spell out
    the text (stored by another tokenizer version) are replaced by fresh ones."""
    if cached is not None:
        try:
            return cached, token_offsets(text, cached)
        except ValueError:
            pass
    fresh = tokenize(text)
    return fresh, token_offsets(text, fresh)


def warm_up() -> None:
    """Load the segmenter's dictionary now (jieba takes ~1 s), off the UI thread."""
    tokenize("预热一下分词器。Warm up.")
