"""RSS and Atom feed files: one document per entry, its HTML through the same block code.

Text comes from the entry's full content (content:encoded / atom:content), else its summary.
Outlet: the entry's source or the feed's title, else the link's domain. An entry with a title
but no text still becomes a (title-only) document; a feed without entries is an error.
"""

from __future__ import annotations

import calendar
import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from annotator.ingest.html_text import html_to_blocks
from annotator.ingest.model import IngestError, ParsedDocument
from annotator.ingest.normalize import clean_text
from annotator.ingest.outlet_rules import rules_for
from annotator.ingest.plaintext import paragraphs
from annotator.ingest.units import build_document


def read_feed(
    data: bytes, *, source_path: str, lang: str | None = None
) -> Iterator[ParsedDocument]:
    import feedparser  # lazy: it loads urllib.request and http.client (0.05 s) for feeds only

    # A stream, never a str: feedparser treats a str as a URL or a file name to open.
    data = _CHARREF.sub(_charref, tidy_prolog(data, source_path))
    parsed = feedparser.parse(io.BytesIO(data), resolve_relative_uris=False, sanitize_html=False)
    entries = parsed.get("entries") or []
    if not entries:
        if parsed.get("bozo"):
            reason = str(parsed.get("bozo_exception") or "malformed XML").splitlines()[0]
            raise IngestError(f"{source_path}: not a readable RSS/Atom feed ({reason})")
        raise IngestError(f"{source_path}: the feed has no entries")
    feed = parsed.get("feed", {})
    feed_title = clean_text(feed.get("title", "")) or None
    made = 0
    for index, entry in enumerate(entries, 1):
        title = clean_text(entry.get("title", ""))
        blocks: list[tuple[str, str]] = []
        published = None
        source = entry.get("source") or {}
        for kind, value in _texts(entry):
            if kind == "html":
                outlet = clean_text(source.get("title", "")) or feed_title
                body = html_to_blocks(value, rules=rules_for(entry.get("link"), outlet))
                blocks = body.blocks
                if body.dateline is not None:
                    published = body.dateline[0]
            else:
                blocks = [("body", p) for p, _ in paragraphs(value)]
            if blocks:
                break
        if not title and not blocks:
            continue
        made += 1
        meta: dict[str, Any] = {}
        if entry.get("id"):
            meta["id"] = entry["id"]
        tags = [t.get("term") for t in entry.get("tags", []) if t.get("term")]
        if tags:
            meta["tags"] = tags
        if entry.get("author"):
            meta["byline"] = clean_text(entry["author"])
        yield build_document(
            title=title,
            blocks=blocks,
            source_path=f"{source_path}#{index}",
            lang=lang,
            url=entry.get("link"),
            outlet=clean_text(source.get("title", "")) or feed_title,
            published=_time(entry) or published,
            meta=meta,
        )
    if made == 0:
        if parsed.get("bozo"):
            reason = str(parsed.get("bozo_exception") or "malformed XML").splitlines()[0]
            raise IngestError(f"{source_path}: not a readable RSS/Atom feed ({reason})")
        raise IngestError(f"{source_path}: no entry in the feed has a title or text")


# Before the first element feedparser looks for DOCTYPE and ENTITY declarations with
# `^\s*<!ENTITY` in multi-line mode: a long run of blank lines there costs time squared
# (60 KB of them took 68 s). Real feeds have a few hundred bytes before their root element.
_FIRST_ELEMENT = re.compile(rb"<\w")
_SPACE_RUN = re.compile(rb"\s{2,}")
PROLOG_MAX = 16 * 1024


def tidy_prolog(data: bytes, source_path: str) -> bytes:
    """`data` with each run of white space before the first element made one character (a
    newline if it held one: declarations stay on lines of their own); IngestError when that
    part is still longer than PROLOG_MAX."""
    m = _FIRST_ELEMENT.search(data)
    end = m.start() if m else len(data)
    head = _SPACE_RUN.sub(lambda s: b"\n" if b"\n" in s.group() else b" ", data[:end])
    if len(head) > PROLOG_MAX:
        raise IngestError(
            f"{source_path}: not a readable RSS/Atom feed "
            f"(over {PROLOG_MAX // 1024} KB before its first element)"
        )
    return head + data[end:]


# A numeric character reference: feedparser calls chr() on it unchecked.
_CHARREF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,16})|([0-9]{1,20}));")


def _charref(m: re.Match[bytes]) -> bytes:
    """One that names no character (past U+10FFFF, a surrogate, NUL) becomes U+FFFD, so a
    bad character costs that character, not the feed."""
    code = int(m.group(1), 16) if m.group(1) else int(m.group(2))
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return b"&#65533;"
    return m.group(0)


def _texts(entry: Any) -> Iterator[tuple[str, str]]:
    """(kind, value) candidates, fullest first: content, then summary."""
    for item in entry.get("content", []) or []:
        value = item.get("value") or ""
        if value.strip():
            yield ("text" if item.get("type") == "text/plain" else "html"), value
    detail = entry.get("summary_detail") or {}
    summary = entry.get("summary") or ""
    if summary.strip():
        yield ("text" if detail.get("type") == "text/plain" else "html"), summary


def _time(entry: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            return datetime.fromtimestamp(calendar.timegm(value), UTC)
    return None
