"""Every importer, in-process, on hostile files: documents or one IngestError line naming the
file; never another exception, never more than the CPU budget (tests/fuzz/conftest.py)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import strategies as st

from annotator.ingest.model import IngestError
from annotator.ingest.readers import read_file
from annotator.store.hashes import prepare_document
from tests.fuzz.conftest import files, fuzz
from tests.fuzz.mutate import csv_rows, jsonl, mutated

FEED_MD = files("tests/fixtures/ingest/voa_*.md", "annotator/samples/voa/*.md")
JEKYLL = [
    b'---\nlayout: post\ntitle: "A title"\ndate: 2020-08-07 12:00:00 +08:00\n'
    b"tags: [VOA]\ncategories: [VOA]\nauthor: VOA\nfrom: https://x.example/a\n---\n\n"
    b"<p>First sentence here. Second one.</p><p>Another paragraph.</p>\n"
]
HTML = [
    b"<!doctype html><html><head><title>Title | Site</title>"
    b'<link rel="canonical" href="https://news.example.com/a.html">'
    b'<meta property="og:site_name" content="Site">'
    b'<meta property="article:published_time" content="2021-03-04T05:06:07Z"></head>'
    b'<body><article><h1>Title</h1><figure><img src="https://i.example/a.jpg" alt="x">'
    b"<figcaption>A caption.</figcaption></figure><p>One sentence. Two sentences.</p>"
    b"<p>\xe4\xb8\xad\xe6\x96\x87\xe5\x8f\xa5\xe5\xad\x90\xe3\x80\x82</p></article></body></html>"
]
TEXT = [b"A short title\n\nFirst paragraph here. It has two sentences.\n\nSecond paragraph.\n"]
JSONL = [
    b'{"id": 1, "title": "T", "url": "https://x.example/1", "text": "One. Two.", '
    b'"published": "2020-01-02", "lang": "en"}\n{"id": 2, "text": ["P one.", "P two."]}\n'
]
CSV = [b'id,title,url,text,published\n1,T,https://x.example/1,"One. Two.",2020-01-02\n']
RSS = [
    b'<?xml version="1.0"?><rss version="2.0" '
    b'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Radio</title>'
    b"<item><title>First &amp; news</title><link>https://r.example/a/1.html</link>"
    b"<pubDate>Wed, 07 Oct 2020 00:26:32 GMT</pubDate><author>A B</author>"
    b"<content:encoded><![CDATA[<p>Body one. Body two.</p>]]></content:encoded></item>"
    b"<item><title>Second</title><description>Summary text.</description></item>"
    b"</channel></rss>",
    b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Wire</title>'
    b'<entry><title>An entry</title><link href="https://w.example/e/1"/>'
    b'<updated>2021-01-01T00:00:00Z</updated><summary type="html">&lt;p&gt;Text.&lt;/p&gt;'
    b"</summary></entry></feed>",
]
RECORD_FIELDS = ("id", "doc_id", "title", "url", "text", "published", "lang", "outlet", "kind")

TARGETS = {
    # format: (file suffix, inputs)
    "feed-md": (".md", mutated(FEED_MD + JEKYLL)),
    "html": (".html", mutated(HTML)),
    "text": (".txt", mutated(TEXT)),
    "jsonl": (".jsonl", st.one_of(mutated(JSONL), jsonl(RECORD_FIELDS))),
    "csv": (".csv", st.one_of(mutated(CSV), csv_rows(RECORD_FIELDS))),
    "rss": (".rss", mutated(RSS)),
}


def check(data: bytes, suffix: str, format: str | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(data)
        try:
            docs = read_file(path, format=format)
        except IngestError as exc:
            message = str(exc)
            assert str(path) in message and "\n" not in message, message
            return
        for doc in docs:
            prepared = prepare_document(doc)  # every text hashes: it is real Unicode
            json.dumps(doc.meta, allow_nan=False)  # the store's JSON column takes it
            assert doc.lang is None or len(doc.lang) <= 16
            for _, text, _ in prepared.units:
                assert text and "\x00" not in text


@pytest.mark.parametrize("format", sorted(TARGETS))
def test_fuzz_importer(format: str) -> None:
    suffix, inputs = TARGETS[format]
    fuzz(f"import --format {format}", inputs, lambda data: check(data, suffix, format))


# Detection by content: no telling suffix (.dat), feed or page (.xml), feed Markdown or text (.md).
@pytest.mark.parametrize("suffix", [".md", ".xml", ".dat"])
def test_fuzz_format_detection(suffix: str) -> None:
    everything = FEED_MD[:2] + JEKYLL + HTML + TEXT + JSONL + CSV + RSS
    fuzz(f"import detection {suffix}", mutated(everything), lambda data: check(data, suffix, None))
