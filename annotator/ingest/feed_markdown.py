"""Feed-mirror Markdown articles, bare and Jekyll, both with an HTML body.

Bare:   <!--EPOCH_MS-->            Jekyll:  ---
        [title](url)                        title: "..."  date: ...  author: ...  from: url
        ------                              tags: [ ... ]  categories: [ ... ]
                                            ---
        <html body on one line>             (then the bare form, body wrapped in <div>...</div>)

Title: front matter ``title`` (the link text is sometimes cut short with '...'), else the link.
URL: ``from``, else the link. Outlet: the feed channel (``categories`` when it equals ``tags``
and names one channel, as mirrors write it), else ``author``, else the URL's domain.
Published: the body's date line when it carries a zone (the article's own time), else the front
matter ``date``, else the epoch comment, else a zone-less date line read as UTC.
"""

from __future__ import annotations

import re
from typing import Any

from annotator.ingest.dates import from_epoch, parse_any
from annotator.ingest.frontmatter import split_front_matter
from annotator.ingest.html_text import html_to_blocks
from annotator.ingest.model import IngestError, ParsedDocument
from annotator.ingest.outlet_rules import rules_for
from annotator.ingest.units import build_document

_EPOCH = re.compile(r"\s*<!--\s*(\d{10,14})\s*-->[ \t]*\n?")
# '[title](url)' on one line; the title may itself hold brackets ('[[生活] 标题](url)').
_LINK_LINE = re.compile(r"[ \t]*\[([^\n]*)\]\(\s*<?([^\s<>]*?)>?\s*\)[ \t]*\n")
_UNDERLINE = re.compile(r"[ \t]*(?:-{3,}|={3,})[ \t]*(?:\n|\Z)")
_PLAIN_TITLE = re.compile(r"[ \t]*([^\n<]+)\n")

_META_KEYS = ("tags", "categories")


def read_feed_markdown(text: str, *, source_path: str, lang: str | None = None) -> ParsedDocument:
    fm, rest = split_front_matter(text, source_path)
    pos = 0
    epoch = None
    m = _EPOCH.match(rest, pos)
    if m:
        epoch = int(m.group(1))
        pos = m.end()
    while pos < len(rest) and rest[pos] in " \t\r\n":
        pos += 1
    link_title = link_url = None
    m = _LINK_LINE.match(rest, pos) or _PLAIN_TITLE.match(rest, pos)
    if m and _UNDERLINE.match(rest, m.end()):
        link_title = m.group(1)
        link_url = m.group(2) if m.re is _LINK_LINE else None
        pos = _UNDERLINE.match(rest, m.end()).end()  # type: ignore[union-attr]
    if fm is None and epoch is None and link_title is None:
        raise IngestError(
            f"{source_path}: not a feed Markdown article (no front matter, <!--EPOCH--> comment or "
            "'[title](url)' heading); try --format text or --format html"
        )
    fm = fm or {}
    title = _text(fm.get("title")) or link_title or ""
    url = _text(fm.get("from")) or _text(fm.get("url")) or link_url
    body = html_to_blocks(rest[pos:], rules=rules_for(url, _outlet(fm)))
    if not body.blocks:
        raise IngestError(
            f"{source_path}: no article text after the title (truncated or empty body)"
        )

    published = None
    if body.dateline is not None and body.dateline[1]:
        published = body.dateline[0]
    if published is None:
        published = parse_any(fm.get("date"))
    if published is None and epoch is not None:
        published = from_epoch(epoch)
    if published is None and body.dateline is not None:
        published = body.dateline[0]

    meta: dict[str, Any] = {}
    for key in _META_KEYS:
        value = fm.get(key)
        if value:
            meta[key] = value if isinstance(value, list) else [value]
    if body.byline:
        meta["byline"] = body.byline
    author = _text(fm.get("author"))
    if author and author != _outlet(fm):
        meta["author"] = author
    return build_document(
        title=title,
        blocks=body.blocks,
        source_path=source_path,
        lang=lang,
        url=url,
        outlet=_outlet(fm),
        published=published,
        meta=meta,
    )


def _outlet(fm: dict[str, Any]) -> str | None:
    """The feed channel when the mirror records it (tags == categories == [channel]), else author.

    Mirrors put the feed's name in both lists; ``author`` is then sometimes a person (a blog
    post's writer), so the channel wins. Otherwise the author is the best source we have.
    """
    tags, categories = fm.get("tags"), fm.get("categories")
    if isinstance(categories, list) and len(categories) == 1 and tags == categories:
        return _text(categories[0])
    return _text(fm.get("author"))


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    value = str(value).strip()
    return value or None
