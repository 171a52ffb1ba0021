"""HTML -> text blocks in reading order, each a paragraph-like run of text with its kind.

How it stays fast: instead of walking nodes in Python, a few C-level regex passes put private-use
marker characters around block elements and captions in the HTML source, lexbor parses once
(entities, misnested and truncated markup), unwanted elements are dropped in C, and one
``text()`` call returns the whole body, which is then split at the markers.

Markers sit *outside* block elements (so they never land inside inline markup) except for table
cells, where text between cells would be moved out of the table by the HTML parser.
"""

from __future__ import annotations

import html as htmllib
import itertools
import re
from dataclasses import dataclass, field
from datetime import datetime

from selectolax.lexbor import LexborHTMLParser

from annotator.ingest.dates import parse_date
from annotator.ingest.normalize import drop_urls, has_words
from annotator.ingest.outlet_rules import OutletRules

BLOCK = "\ue000"  # paragraph boundary
CAPTION = "\ue001"  # the block that follows is a caption
CELL = "\ue002"  # table cell boundary inside one row
QUOTE = "\ue003"  # the block that follows is inside a <blockquote>

_BLOCK_TAGS = (
    "p|div|li|h[1-6]|blockquote|dd|dt|pre|section|article|header|footer|main|figure|figcaption"
    "|address|center|ul|ol|dl|table|caption|details|summary|fieldset|legend"
)
_NOT_TABLE_TAGS = _BLOCK_TAGS.replace("|table", "")
# Markers go before each block opening tag, just inside each closing tag (never between table
# parts, where the parser would move them), after </table>, and in place of <br> and <hr>.
# Every pattern starts with a literal '<' and has a constant replacement: the regex engine skips
# ahead in C and no per-match Python runs.
_BLOCK_EDGE = re.compile(rf"<(?=(?:{_BLOCK_TAGS})[\s/>]|/(?:{_NOT_TABLE_TAGS})\s*>)", re.I)
_BREAK = re.compile(r"<(?:br|hr)\b[^>]*>", re.I)
_TABLE_END = re.compile(r"</table\s*>", re.I)
_HAS_CELLS = re.compile(r"<t[dh]\b", re.I)
_ROW_START = re.compile(r"<tr\b[^>]*>\s*<t[dh]\b[^>]*>", re.I)
_CELL_OPEN = re.compile(r"<t[dh]\b[^>]*>", re.I)
# Captions: the feed mirrors' grey <small>, <figcaption>, and caption-like classes (either quote:
# CNA writes class='picinfo'); the marker
# goes just before the element, so the block it starts is the caption.
_CAPTION_START = re.compile(
    r"<(?=small\b[^>]*#999|figcaption\b"
    r"|(?:div|p|span)\s[^>]*class=\"(?:[^\"]*\s)?(?!has-)[\w-]*(?:caption|picinfo)[\w-]*"
    r"(?:\s[^\"]*)?\""
    r"|(?:div|p|span)\s[^>]*class='(?:[^']*\s)?(?!has-)[\w-]*(?:caption|picinfo)[\w-]*"
    r"(?:\s[^']*)?')",
    re.I,
)
# Text only for screen readers ("Image caption", "图片来源") and image credits are not article text.
_HIDDEN_SPAN = re.compile(
    r"<span\b[^>]*class=\"[^\"]*(?:off-screen|sr-only|visually-hidden|screen-reader|copyright)"
    r"[^\"]*\"[^>]*>"
    r"[^<]*</span>",
    re.I,
)
# A feed item's first <div><i>...</i></div>: 'Wed, 07 Oct 2020 00:26:32 GMT' or 'Author<br>date'.
_DATELINE = re.compile(
    r"<div[^>]*>\s*<i>((?:(?!</?(?:div|p)\b).){0,300}?)</i>\s*</div>", re.S | re.I
)
_BR_SPLIT = re.compile(r"<br\s*/?>", re.I)
_ANY_TAG = re.compile(r"<[^>]*>")
# The feed mirror's own footer ("获取更多RSS" and its links) is not part of the article. The
# pattern starts with its literal '<' (the <br>s before <hr> written inside the repeat), so
# the regex engine skips to each '<' in C instead of trying the repeat at every character.
_FOOTER_WORDS = "获取更多"
_FEED_FOOTER = re.compile(r"<(?:br\s*/?>\s*<)*hr\s*/?>\s*<div>\s*获取更多RSS.*", re.S | re.I)

# Elements whose content is never article text (media, forms, scripts, asides, time stamps).
DROP_TAGS = [
    "script", "style", "noscript", "template", "head", "title", "meta", "link",
    "video", "audio", "iframe", "img", "picture", "source", "track", "svg", "canvas", "object",
    "embed", "map", "button", "input", "label", "select", "option", "textarea", "form",
    "nav", "aside", "time", "progress", "meter", "dialog",
]  # fmt: skip

# Zero-width and invisible formatting characters vanish; so does the caption marker.
_INVISIBLE = re.compile("[\u200b-\u200f\u2060-\u2064\ufeff\u00ad\u180e\ue001\ue003]")
# 'Published: <date>' lines are date lines too.
_DATE_LABEL = re.compile(
    r"(?:发布时间|發布時間|發佈時間|更新时间|更新時間|时间|時間|日期|Published|Updated|Posted|Date)"
    r"\s*(?:on)?\s*[:：]?\s*",
    re.I,
)
# Feed software's own last line ("The post X appeared first on Y.") is not the article's.
_FEED_SIGNOFF = re.compile(r"The post .+ appeared first on .+\.?|获取更多RSS[:：]?")
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z]\w{1,31});")


# How deep elements may nest. The parser checks the open elements at each block start, so
# its time grows with depth x blocks: 40,000 nested <div>s (200 KB) took 26 s, one hostile
# file stalling a corpus import. Real articles nest a few dozen deep.
MAX_DEPTH = 1_000
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]{0,31})")
# Elements that never hold others (void) or close themselves when the next one starts.
_NOT_NESTING = frozenset([
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "thead",
    "tbody", "tfoot", "colgroup", "rb", "rt", "rp",
])  # fmt: skip


class MarkupTooDeep(ValueError):
    """HTML nested deeper than MAX_DEPTH: skipped before the parser spends minutes on it."""


def check_depth(markup: str, limit: int = MAX_DEPTH) -> None:
    """Raise MarkupTooDeep if elements nest deeper than `limit`. One pass over the tags, with
    a stack that closes elements the way the parser does (a close tag pops back to its open
    tag; a stray one is ignored), so sloppy but ordinary pages are not counted deep."""
    if markup.count("<") <= limit:
        return
    stack: list[str] = []
    open_by_name: dict[str, int] = {}
    for m in _TAG.finditer(markup):
        name = m.group(2).lower()
        if name in _NOT_NESTING:
            continue
        if m.group(1):
            if open_by_name.get(name):
                while True:  # each element is popped once: linear overall
                    top = stack.pop()
                    open_by_name[top] -= 1
                    if top == name:
                        break
        else:
            stack.append(name)
            open_by_name[name] = open_by_name.get(name, 0) + 1
            if len(stack) > limit:
                raise MarkupTooDeep(f"HTML elements nest more than {limit:,} deep")


@dataclass
class HtmlBody:
    """Blocks are (kind, text) with kind 'caption' or 'body', text already clean."""

    blocks: list[tuple[str, str]] = field(default_factory=list)
    dateline: tuple[datetime, bool] | None = None  # (UTC time, had a time zone)
    byline: str | None = None
    dates_seen: list[tuple[datetime, bool]] = field(default_factory=list)


def split_dateline(markup: str) -> tuple[str, tuple[datetime, bool] | None, str | None]:
    """Remove a leading date line; returns (markup without it, parsed date, byline before it)."""
    m = _DATELINE.search(markup, 0, 1500)
    if not m:
        return markup, None, None
    parts = [_clean(_ANY_TAG.sub("", p)) for p in _BR_SPLIT.split(m.group(1))]
    parts = [p for p in parts if p]
    if not parts:
        return markup, None, None
    parsed = parse_date(parts[-1])
    if parsed is None:
        return markup, None, None
    byline = " ".join(p for p in parts[:-1] if p.lower() != "null") or None
    return markup[: m.start()] + markup[m.end() :], parsed, byline


def mark_blocks(markup: str) -> str:
    """Insert the block, caption and cell markers into raw HTML (see the module docstring)."""
    markup = _HIDDEN_SPAN.sub("", markup)
    if _HAS_CELLS.search(markup):  # rare: tables pay for template substitutions
        markup = _ROW_START.sub(r"\g<0>" + BLOCK, markup)
        markup = _CELL_OPEN.sub(r"\g<0>" + CELL, markup)
        markup = _TABLE_END.sub("</table>" + BLOCK, markup)
    markup = _BLOCK_EDGE.sub(BLOCK + "<", markup)
    markup = _BREAK.sub(BLOCK, markup)
    return _CAPTION_START.sub(CAPTION + "<", markup)


def alt_captions(tree: LexborHTMLParser, rules: OutletRules | None, marked: str) -> None:
    """Where an outlet's only caption is an image's alt text, that text becomes a caption
    block in the image's place (before images are dropped). Without an outlet rule the same
    holds for a page that marks no caption anywhere (RTI's <br> bodies say what the image
    shows only in its alt), but a short alt ("photo", "logo") is no caption."""
    if rules is None or "alt=" not in marked:
        return
    selectors, shortest = rules.present(rules.alt_captions, marked), 1
    if not rules.alt_captions:
        captions = rules.present(rules.captions, marked)
        if CAPTION in marked or (captions and tree.css_first(captions)):
            return
        selectors, shortest = "img[alt]", _ALT_CAPTION_MIN
    if not selectors:
        return
    for node in tree.css(selectors):
        alt = " ".join((node.attributes.get("alt") or "").split())
        if len(alt) >= shortest and has_words(alt):
            node.insert_before(BLOCK + CAPTION + alt + BLOCK)


_ALT_CAPTION_MIN = 8  # characters


def drop_link_lists(tree: LexborHTMLParser) -> None:
    """A list item that is nothing but a link to another page is a headline in a list of other
    stories (RFA, BBC, CNA and most sites put such lists between or after paragraphs). Links
    to a place on the same page (a programme's table of contents) stay."""
    for link in tree.css("li a[href]"):
        href = link.attributes.get("href") or ""
        if "#" in href:
            continue
        item = link.parent
        for _ in range(3):  # li > a, li > b > a, li > span > b > a
            if item is None or item.tag == "li":
                break
            item = item.parent
        if item is None or item.tag != "li":
            continue
        if _bare_text(item.text()) == _bare_text(link.text()):
            item.decompose()


_MARKS_AND_SPACE = re.compile(rf"[\s{BLOCK}{CAPTION}{CELL}]+")


def _bare_text(text: str) -> str:
    return _MARKS_AND_SPACE.sub("", text)


def mark_quotes(tree: LexborHTMLParser) -> None:
    """Each block inside a <blockquote> gets the quote marker, so that a pull-quote (a sentence
    of the article repeated in large type) can be told from a quotation of its own."""
    for quote in tree.css("blockquote"):
        quote.insert_before(QUOTE)
        for block in quote.css("p, div, li"):
            block.insert_before(QUOTE)


def apply_selectors(tree: LexborHTMLParser, rules: OutletRules | None, marked: str) -> None:
    """The outlet's CSS rules on a parsed, marked page: furniture out, captions marked;
    and, for every page, lists of links to other stories out and blockquotes marked."""
    if "<li" in marked or "<LI" in marked:
        drop_link_lists(tree)
    if "<blockquote" in marked or "<BLOCKQUOTE" in marked:
        mark_quotes(tree)
    if rules is None:
        return
    remove = rules.present(rules.remove, marked)
    if remove:
        for node in tree.css(remove):
            node.decompose()
    captions = rules.present(rules.captions, marked)
    if captions:
        for node in tree.css(captions):
            node.insert_before(CAPTION)  # after the block marker in front of the element


def marked_text(
    markup: str, root_selector: str | None = None, rules: OutletRules | None = None
) -> str:
    """Parse marked HTML and return the text of its body (or of the first root_selector match)."""
    tree = LexborHTMLParser(markup)
    alt_captions(tree, rules, markup)
    tree.strip_tags(DROP_TAGS)
    apply_selectors(tree, rules, markup)
    root = tree.css_first(root_selector) if root_selector else None
    if root is None:
        root = tree.body
    if root is None:
        return ""
    return root.text(deep=True)


def text_to_blocks(text: str, body: HtmlBody) -> None:
    """Split marked text into clean (kind, text) blocks appended to body.blocks."""
    out = body.blocks
    for piece in text.split(BLOCK):
        if not piece or piece.isspace():
            continue
        kind = "caption" if CAPTION in piece else "quote" if QUOTE in piece else "body"
        piece = _INVISIBLE.sub("", piece)
        if CELL in piece:
            piece = piece.replace(CELL, " ")
        piece = " ".join(piece.split())
        if not piece:
            continue
        if "&" in piece and _ENTITY.search(piece):
            # Double-escaped source ('&amp;nbsp;'): decode the second layer too.
            piece = _clean(piece)
        piece = drop_urls(piece)
        if not piece or not has_words(piece):
            continue
        if len(piece) <= 60:
            parsed = parse_date(piece)
            if parsed is None:
                label = _DATE_LABEL.match(piece)
                parsed = parse_date(piece[label.end() :]) if label else None
            if parsed is not None:  # a stray date line or time stamp is metadata, not text
                body.dates_seen.append(parsed)
                continue
        out.append((kind, piece))
    while out and _FEED_SIGNOFF.fullmatch(out[-1][1]):
        out.pop()
    if any(kind == "quote" for kind, _ in out):
        out[:] = _without_pull_quotes(out)


# Words (Latin letters and digits) and single characters (CJK, which has no spaces between
# words), compared in pairs to tell a pull-quote from a quotation.
_TOKEN = re.compile(r"[a-z0-9]+|[^\W_a-z0-9]")
_PULL_QUOTE_SHARE = 0.8  # of a blockquote's word pairs found in one paragraph of the body
_PULL_QUOTE_MIN = 3  # word pairs: a shorter blockquote is kept whatever it says


def _pairs(text: str) -> set[tuple[str, str]]:
    tokens = _TOKEN.findall(text.lower())
    return set(itertools.pairwise(tokens))


def _without_pull_quotes(blocks: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """A blockquote whose words are those of a paragraph of the body (an Economist pull-quote
    repeats a sentence, shortened a little) is dropped; any other blockquote (readers'
    comments, a quoted letter) is body text."""
    body = [_pairs(text) for kind, text in blocks if kind == "body"]
    out = []
    for kind, text in blocks:
        if kind == "quote":
            pairs = _pairs(text)
            if len(pairs) >= _PULL_QUOTE_MIN and any(
                len(pairs & p) >= _PULL_QUOTE_SHARE * len(pairs) for p in body
            ):
                continue
            kind = "body"
        out.append((kind, text))
    return out


def html_to_blocks(
    markup: str,
    *,
    dateline: bool = True,
    root_selector: str | None = None,
    rules: OutletRules | None = None,
) -> HtmlBody:
    """The whole path for an HTML fragment or page: date line out, markers in, parse, split."""
    check_depth(markup)
    body = HtmlBody()
    if dateline:
        markup, body.dateline, body.byline = split_dateline(markup)
    tail = max(0, len(markup) - 2000)
    if markup.find(_FOOTER_WORDS, tail) != -1:  # most pages have no footer: one C scan
        m = _FEED_FOOTER.search(markup, tail)
        if m:
            markup = markup[: m.start()]
    text_to_blocks(marked_text(mark_blocks(markup), root_selector, rules), body)
    if rules is not None:
        body.blocks = rules.blocks(body.blocks)
    return body


def _clean(text: str) -> str:
    return " ".join(_INVISIBLE.sub("", htmllib.unescape(text)).replace(CELL, " ").split())
