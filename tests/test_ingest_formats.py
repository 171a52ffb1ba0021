"""Standalone HTML pages, plain text, JSONL/CSV records and RSS/Atom feeds, plus detection."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from annotator.ingest.model import IngestError
from annotator.ingest.readers import FORMATS, RecordOptions, iter_documents, read_file
from tests.support.ingest import assert_clean, body_text, write

PAGE = """<!DOCTYPE html>
<html lang="zh"><head><meta charset="utf-8">
<title>页面标题 - 某网站</title>
<meta property="og:title" content="文章标题">
<meta property="og:site_name" content="某新闻网">
<meta property="article:published_time" content="2021-03-04T05:06:07+08:00">
<link rel="canonical" href="https://news.example.com/2021/03/04/story.html">
<script>var x = "<p>不是正文</p>";</script><style>p { color: red }</style>
</head><body>
<header><nav><a href="/">首页</a> <a href="/world">国际</a></nav></header>
<article><h1>文章标题</h1>
<figure><img src="https://img.example.com/a.jpg" alt="图片替代文字">
<figcaption>图片说明文字</figcaption></figure>
<p>第一段正文。</p><p>&nbsp;</p><p>第二段&amp;正文。</p>
</article>
<aside>相关阅读</aside><footer>版权所有</footer>
</body></html>"""


def test_html_page_metadata_and_main_content(tmp_path: Path) -> None:
    (doc,) = read_file(write(tmp_path, "story.html", PAGE))
    assert_clean(doc)
    assert doc.title == "文章标题"
    assert doc.url == "https://news.example.com/2021/03/04/story.html"
    assert doc.outlet == "某新闻网"
    assert doc.published == datetime(2021, 3, 3, 21, 6, 7, tzinfo=UTC)
    assert [(u.kind, u.text) for u in doc.units] == [
        ("title", "文章标题"),
        ("caption", "图片说明文字"),
        ("body", "第一段正文。"),
        ("body", "第二段&正文。"),
    ]


def test_html_page_fallbacks(tmp_path: Path) -> None:
    page = (
        "<html><head><title>Plain title | Site</title></head><body><main>"
        '<time datetime="2022-01-02T03:04:05Z">Jan 2</time><p>Body text here.</p>'
        "</main></body></html>"
    )
    (doc,) = read_file(write(tmp_path, "p.htm", page), lang="en")
    assert doc.title == "Plain title"
    assert doc.published == datetime(2022, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert doc.outlet is None and doc.url is None
    assert [u.text for u in doc.units] == ["Plain title", "Body text here."]


def test_plain_text_title_line_and_paragraphs(tmp_path: Path) -> None:
    text = "这是标题\n\n第一段第一行\n第一段第二行。\n\n\n   \n第二段。\r\n\r\n2020年7月17日\n"
    (doc,) = read_file(write(tmp_path, "a.txt", text))
    assert_clean(doc)
    assert doc.title == "这是标题"
    assert [u.text for u in doc.units] == ["这是标题", "第一段第一行第一段第二行。", "第二段。"]
    assert doc.published == datetime(2020, 7, 17, tzinfo=UTC)


def test_plain_text_without_title_line(tmp_path: Path) -> None:
    text = "A first paragraph that wraps\nonto a second line.\n\nAnother one."
    (doc,) = read_file(write(tmp_path, "note.txt", text), lang="en")
    assert doc.title == "note"
    assert [u.kind for u in doc.units] == ["body", "body"]
    assert doc.units[0].text == "A first paragraph that wraps onto a second line."


def test_jsonl_one_record_per_document(tmp_path: Path) -> None:
    records = [
        {
            "id": "d1",
            "title": "标题一",
            "text": "第一段。\n\n第二段。",
            "url": "https://www.example.com/1",
            "published": "2020-01-02T03:04:05Z",
            "section": "国际",
        },
        {"id": "d2", "headline": "标题二", "body": ["段落甲。", "段落乙。"], "source": "某台"},
        {"id": "d3", "text": ""},
    ]
    path = write(tmp_path, "a.jsonl", "\n".join(json.dumps(r, ensure_ascii=False) for r in records))
    d1, d2 = read_file(path, records=RecordOptions(meta_fields=("section",)))[:1] + read_file(
        path,
        records=RecordOptions(text_field="body", title_field="headline", outlet_field="source"),
    )
    assert [u.text for u in d1.units] == ["标题一", "第一段。", "第二段。"]
    assert d1.outlet == "example.com" and d1.meta == {"section": "国际", "id": "d1"}
    assert d1.published == datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert [u.text for u in d2.units] == ["标题二", "段落甲。", "段落乙。"]
    assert d2.outlet == "某台"


def test_jsonl_one_record_per_sentence_grouped_in_order(tmp_path: Path) -> None:
    rows = [
        {"doc": "b", "kind": "title", "text": "乙的标题"},
        {"doc": "a", "text": "甲一。", "title": "甲的标题"},
        {"doc": "b", "text": "乙一。"},
        {"doc": "a", "text": "甲二。"},
        {"doc": "a", "text": "图说", "kind": "caption"},
    ]
    path = write(tmp_path, "s.jsonl", "\n".join(json.dumps(r, ensure_ascii=False) for r in rows))
    docs = read_file(path, records=RecordOptions(id_field="doc", per="sentence"))
    assert [d.title for d in docs] == ["乙的标题", "甲的标题"]
    assert [(u.kind, u.text) for u in docs[1].units] == [
        ("title", "甲的标题"),
        ("body", "甲一。"),
        ("body", "甲二。"),
        ("caption", "图说"),
    ]
    assert [u.text for u in docs[0].units] == ["乙的标题", "乙一。"]


def test_per_sentence_needs_a_document_id(tmp_path: Path) -> None:
    path = write(tmp_path, "s.jsonl", '{"text": "句子。"}\n')
    with pytest.raises(IngestError, match=r"s\.jsonl line 1: no document id in field 'id'"):
        read_file(path, records=RecordOptions(per="sentence"))


def test_csv_and_tsv_records(tmp_path: Path) -> None:
    csv_text = 'id,title,text\n1,标题,"第一段，有逗号。\n\n第二段。"\n2,另一篇,正文。\n'
    docs = read_file(write(tmp_path, "a.csv", csv_text))
    assert [[u.text for u in d.units] for d in docs] == [
        ["标题", "第一段，有逗号。", "第二段。"],
        ["另一篇", "正文。"],
    ]
    tsv = "doc_id\tsentence\nx\t一。\nx\t二。\n"
    (doc,) = read_file(
        write(tmp_path, "b.tsv", tsv),
        records=RecordOptions(id_field="doc_id", text_field="sentence", per="sentence"),
    )
    assert [u.text for u in doc.units] == ["一。", "二。"]


def test_records_errors_name_the_line_and_field(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match=r"bad\.jsonl line 2: not valid JSON"):
        read_file(write(tmp_path, "bad.jsonl", '{"text": "a"}\n{"text": \n'))
    with pytest.raises(IngestError, match=r"no record has text in field 'text' \(fields: body\)"):
        read_file(write(tmp_path, "x.jsonl", '{"body": "a"}\n'))
    with pytest.raises(IngestError, match="no record has text"):
        read_file(write(tmp_path, "x.csv", "body\nabc\n"))


RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>某电台</title><link>https://radio.example.org/</link>
<item><title>第一条 &amp; 新闻</title><link>https://radio.example.org/a/1.html</link>
<pubDate>Wed, 07 Oct 2020 00:26:32 GMT</pubDate>
<description>摘要不用。</description>
<content:encoded><![CDATA[<img src="https://img.example.org/1.jpg" alt="替代">
<div><small style="color: #999;">图说。</small></div><p>正文一。</p><p>正文二。</p>
]]></content:encoded>
</item>
<item><title>第二条</title><link>https://radio.example.org/a/2.html</link>
<description>&lt;p&gt;只有摘要。&lt;/p&gt;</description></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Example Wire</title>
<entry><title>An entry</title><link href="https://wire.example.com/e/1"/>
<updated>2021-05-06T07:08:09Z</updated>
<content type="html">&lt;p&gt;The first paragraph.&lt;/p&gt;
&lt;p&gt;The second one.&lt;/p&gt;</content>
</entry></feed>"""


def test_rss_one_document_per_entry(tmp_path: Path) -> None:
    docs = read_file(write(tmp_path, "feed.xml", RSS))
    assert len(docs) == 2
    for doc in docs:
        assert_clean(doc)
    first, second = docs
    assert first.title == "第一条 & 新闻"
    assert first.outlet == "某电台"
    assert first.url == "https://radio.example.org/a/1.html"
    assert first.published == datetime(2020, 10, 7, 0, 26, 32, tzinfo=UTC)
    assert [(u.kind, u.text) for u in first.units] == [
        ("title", "第一条 & 新闻"),
        ("caption", "图说。"),
        ("body", "正文一。"),
        ("body", "正文二。"),
    ]
    assert [u.text for u in second.units] == ["第二条", "只有摘要。"]


def test_atom_feed(tmp_path: Path) -> None:
    (doc,) = read_file(write(tmp_path, "wire.atom", ATOM), lang="en")
    assert doc.title == "An entry" and doc.outlet == "Example Wire"
    assert doc.published == datetime(2021, 5, 6, 7, 8, 9, tzinfo=UTC)
    assert body_text(doc) == "The first paragraph.The second one."


def test_broken_feed_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match=r"not a readable RSS/Atom feed|no entries"):
        read_file(write(tmp_path, "x.rss", "<rss><channel><title>x</title><item><title>"))


@pytest.mark.parametrize(
    ("name", "content", "fmt_units"),
    [
        ("page.dat", PAGE, "文章标题"),
        ("feed.dat", RSS, "第一条 & 新闻"),
        ("item", "<!--1595184080000-->\n[标题](https://x.org/1)\n------\n\n<p>正文。</p>", "标题"),
        ("rec.dat", '{"text": "正文。", "title": "记录"}\n', "记录"),
        ("plain", "标题行\n\n正文。", "标题行"),
    ],
)
def test_format_detected_from_content(
    tmp_path: Path, name: str, content: str, fmt_units: str
) -> None:
    docs = read_file(write(tmp_path, name, content))
    assert docs[0].units[0].text == fmt_units


def test_forced_format_and_unknown_format(tmp_path: Path) -> None:
    path = write(tmp_path, "page.txt", PAGE)
    assert read_file(path, format="html")[0].title == "文章标题"
    with pytest.raises(IngestError, match="unknown format 'docx'"):
        read_file(path, format="docx")
    assert set(FORMATS) == {"feed-md", "html", "text", "jsonl", "csv", "rss"}


def test_iter_documents_streams(tmp_path: Path) -> None:
    lines = "\n".join(json.dumps({"text": f"第{i}条。"}, ensure_ascii=False) for i in range(5))
    stream = iter_documents(write(tmp_path, "a.jsonl", lines))
    assert next(stream).units[0].text == "第0条。"


def test_cli_style_options_with_none_use_conventional_fields(tmp_path: Path) -> None:
    rows = [
        {"doc_id": 7, "title": "标题", "url": "https://www.example.net/7", "text": "一。"},
        {"doc_id": 7, "text": "二。"},
    ]
    path = write(tmp_path, "s.jsonl", "\n".join(json.dumps(r, ensure_ascii=False) for r in rows))
    options = RecordOptions(text_field="text", id_field=None, title_field=None, per="sentence")
    (doc,) = read_file(path, records=options)
    assert [u.text for u in doc.units] == ["标题", "一。", "二。"]
    assert doc.url == "https://www.example.net/7" and doc.outlet == "example.net"
    assert doc.meta == {"id": 7}
