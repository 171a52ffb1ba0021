"""Which reader a file needs: by extension first, then by a look at its first characters."""

from __future__ import annotations

import re
from pathlib import Path

from annotator.ingest.model import IngestError

FEED_MD = "feed-md"  # RSS-to-Markdown mirror articles (bare or Jekyll front matter)
HTML = "html"  # a standalone article page
TEXT = "text"  # plain text, paragraphs split at blank lines
JSONL = "jsonl"  # one JSON object per line
CSV = "csv"  # comma- or tab-separated with a header row
RSS = "rss"  # RSS 2.0 / RSS 1.0 / Atom feed file
FORMATS: tuple[str, ...] = (FEED_MD, HTML, TEXT, JSONL, CSV, RSS)

EXTENSIONS: dict[str, str] = {
    ".md": FEED_MD,
    ".markdown": FEED_MD,
    ".html": HTML,
    ".htm": HTML,
    ".xhtml": HTML,
    ".txt": TEXT,
    ".text": TEXT,
    ".jsonl": JSONL,
    ".ndjson": JSONL,
    ".json": JSONL,
    ".csv": CSV,
    ".tsv": CSV,
    ".rss": RSS,
    ".atom": RSS,
    ".xml": RSS,
}

_FEED_MD_START = re.compile(
    r"\A\s*(?:---\s*\n|<!--\s*\d{10,14}\s*-->|\[[^\n]*\]\([^\n]*\)\s*\n\s*[-=]{3,})"
)
_FEED_XML = re.compile(r"<(?:rss|feed|rdf:RDF)\b", re.I)
_HTML_START = re.compile(
    r"\A\s*(?:<!doctype\s+html|<html\b|<head\b|<body\b|<meta\b|<article\b)", re.I
)


def check_format(name: str) -> str:
    if name not in FORMATS:
        raise IngestError(f"unknown format {name!r}; use one of: {', '.join(FORMATS)}")
    return name


def detect_format(path: Path, head: str) -> str:
    """The format of a file from its name and its first few KB of decoded text."""
    by_ext = EXTENSIONS.get(path.suffix.lower())
    start = head.lstrip()[:2000]
    if by_ext in (HTML, RSS, None) and _FEED_XML.search(start) and not _HTML_START.match(start):
        return RSS
    if by_ext is not None:
        if by_ext == RSS and _HTML_START.match(start):
            return HTML
        return by_ext
    if _FEED_MD_START.match(start):
        return FEED_MD
    if _HTML_START.match(start):
        return HTML
    if start.startswith("{"):
        return JSONL
    return TEXT
