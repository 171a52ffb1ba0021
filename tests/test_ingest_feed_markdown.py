"""Feed-mirror Markdown: both containers and every HTML body variant the corpus README lists."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from annotator.ingest.model import IngestError, ParsedDocument
from annotator.ingest.readers import read_file
from tests.support.ingest import assert_clean, bare, body_text, write

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"


def read_one(path: Path, **kwargs) -> ParsedDocument:
    docs = read_file(path, **kwargs)
    assert len(docs) == 1
    assert_clean(docs[0])
    return docs[0]


def kinds(doc: ParsedDocument) -> list[str]:
    return [u.kind for u in doc.units]


def captions(doc: ParsedDocument) -> list[str]:
    return [u.text for u in doc.units if u.kind == "caption"]


def jekyll(body: str, title: str = "标题", **extra: str) -> str:
    fields = {
        "layout": "post",
        "title": f'"{title}"',
        "date": "2020-07-19T18:41:20.000Z",
        "author": "某报",
        "from": "https://news.example.com/a/1.html",
        "tags": "[ 某报 ]",
        "categories": "[ 某报 ]",
    } | extra
    front = "\n".join(f"{k}: {v}" for k, v in fields.items())
    return f"---\n{front}\n---\n<!--1595184080000-->\n[{title}](https://x.org/1)\n------\n\n<div>\n{body}\n</div>\n"


# --- the two containers, from real VOA files -------------------------------------------------


def test_bare_container_title_url_date_outlet_from_domain() -> None:
    doc = read_one(FIXTURES / "voa_bare_dm.md")
    assert doc.title == "广东东莞发现两起新冠病毒感染 全市严防死堵展开防疫"
    assert doc.url == (
        "https://www.voachinese.com/a/"
        "Guangdong-Dongguan-latest-southern-city-to-be-hit-by-covid-19-20210621/5936676.html"
    )
    assert doc.outlet == "voachinese.com"  # no front matter: the URL's domain
    assert doc.published == datetime(2021, 6, 21, 12, 32, 37, tzinfo=UTC)  # the date line
    assert doc.lang == "zh-Hans"
    assert kinds(doc)[:3] == ["title", "caption", "body"]
    assert captions(doc) == ["因新冠疫情广东省广州市芳村的交通受到管制。（2021年6月4日）"]
    assert doc.source_path == str(FIXTURES / "voa_bare_dm.md")


def test_jekyll_container_front_matter() -> None:
    doc = read_one(FIXTURES / "voa_strong.md")
    assert doc.title == "美国国家安全顾问就黎智英被捕发表声明(全文翻译)"
    assert doc.url == (
        "https://www.voachinese.com/a/robert-obrien-statement-jimmy-lai-arrest-20200810/5538638.html"
    )
    assert doc.outlet == "美国之音"
    assert doc.meta["tags"] == ["美国之音"] and doc.meta["categories"] == ["美国之音"]
    assert doc.published == datetime(2020, 8, 11, 1, 47, 59, tzinfo=UTC)  # date line, not fm


def test_seed_article_br_paragraphs_and_inline_image_caption_once() -> None:
    doc = read_one(FIXTURES / "voa_seed.md")
    assert doc.title == "美中博弈新看点：中亚峰会对G7峰会"
    caps = captions(doc)
    # The inline image's alt text repeats its caption: the caption comes once, alt text never.
    assert caps.count("中国西安市民路过街头竖立的中亚峰会宣传牌。（2023年5月17日）") == 1
    assert len(caps) == len(set(caps))
    # <br /><br /> inside one <p> separates paragraphs: no unit spans the break.
    assert not any("举行。这次中亚峰会" in u.text for u in doc.units)
    assert "这次中亚峰会计划进行两天" in body_text(doc)
    # Reading order: the second caption sits between the paragraphs around the image.
    texts = [u.text for u in doc.units]
    cap_at = texts.index("中国西安市民路过街头竖立的中亚峰会宣传牌。（2023年5月17日）")
    assert any("斯坦" in t for t in texts[:cap_at])
    assert any("汪文斌" in t for t in texts[cap_at:])


def test_bare_div_paragraphs_and_nbsp_spacers() -> None:
    doc = read_one(FIXTURES / "voa_bare_divs.md")
    assert "美国总统特朗普星期六打了18个洞高尔夫球" in body_text(doc)
    assert "TikTok" in body_text(doc)


def test_feed_footer_and_hr_are_dropped() -> None:
    doc = read_one(FIXTURES / "voa_footer.md")
    assert not any("RSS" in u.text or "feedx" in u.text for u in doc.units)
    assert doc.units[-1].kind == "body"


def test_video_caption_that_repeats_the_title_is_not_repeated() -> None:
    doc = read_one(FIXTURES / "voa_video.md")
    assert [u.text for u in doc.units].count("美国选举知识：选民的资格") == 1
    assert captions(doc) == []
    assert "合格的选民必须是" in body_text(doc)


def test_talk_show_audio_and_iframe_leave_no_trace() -> None:
    doc = read_one(FIXTURES / "voa_talkshow.md")
    assert [u.text for u in doc.units].count(doc.title) == 1
    assert "Pangea" not in "".join(u.text for u in doc.units)
    assert "习近平赴湖南考察" in body_text(doc)


def test_empty_image_and_empty_caption_vanish() -> None:
    doc = read_one(FIXTURES / "voa_empty_img.md")
    assert kinds(doc)[:2] == ["title", "body"]
    assert captions(doc) == []


def test_inline_content_image_caption_and_entities_decoded() -> None:
    doc = read_one(FIXTURES / "voa_inline_image.md")
    # '&#183;' in the caption is decoded to the middle dot.
    assert "美国北极事务协调员詹姆斯·德哈特（James DeHart）（美国政府网站）" in captions(doc)
    assert not any("&#" in u.text or "&amp;" in u.text for u in doc.units)


def test_list_items_are_their_own_units() -> None:
    doc = read_one(FIXTURES / "voa_list.md")
    texts = [u.text for u in doc.units]
    assert "2013—2017，印第安纳州州长" in texts
    assert "年龄：61" in texts


def test_strong_subheads_are_units() -> None:
    doc = read_one(FIXTURES / "voa_strong.md")
    raw = (FIXTURES / "voa_strong.md").read_text(encoding="utf-8")
    heads = re.findall(r"<strong>([^<]+)</strong>(?:<br />|</p>)", raw)
    texts = [u.text for u in doc.units]
    assert heads and all(h.strip() in texts for h in heads)
    assert "下面是奥布莱恩这份声明的全文：" in texts


def test_em_and_brbr_and_zero_width() -> None:
    for name in ("voa_em.md", "voa_brbr.md"):
        read_one(FIXTURES / name)
    doc = read_one(FIXTURES / "voa_zero_width.md")
    assert "\u200b" in (FIXTURES / "voa_zero_width.md").read_text(encoding="utf-8")
    assert "朝鲜" in body_text(doc)


# --- variants seen only in copyrighted files: tiny hand-written equivalents -------------------


def test_br_text_without_paragraphs(tmp_path: Path) -> None:
    html = (
        '<img src="https://img.example/1.jpg" alt="图说">'
        + "<br>第一段文字。<br>第二段文字。<br><br>"
    )
    doc = read_one(write(tmp_path, "a.md", jekyll(html)))
    assert [u.text for u in doc.units] == ["标题", "第一段文字。", "第二段文字。"]


def test_bare_li_headings_list(tmp_path: Path) -> None:
    html = '<li><a href="https://x.org/#1">【要闻】第一条</a></li><li><a href="https://x.org/#2">第二条</a></li>'
    doc = read_one(write(tmp_path, "a.md", jekyll(html)))
    assert [u.text for u in doc.units][1:] == ["【要闻】第一条", "第二条"]


def test_table_rows_blockquote_h2(tmp_path: Path) -> None:
    html = (
        "<h2>小标题</h2><p>正文一。</p><blockquote><p>引文内容。</p></blockquote>"
        "<table><tbody><tr><th>城市</th><th>人口</th></tr><tr><td>北京</td><td>2100万</td></tr>"
        "</tbody></table><p>正文二。</p>"
    )
    doc = read_one(write(tmp_path, "a.md", jekyll(html)))
    assert [u.text for u in doc.units][1:] == [
        "小标题",
        "正文一。",
        "引文内容。",
        "城市 人口",
        "北京 2100万",
        "正文二。",
    ]


def test_misnested_em_keeps_all_text_in_order(tmp_path: Path) -> None:
    html = "<p>甲<em>乙</p><p>丙</em>丁。</p>"
    doc = read_one(write(tmp_path, "a.md", jekyll(html)))
    assert body_text(doc) == "甲乙丙丁。"


def test_figcaption_screen_reader_text_and_credit(tmp_path: Path) -> None:
    html = (
        '<figure><img alt="替代文字" src="https://i.example/1.jpg">'
        '<span class="off-screen">图片来源</span>'
        '<span class="story-image-copyright">Getty Images</span><figcaption>'
        '<span class="off-screen">Image caption</span>图片说明</figcaption></figure><p>正文。</p>'
    )
    doc = read_one(write(tmp_path, "a.md", jekyll(html)))
    assert [(u.kind, u.text) for u in doc.units][1:] == [
        ("caption", "图片说明"),
        ("body", "正文。"),
    ]


@pytest.mark.parametrize(
    ("dateline", "expected"),
    [
        ("Wed, 07 Oct 2020 00:26:32 GMT", datetime(2020, 10, 7, 0, 26, 32, tzinfo=UTC)),
        ("某记者<br>2020-08-25T11:43:22.626Z", datetime(2020, 8, 25, 11, 43, 22, tzinfo=UTC)),
        # No time zone: the front matter's aware time wins over a naive date line.
        ("2020-08-07T02:44:34", datetime(2020, 7, 19, 18, 41, 20, tzinfo=UTC)),
        ("2020年 7月 17日", datetime(2020, 7, 19, 18, 41, 20, tzinfo=UTC)),
    ],
)
def test_date_line_forms_are_metadata(tmp_path: Path, dateline: str, expected: datetime) -> None:
    doc = read_one(write(tmp_path, "a.md", jekyll(f"<div><i>{dateline}</i></div><p>正文。</p>")))
    assert doc.published == expected
    assert [u.text for u in doc.units] == ["标题", "正文。"]


def test_naive_date_line_used_when_nothing_else(tmp_path: Path) -> None:
    text = "[标题](https://example.org/1)\n------\n\n<div><i>2020-08-07T02:44:34</i></div><p>正文。</p>"
    doc = read_one(write(tmp_path, "a.md", text))
    assert doc.published == datetime(2020, 8, 7, 2, 44, 34, tzinfo=UTC)


def test_epoch_comment_when_no_other_date(tmp_path: Path) -> None:
    doc = read_one(write(tmp_path, "a.md", bare("<p>正文。</p>")))
    assert doc.published == datetime(2020, 7, 19, 18, 41, 20, tzinfo=UTC)


def test_nested_brackets_in_title(tmp_path: Path) -> None:
    doc = read_one(write(tmp_path, "a.md", bare("<p>正文。</p>", title="[生活] 本土新增一例")))
    assert doc.title == "[生活] 本土新增一例"
    assert doc.url == "https://example.org/a/1.html"


def test_front_matter_title_beats_shortened_link_title(tmp_path: Path) -> None:
    text = jekyll("<p>正文。</p>", title='很长的标题 \\"引号\\" 全文').replace(
        '[很长的标题 \\"引号\\" 全文]', "[很长的标题...]"
    )
    doc = read_one(write(tmp_path, "a.md", text))
    assert doc.title == '很长的标题 "引号" 全文'


def test_author_is_outlet_when_it_is_not_a_channel(tmp_path: Path) -> None:
    doc = read_one(write(tmp_path, "a.md", jekyll("<p>正文。</p>", tags="[ a, b ]")))
    assert doc.outlet == "某报"


def test_channel_beats_a_person_as_author(tmp_path: Path) -> None:
    doc = read_one(write(tmp_path, "a.md", jekyll("<p>正文。</p>", author="张三")))
    assert doc.outlet == "某报"
    assert doc.meta["author"] == "张三"


def test_lang_override(tmp_path: Path) -> None:
    doc = read_one(write(tmp_path, "a.md", bare("<p>正文。</p>")), lang="zh-Hant")
    assert doc.lang == "zh-Hant"


def test_front_matter_never_closed_is_a_clear_error(tmp_path: Path) -> None:
    path = write(tmp_path, "cut.md", '---\nlayout: post\ntitle: "标题"\ndate: 2020-07-19')
    with pytest.raises(IngestError, match=r"cut\.md: front matter .* never closed"):
        read_file(path)


def test_html_cut_mid_tag_gives_what_it_can(tmp_path: Path) -> None:
    full = (FIXTURES / "voa_seed.md").read_text(encoding="utf-8")
    cut = full[: full.index("<img  src=") + 30]
    doc = read_one(write(tmp_path, "cut.md", cut))
    assert "中亚峰会将在周四" in body_text(doc)


def test_no_body_is_a_clear_error(tmp_path: Path) -> None:
    path = write(tmp_path, "t.md", "[标题](https://example.org/1)\n------\n\n")
    with pytest.raises(IngestError, match="no article text"):
        read_file(path)


def test_markdown_that_is_not_a_feed_article(tmp_path: Path) -> None:
    path = write(tmp_path, "notes.md", "# Notes\n\nSome text.\n")
    with pytest.raises(IngestError, match="not a feed Markdown article"):
        read_file(path)
    assert read_file(path, format="text")[0].units


def test_labelled_and_slashed_date_lines_are_dropped(tmp_path: Path) -> None:
    html = (
        "<p>发布时间：2021年1月06日</p><p>13/11/2020 - 11:20</p>"
        "<p>Published: 2020-01-02</p><p>正文。</p>"
    )
    doc = read_one(write(tmp_path, "a.md", jekyll(html)))
    assert [u.text for u in doc.units] == ["标题", "正文。"]
