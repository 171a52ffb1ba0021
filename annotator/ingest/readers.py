"""The import entry point: a file path in, parsed documents out.

Formats (``FORMATS``; ``format=None`` detects from the extension, then the content):

- ``feed-md``: RSS-to-Markdown mirror articles, bare (``<!--EPOCH_MS-->``, ``[title](url)``,
  ``------``, HTML) or Jekyll (YAML front matter, then the same); ``.md``, ``.markdown``
- ``html``: a standalone article page; ``.html``, ``.htm``
- ``text``: plain text, paragraphs split at blank lines, a short first line is the title; ``.txt``
- ``jsonl``: one JSON object per line (or a JSON array); ``.jsonl``, ``.ndjson``, ``.json``
- ``csv``: a header row, then records; ``.csv``, ``.tsv``
- ``rss``: RSS or Atom, one document per entry; ``.rss``, ``.atom``, ``.xml``

Every problem with a file is raised as ``IngestError`` with one line naming the file and the
reason; no other exception escapes for bad input.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from annotator.ingest.decode import decode_bytes, read_bytes
from annotator.ingest.detect import (
    CSV,
    EXTENSIONS,
    FEED_MD,
    FORMATS,
    HTML,
    JSONL,
    RSS,
    TEXT,
    check_format,
    detect_format,
)
from annotator.ingest.feed_markdown import read_feed_markdown
from annotator.ingest.feeds import read_feed
from annotator.ingest.html_page import read_html_page
from annotator.ingest.html_text import MarkupTooDeep
from annotator.ingest.model import IngestError, ParsedDocument
from annotator.ingest.plaintext import read_plain_text
from annotator.ingest.records import RecordOptions, iter_csv, iter_jsonl, read_records

_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:rdf)\b")

__all__ = ["FORMATS", "IngestError", "RecordOptions", "iter_documents", "read_file"]


def read_file(
    path: Path | str,
    *,
    format: str | None = None,
    lang: str | None = None,
    records: RecordOptions | None = None,
) -> list[ParsedDocument]:
    """All documents in one file (see ``iter_documents`` to stream record and feed files)."""
    return list(iter_documents(path, format=format, lang=lang, records=records))


def iter_documents(
    path: Path | str,
    *,
    format: str | None = None,
    lang: str | None = None,
    records: RecordOptions | None = None,
) -> Iterator[ParsedDocument]:
    path = Path(path)
    name = str(path)
    if format is not None:
        check_format(format)
    data = read_bytes(path)
    try:
        if format == RSS or (format is None and _looks_like_feed_xml(path, data)):
            yield from read_feed(data, source_path=name, lang=lang)
            return
        text = decode_bytes(data, name)
        fmt = format or detect_format(path, text[:4096])
        if fmt == FEED_MD:
            yield read_feed_markdown(text, source_path=name, lang=lang)
        elif fmt == HTML:
            yield read_html_page(text, source_path=name, lang=lang)
        elif fmt == TEXT:
            yield read_plain_text(text, source_path=name, lang=lang)
        elif fmt == JSONL:
            yield from read_records(
                iter_jsonl(text, name),
                source_path=name,
                options=records or RecordOptions(),
                lang=lang,
            )
        elif fmt == CSV:
            rows = iter_csv(text, name, tab=path.suffix.lower() == ".tsv")
            yield from read_records(
                rows, source_path=name, options=records or RecordOptions(), lang=lang
            )
        elif fmt == RSS:
            yield from read_feed(data, source_path=name, lang=lang)
    except IngestError:
        raise
    except MarkupTooDeep as exc:
        raise IngestError(f"{name}: {exc}; skipped (a broken or hostile page)") from None
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError) as exc:
        # A reader bug or input no reader foresaw: still one line for the person importing.
        raise IngestError(f"{name}: could not be read ({type(exc).__name__}: {exc})") from exc


def _looks_like_feed_xml(path: Path, data: bytes) -> bool:
    """RSS/Atom by its root element, checked on bytes (feeds declare their own encodings)."""
    if EXTENSIONS.get(path.suffix.lower()) not in (RSS, HTML, None):
        return False
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return bool(_FEED_ROOT.search(head)) and not head.startswith((b"<!doctype html", b"<html"))
