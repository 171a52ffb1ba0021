"""Builders and checks the importer tests share: a bare feed file, what a clean unit looks like."""

from __future__ import annotations

import re
from pathlib import Path

from annotator.ingest.model import ParsedDocument

# What must never reach an annotator: markup, links, the setext underline, invisible characters.
FORBIDDEN = re.compile(r"[<>\u200b\u200c\u200d\u2060\ufeff]|http|\]\(|------|weserv|\.jpg|\.mp[34]")


def assert_clean(doc: ParsedDocument) -> None:
    """The unit invariants every reader promises."""
    assert doc.units, doc.source_path
    for unit in doc.units:
        assert unit.kind in ("title", "caption", "body")
        assert unit.text == unit.text.strip() and unit.text, unit
        assert not FORBIDDEN.search(unit.text), unit
        assert not DATE_LINE.match(unit.text), unit
        assert "\xa0" not in unit.text and "  " not in unit.text, unit
    assert [u.kind for u in doc.units].count("title") <= 1
    if doc.units[0].kind == "title":
        assert doc.units[0].text == doc.title


def body_text(doc: ParsedDocument) -> str:
    return "".join(u.text for u in doc.units if u.kind == "body")


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def bare(body: str, title: str = "标题", url: str = "https://example.org/a/1.html") -> str:
    return f"<!--1595184080000-->\n[{title}]({url})\n------\n\n{body}\n"


DATE_LINE = re.compile(r"^(?:[A-Z][a-z]{2}, )?\d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT$")
