"""Word tokens for span annotation and their character offsets: the one tokenizer every
layer uses (the annotate screen, `labels import`, the span exports), at the bottom of the
package. Tokens are computed lazily per unit, never during import.

Han runs go to jieba; everything else (Latin words, numbers, punctuation, CJK punctuation) to a
regex tokenizer that keeps each punctuation mark as its own token. Tokens never contain
whitespace and, joined, give back the text minus its whitespace, so `token_offsets` can map
every token to character offsets for spans.

jieba is imported and its dictionary loaded (about half a second) on the first call that meets
Han text, not at import time of any module; its start-up chatter on stderr is silenced.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Sequence
from typing import Any

_HAN_RUN = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)")
_TITLES = (
    "Mr|Mrs|Ms|Dr|Prof|Rev|Sen|Rep|Gov|Gen|Lt|Col|Maj|Capt|Sgt|St|Jr|Sr|Inc|Corp|Co|Ltd|vs|etc"
    "|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|No"
)
_OTHER_TOKEN = re.compile(
    r"(?:[A-Za-z]\.){2,}"  # initialisms: U.S. U.N. a.m.
    rf"|\b(?:{_TITLES})\.(?=\s*[A-Z0-9])"  # Mr. Smith, Jan. 5, No. 1
    r"|\d+(?:[.,:]\d+)*"  # 3.14, 1,000, 10:30
    r"|[^\W\d_]+(?:['’\-][^\W\d_]+)*"  # words, don't, Biden’s, well-known
    r"|[^\W_]+"  # anything else alphanumeric: COVID19, 5G
    r"|\S"  # any other visible character is a token of its own
)

_lock = threading.Lock()
_jieba: Any = None


def _segmenter() -> Any:
    """The jieba tokenizer, imported and initialised on first use."""
    global _jieba
    if _jieba is None:
        with _lock:
            if _jieba is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)  # "Building prefix dict ..." on stderr
                jieba.dt.initialize()
                _jieba = jieba.dt
    return _jieba


def _other_tokens(text: str) -> list[str]:
    return _OTHER_TOKEN.findall(text)


def tokenize(text: str, lang: str | None = None) -> list[str]:
    """Split a unit's text into word tokens (no whitespace tokens).

    Chinese words come from jieba, whatever `lang` says, so a Chinese name inside English text
    is segmented too; `lang` is accepted for symmetry with the splitter and future languages.
    """
    if not _HAN_RUN.search(text):
        return _other_tokens(text)
    tokens: list[str] = []
    seg = _segmenter()
    for i, part in enumerate(_HAN_RUN.split(text)):
        if not part:
            continue
        if i % 2:  # odd pieces of a split on a capturing group are the Han runs
            tokens.extend(seg.lcut(part, HMM=True))
        else:
            tokens.extend(_other_tokens(part))
    return tokens


_SPACE = re.compile(r"\s*")


def token_offsets(text: str, tokens: Sequence[str]) -> list[tuple[int, int]]:
    """Character offsets (start, end) of each token in `text`, in order.

    Raises ValueError if the tokens do not spell out the text (whitespace aside).
    """
    offsets: list[tuple[int, int]] = []
    pos = 0
    for token in tokens:
        space = _SPACE.match(text, pos)
        start = space.end() if space else pos
        if not token or not text.startswith(token, start):
            raise ValueError(f"token {token!r} does not match the text at offset {start}")
        pos = start + len(token)
        offsets.append((start, pos))
    return offsets


def find_offsets(text: str, tokens: Sequence[str]) -> list[tuple[int, int]]:
    """Character (start, end) of each token, found in order, for tokens that need not spell
    out the text (cached by another tokenizer version, or written by another tool): a token
    not found gets an empty range at the current position, so indices stay aligned."""
    out: list[tuple[int, int]] = []
    pos = 0
    for tok in tokens:
        at = text.find(tok, pos) if tok else -1
        if at < 0:
            out.append((pos, pos))
            continue
        out.append((at, at + len(tok)))
        pos = at + len(tok)
    return out


def words(text: str, cached: list[str] | None) -> tuple[list[str], list[tuple[int, int]]]:
    """A unit's tokens and their character offsets, for the annotate screen. Cached tokens
    that no longer spell out the text (stored by another tokenizer version) are replaced by
    fresh ones."""
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
