"""Blocks -> a ParsedDocument: the one place that decides units, their kinds and their order."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime, time
from typing import Any

from annotator.ingest.language import detect_language
from annotator.ingest.model import ParsedDocument, ParsedUnit
from annotator.ingest.normalize import clean_text, domain_of, valid_unicode
from annotator.ingest.sentences import split_sentences

_LANG_SAMPLE = 1500  # characters of title + text given to language detection


def language_sample(title: str, blocks: Iterable[tuple[str, str]]) -> str:
    parts = [title]
    size = len(title)
    for _, text in blocks:
        parts.append(text)
        size += len(text)
        if size >= _LANG_SAMPLE:
            break
    return "\n".join(parts)[:_LANG_SAMPLE]


_LANG_MAX = 16  # the store's column: zh, zh-Hant, en-US fit


def build_document(
    *,
    title: str,
    blocks: list[tuple[str, str]],
    source_path: str,
    lang: str | None = None,
    url: str | None = None,
    outlet: str | None = None,
    published: datetime | None = None,
    meta: dict[str, Any] | None = None,
    split: bool = True,
) -> ParsedDocument:
    """Title unit, then captions (each text once) and body sentences in reading order.

    A block equal to the title (a repeated <h1>, a video caption that restates the headline) is
    dropped so the title appears once. With split=False each body block is one unit (records
    that already hold one sentence each).
    """
    title = clean_text(title)
    lang = clean_text(lang) if lang else None
    if lang is not None and len(lang) > _LANG_MAX:
        lang = None  # metadata that is no language code costs the field, not the article
    if lang is None:
        lang = detect_language(language_sample(title, blocks))
    units: list[ParsedUnit] = [ParsedUnit("title", title)] if title else []
    seen_captions: set[str] = set()
    title_key = _same_text_key(title)
    for kind, text in blocks:
        if text == title or (
            abs(len(text) - len(title)) <= 2 and _same_text_key(text) == title_key
        ):
            continue
        if kind == "caption":
            if text not in seen_captions:
                seen_captions.add(text)
                units.append(ParsedUnit("caption", text))
        elif split:
            units.extend(ParsedUnit("body", s) for s in split_sentences(text, lang) if s)
        else:
            units.append(ParsedUnit("body", text))
    url = url.strip() if url else None
    return ParsedDocument(
        title=title,
        units=units,
        # A file name that is not UTF-8 arrives with surrogate escapes: no column holds those.
        source_path=valid_unicode(source_path),
        url=valid_unicode(url) if url else None,
        outlet=clean_text(outlet) if outlet else domain_of(url),
        published=published,
        lang=lang,
        meta=json_safe(meta or {}),
    )


# Quotation marks a page may write either way: a video caption restating the headline with
# straight quotes ("间谍窝") is still the headline (“间谍窝”).
_QUOTES = str.maketrans("“”„‟＂「」『』‘’‚‛＇", '"' * 9 + "'" * 5)


def _same_text_key(text: str) -> str:
    # NFKC folds full-width forms: a talk show's video caption writes the headline's ': ' as '：'.
    return "".join(unicodedata.normalize("NFKC", text.translate(_QUOTES)).split())


def json_safe(value: Any) -> Any:
    """Metadata as the store's JSON column takes it: a date from YAML front matter becomes
    ISO text, anything else JSON cannot hold becomes its text (never an error at insert)."""
    if isinstance(value, dict):
        return {valid_unicode(str(k)): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [json_safe(v) for v in value]
    if isinstance(value, str):
        return valid_unicode(value)
    if value is None or isinstance(value, int | bool):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)
