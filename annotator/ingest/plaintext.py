"""Plain text articles: paragraphs are split at blank lines.

Title rule: the first paragraph is the title when it is a single line of at most 200 characters
and more text follows; otherwise the document has no title unit and its title is the file name
without extension. Lines inside a paragraph are joined (with no space between two CJK
characters, one space otherwise). A paragraph that is only a date becomes the publication time.
"""

from __future__ import annotations

import re
from pathlib import Path

from annotator.ingest.dates import parse_date
from annotator.ingest.model import IngestError, ParsedDocument
from annotator.ingest.normalize import clean_text, drop_urls, has_words
from annotator.ingest.units import build_document

_BLANK_LINES = re.compile(r"\n[ \t\u3000\xa0]*\n\s*")
_CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_NEWLINE = re.compile(rf"(?<=[{_CJK}])[ \t]*\n[ \t\u3000]*(?=[{_CJK}])")
TITLE_MAX = 200


def paragraphs(text: str) -> list[tuple[str, bool]]:
    """(clean paragraph, was one line) for each blank-line separated paragraph with words."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    out = []
    for raw in _BLANK_LINES.split(text):
        raw = raw.strip()
        para = drop_urls(clean_text(_CJK_NEWLINE.sub("", raw)))
        if para and has_words(para):
            out.append((para, "\n" not in raw))
    return out


def read_plain_text(text: str, *, source_path: str, lang: str | None = None) -> ParsedDocument:
    paras = paragraphs(text)
    if not paras:
        raise IngestError(f"{source_path}: no text found")
    published = None
    kept: list[tuple[str, bool]] = []
    for para, one_line in paras:
        parsed = parse_date(para) if len(para) <= 60 else None
        if parsed is None:
            kept.append((para, one_line))
        elif published is None:
            published = parsed[0]
    if not kept:
        raise IngestError(f"{source_path}: no text found besides a date")
    title_unit = len(kept) > 1 and kept[0][1] and len(kept[0][0]) <= TITLE_MAX
    texts = [para for para, _ in kept]
    title, body = (texts[0], texts[1:]) if title_unit else ("", texts)
    doc = build_document(
        title=title,
        blocks=[("body", p) for p in body],
        source_path=source_path,
        lang=lang,
        published=published,
    )
    if not title_unit:
        doc.title = Path(source_path).stem
    return doc
