"""Standalone article pages (a saved web page, not a feed item).

Title: og:title, else <title>, else the first <h1>. URL: canonical link, else og:url.
Outlet: og:site_name, else the URL's domain. Published: article:published_time (or similar
meta), else the first <time datetime>. Body: the first <article>, else <main>, else
[role=main], else <body>; navigation, headers, footers and asides are left out.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser

from annotator.ingest.dates import parse_any
from annotator.ingest.html_text import (
    DROP_TAGS,
    HtmlBody,
    alt_captions,
    apply_selectors,
    check_depth,
    mark_blocks,
    split_dateline,
    text_to_blocks,
)
from annotator.ingest.model import IngestError, ParsedDocument
from annotator.ingest.normalize import clean_text
from annotator.ingest.outlet_rules import rules_for
from annotator.ingest.units import build_document

_ROOTS = ("article", "main", "[role=main]", "body")
_PAGE_CHROME = ["nav", "header", "footer", "aside", "form", "menu"]
_PUBLISHED_META = (
    'meta[property="article:published_time"]',
    'meta[name="article:published_time"]',
    'meta[itemprop="datePublished"]',
    'meta[name="pubdate"]',
    'meta[name="publishdate"]',
    'meta[name="date"]',
    'meta[name="dc.date"]',
    'meta[name="DC.date.issued"]',
)
_TITLE_SUFFIX = re.compile(r"\s+[-|–—_]\s+[^-|–—_]{1,40}$")


def read_html_page(text: str, *, source_path: str, lang: str | None = None) -> ParsedDocument:
    check_depth(text)  # before the first parse: its time grows with nesting depth
    head = LexborHTMLParser(text)
    og_title = _meta(head, 'meta[property="og:title"]')
    title = og_title
    if not title:
        node = head.css_first("title")
        title = clean_text(node.text()) if node else None
        if title and not og_title:
            title = _TITLE_SUFFIX.sub("", title)  # 'Headline - Site Name'
    if not title:
        node = head.css_first("h1")
        title = clean_text(node.text()) if node else ""
    url = _attr(head, 'link[rel="canonical"]', "href") or _meta(head, 'meta[property="og:url"]')
    outlet = _meta(head, 'meta[property="og:site_name"]')
    published = None
    for selector in _PUBLISHED_META:
        published = parse_any(_meta(head, selector))
        if published:
            break
    if published is None:
        node = head.css_first("time[datetime]")
        published = parse_any(node.attributes.get("datetime")) if node else None
    root = next((sel for sel in _ROOTS if head.css_first(sel) is not None), None)
    if root is None:
        raise IngestError(f"{source_path}: no HTML body found; is this an HTML page?")

    body = HtmlBody()
    markup, body.dateline, body.byline = split_dateline(text)
    marked = mark_blocks(markup)
    tree = LexborHTMLParser(marked)
    tree.strip_tags(_PAGE_CHROME)
    rules = rules_for(url, outlet)
    alt_captions(tree, rules, marked)
    tree.strip_tags(DROP_TAGS)
    apply_selectors(tree, rules, marked)
    node = tree.css_first(root) or tree.body
    text_to_blocks(node.text(deep=True) if node else "", body)
    body.blocks = rules.blocks(body.blocks)
    if published is None and body.dateline is not None:
        published = body.dateline[0]
    if published is None and body.dates_seen:
        published = body.dates_seen[0][0]
    if not body.blocks:
        raise IngestError(f"{source_path}: the page has no article text")
    if not title:
        first = body.blocks[0][1]
        title = first if len(first) <= 200 else ""
    meta = {"byline": body.byline} if body.byline else {}
    return build_document(
        title=title or "",
        blocks=body.blocks,
        source_path=source_path,
        lang=lang,
        url=url,
        outlet=outlet,
        published=published,
        meta=meta,
    )


def _attr(tree: LexborHTMLParser, selector: str, name: str) -> str | None:
    node = tree.css_first(selector)
    if node is None:
        return None
    value = node.attributes.get(name)
    return clean_text(value) or None if value else None


def _meta(tree: LexborHTMLParser, selector: str) -> str | None:
    return _attr(tree, selector, "content")
