"""Readers on hostile input: bad metadata costs the field, never the article; removing a URL
never eats the words after it (issue 10, items 10 and 12)."""

from __future__ import annotations

import json

import pytest

from annotator.ingest.model import IngestError
from annotator.ingest.normalize import drop_urls
from annotator.ingest.readers import read_file
from annotator.ingest.units import json_safe


def test_a_front_matter_date_that_does_not_exist_costs_only_that_field(tmp_path):
    path = tmp_path / "post.md"
    path.write_text(
        "---\ntitle: 2020-02-30\ndate: 2020-02-30 10:00:00\nlayout: post\ntags: {a: 1}\n---\n\n"
        "<p>Body text here. More text.</p>\n",
        encoding="utf-8",
    )
    (doc,) = read_file(path)
    assert doc.title == "2020-02-30" and doc.published is None
    assert [u.text for u in doc.units] == ["2020-02-30", "Body text here.", "More text."]


def test_front_matter_dates_in_metadata_are_stored_as_text(tmp_path):
    path = tmp_path / "post.md"
    path.write_text(
        "---\ntitle: T\ntags: [2020-01-02, x]\nextra: {b: 1}\n---\n\n<p>Body text.</p>\n",
        encoding="utf-8",
    )
    (doc,) = read_file(path)
    assert doc.meta["tags"] == ["2020-01-02", "x"]
    json.dumps(doc.meta)  # the store's JSON column takes it


def test_json_safe_keeps_json_and_writes_out_the_rest():
    assert json_safe({"a": [1, 2.5, None, True], 3: float("nan")}) == {
        "a": [1, 2.5, None, True],
        "3": "nan",
    }


@pytest.mark.parametrize("ref", ["&#99999999;", "&#x110000;", "&#xD800;", "&#0;"])
def test_a_character_reference_to_no_character_costs_that_character(tmp_path, ref):
    path = tmp_path / "feed.rss"
    path.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        f"<item><title>Hello {ref} there</title><link>http://x.example/a</link>"
        f"<description>Some text {ref} here. More.</description><author>A {ref}</author>"
        "</item></channel></rss>",
        encoding="utf-8",
    )
    (doc,) = read_file(path)
    assert doc.title == "Hello \ufffd there"
    assert [u.text for u in doc.units][1:] == ["Some text \ufffd here.", "More."]


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("[link=https://evil.example]click me", "click me"),
        ('=HYPERLINK("http://evil.example","click")', '"click")'),
        ("see <https://a.example/x> then more", "then more"),
        ("a {https://a.example/x} b|https://b.example/y|c", "b|"),
    ],
)
def test_removing_an_address_keeps_the_words_after_it(text, kept):
    out = drop_urls(text)
    assert kept in out and "example" not in out


def test_addresses_are_still_removed_whole():
    assert drop_urls("See https://x.com/a(b)?q=1&r=2#f now.") == "See now."
    assert drop_urls("见 www.voachinese.com/a/1.html 报道") == "见 报道"


RSS = (
    b'<rss version="2.0"><channel><title>T</title><item><title>Hello</title>'
    b"<link>http://x.example/a</link><description>Some text here.</description>"
    b"</item></channel></rss>"
)


def test_blank_lines_before_the_feed_element_are_read_in_linear_time(tmp_path):
    # Found by the long fuzz profile: feedparser's `^\s*<!ENTITY` (multi-line) over 60 KB of
    # blank lines before the root element took 68 s. One character per run is all it sees.
    from annotator.ingest.feeds import tidy_prolog

    prolog = b'<?xml version="1.0"?>' + b"\r\n" * 60_000 + b"<!-- c -->" + b" \t" * 9_000
    assert tidy_prolog(prolog + RSS, "f") == b'<?xml version="1.0"?>\n<!-- c --> ' + RSS
    path = tmp_path / "feed.rss"
    path.write_bytes(prolog + RSS)
    (doc,) = read_file(path)
    assert doc.title == "Hello"


def test_a_feed_with_kilobytes_of_declarations_before_its_element_is_refused(tmp_path):
    path = tmp_path / "feed.xml"
    path.write_bytes(b'<?xml version="1.0"?>\n' + b"<!ENTITY a\n" * 2_000 + RSS)
    with pytest.raises(IngestError, match="over 16 KB before its first element"):
        read_file(path)
