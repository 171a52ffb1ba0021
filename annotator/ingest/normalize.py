"""Small text clean-ups shared by every reader: one place decides what a clean unit looks like."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# Zero-width and invisible formatting characters: they vanish (they break matching and hashing).
# So do control characters that are not whitespace (str.split already takes \t-\r and
# \x1c-\x1f): no news text means them, and PostgreSQL refuses a NUL in a text column; and
# lone surrogates (from a "\ud800" escape), which are no Unicode and cannot be stored.
_INVISIBLE = re.compile(
    "[\u200b-\u200f\u2060-\u2064\ufeff\u00ad\u180e\x00-\x08\x0e-\x1b\x7f\ud800-\udfff]"
)
_SURROGATES = re.compile("[\ud800-\udfff]")


def valid_unicode(text: str) -> str:
    """`text` with lone surrogates replaced (U+FFFD): what a UTF-8 file or column can hold."""
    return _SURROGATES.sub("\ufffd", text)


# A web address in running text. ASCII only, so a Chinese character right after it survives;
# and never past a character RFC 3986 keeps out of addresses (" < > [ ] { } | \\ ^ `), so the
# words after `[link=https://x.example]click me` or `=HYPERLINK("http://x","click")` stay.
# An address never ends in punctuation: the ')' of '直播(www.state.gov)。' or a full stop after
# it belongs to the sentence.
_URL_CHARS = r"[!#-;=?-Z_a-z~]"
_URL_END = r"[#-&*+\-/-9=@-Z_a-z~]"
_URL = re.compile(
    rf"(?:https?|ftp)://(?:{_URL_CHARS}*{_URL_END})?"
    rf"|\bwww\.[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?:{_URL_CHARS}*{_URL_END})?"
)
_HUSK = re.compile(r"\s*[(（]\s*[)）]")
_SPACE_BEFORE_MARK = re.compile(r"\s+([,.;:!?，。；：！？、])")
# Text left over once URLs are gone that carries no words (brackets, colons, dashes, bullets).
_NO_WORDS = re.compile(r"[\W_]*", re.UNICODE)


def clean_text(text: str) -> str:
    """Drop invisible characters; collapse all whitespace (NBSP, ideographic space) to one space."""
    return " ".join(_INVISIBLE.sub("", text).split())


def drop_urls(text: str) -> str:
    """Remove web addresses from clean text; '' when nothing but the address was there."""
    if "http" not in text and "www." not in text and "ftp://" not in text:
        return text
    text = " ".join(_URL.sub(" ", text).split())
    # Tidy the husk a removed address leaves: "直播( )。" -> "直播。", "see , then" -> "see, then".
    text = _HUSK.sub("", text)
    text = _SPACE_BEFORE_MARK.sub(r"\1", text).strip()
    return "" if _NO_WORDS.fullmatch(text) else text


def has_words(text: str) -> bool:
    return not _NO_WORDS.fullmatch(text)


def domain_of(url: str | None) -> str | None:
    """The outlet fallback: 'https://www.voachinese.com/a/1.html' -> 'voachinese.com'."""
    if not url:
        return None
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host[4:] if host.startswith("www.") else host
