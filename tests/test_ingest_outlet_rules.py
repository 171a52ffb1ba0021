"""Outlet rule files: what each key does to an article, how a user adds an outlet, what a broken
rule file says, and what the generic rules do on a site no file knows."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from annotator.ingest.html_text import html_to_blocks
from annotator.ingest.model import IngestError, ParsedDocument
from annotator.ingest.outlet_rules import (
    BUILTIN_DIR,
    RULES_ENV,
    load_rule_book,
    rules_for,
)
from annotator.ingest.readers import read_file


def feed_md(tmp_path: Path, body: str, url: str = "https://news.example.org/a/1.html") -> Path:
    path = tmp_path / "a.md"
    path.write_text(f"<!--1595184080000-->\n[标题](https://x)\n------\n\n{body}\n", "utf-8")
    path.write_text(path.read_text("utf-8").replace("https://x", url), "utf-8")
    return path


def units(doc: ParsedDocument, kind: str = "body") -> list[str]:
    return [u.text for u in doc.units if u.kind == kind]


def blocks(markup: str, url: str = "https://news.example.org/a") -> list[tuple[str, str]]:
    return html_to_blocks(markup, rules=rules_for(url)).blocks


# --- the built-in files --------------------------------------------------------------------


def test_every_builtin_rule_file_loads_and_names_its_domains() -> None:
    files = sorted(BUILTIN_DIR.glob("*.yaml"))
    assert len(files) >= 10 and (BUILTIN_DIR / "generic.yaml") in files
    book = load_rule_book([BUILTIN_DIR])
    owners: dict[str, str] = {}
    for path in files:
        if path.name == "generic.yaml":
            continue
        text = path.read_text("utf-8")
        assert text.startswith("# "), f"{path.name}: say in a comment what the outlet does"
        domains = [d for d, source in book.by_domain.items() if source == path.stem]
        assert domains, path.name
        for d in domains:
            assert d not in owners, f"{d} in {path.name} and {owners.get(d)}"
            owners[d] = path.name


@pytest.mark.parametrize(
    ("url", "source"),
    [
        ("https://www.cna.com.tw/news/1.aspx", "cna"),
        ("https://cn.nytimes.com/china/1/", "nytimes"),
        ("http://www.bbc.com/zhongwen/simp/1", "bbc"),
        ("https://www.voachinese.com/a/1.html", "voa"),
        ("https://www.example.com/a/1.html", "generic"),
        (None, "generic"),
    ],
)
def test_rules_are_chosen_by_the_pages_domain(url: str | None, source: str) -> None:
    assert rules_for(url).source == source


def test_a_feed_without_url_gets_its_outlets_rules_by_name() -> None:
    assert rules_for(None, "(臺)中央社CNA").source == "cna"
    assert rules_for(None, "Some Blog").source == "generic"


# --- what each key does (the CNA file as the example) ----------------------------------------

CNA_PAGE = (
    "<div><div class='fullPic'><img src='a.jpg' alt='首圖說明。中央社記者甲攝 110年1月7日'>"
    "<div class='picinfo'>首圖說明。中央社記者甲攝 110年1月7日</div></div>"
    "<div class='book-title'><div>今晨最新</div></div>"
    "<p>第一段第一句。第一段第二句。（編輯：李某）1100107</p>"
    "<div class='media'><div class='picinfo'>文中圖片說明。</div></div>"
    "<p>第二段，看報導。（<a href='https://www.cna.com.tw/x'>看完整報導</a>）</p>"
    "<p>上午8點同步發送電子報！快來<a href='x'>訂閱</a>。</p>"
    "<div class='paragraph moreArticle'><div class='moreArticle-title'>延伸閱讀</div>"
    "<a href='https://www.cna.com.tw/y'><span>另一則新聞標題</span></a></div>"
    "<p>延伸閱讀</p><p>另一則新聞標題二</p></div>"
)


def test_outlet_rules_remove_mark_captions_cut_drop_and_end(tmp_path: Path) -> None:
    (doc,) = read_file(feed_md(tmp_path, CNA_PAGE, "https://www.cna.com.tw/news/1.aspx"))
    assert units(doc, "caption") == ["首圖說明。中央社記者甲攝 110年1月7日", "文中圖片說明。"]
    assert units(doc) == ["第一段第一句。", "第一段第二句。", "第二段，看報導。"]
    text = "".join(u.text for u in doc.units)
    for furniture in ("今晨最新", "李某", "1100107", "看完整報導", "電子報", "延伸閱讀", "標題"):
        assert furniture not in text


def test_a_paragraph_ending_in_an_end_mark_is_the_last() -> None:
    out = blocks("<p>Last words of the article.■</p><p>ILLUSTRATIONS: X</p><p>X is a writer.</p>")
    assert out == [("body", "Last words of the article.")]


def test_lists_of_links_to_other_stories_go_but_a_programmes_contents_stay() -> None:
    related = (
        "<p>正文一句。</p><ul><li><a href='https://a.example/1'>别的新闻标题</a></li>"
        "<li><b><a class='external-link' href='/2.html'>另一个标题</a></b></li></ul>"
        "<ul><li>列表项有链接<a href='https://a.example/3'>这里</a>也有字。</li></ul>"
    )
    assert blocks(related) == [("body", "正文一句。"), ("body", "列表项有链接这里也有字。")]
    contents = "<ul><li><a href='https://tv.example/0804/#1'>第一条新闻</a></li></ul>"
    assert blocks(contents) == [("body", "第一条新闻")]


def test_generic_captions_with_either_quote_style_and_alt_only_images() -> None:
    single = "<div><div class='image-caption'>说明文字。</div><p>正文。</p></div>"
    assert blocks(single) == [("caption", "说明文字。"), ("body", "正文。")]
    # A <br> body whose image says what it shows only in its alt text (RTI).
    br_only = (
        "<div><img src='x.jpg' alt='图为防疫人员查核。（疾管署提供）'><br>正文一句。<br></div>"
    )
    assert blocks(br_only) == [
        ("caption", "图为防疫人员查核。（疾管署提供）"),
        ("body", "正文一句。"),
    ]
    # ... but a page with real captions keeps its alt texts out, and a short alt is no caption.
    both = "<div><img alt='一张图的说明文字' src='x'><figcaption>说明。</figcaption><p>正文。</p>"
    assert [k for k, _ in blocks(both)] == ["caption", "body"]
    assert blocks("<div><img alt='photo' src='x'><br>正文。</div>") == [("body", "正文。")]


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        # blockquotes of readers' comments: each paragraph a unit, nothing lost
        (
            "<p>评论如下：</p><blockquote><p>@甲：不公平。</p><p>@乙：同意。</p></blockquote>",
            ["评论如下：", "@甲：不公平。", "@乙：同意。"],
        ),
        # a table: one unit per row, cells joined by a space
        (
            "<table><tr><th>公司</th><th>金额</th></tr><tr><td>甲</td><td>1亿</td></tr></table>",
            ["公司 金额", "甲 1亿"],
        ),
        # small caps after a drop cap are one word with it, not a caption
        (
            "<p><span data-caps='initial'>L</span><small>ETITIA JAMES</small>, the attorney-"
            "general, was blunt. She sued.</p>",
            ["LETITIA JAMES, the attorney-general, was blunt. She sued."],
        ),
        # a pull-quote (a blockquote repeating a body sentence, shortened) goes; the sentence stays
        (
            "<p>When dealing with informants, he said, “everybody’s a liar.” He laughed.</p>"
            "<blockquote><p>When dealing with informants, “everybody’s a liar”</p></blockquote>"
            "<p>Next paragraph.</p>",
            [
                "When dealing with informants, he said, “everybody’s a liar.” He laughed.",
                "Next paragraph.",
            ],
        ),
        # an English paragraph that opens with 'Follow' is text, not a follow-us line
        (
            "<p>Follow the science, the minister said.</p>",
            ["Follow the science, the minister said."],
        ),
        # ... nor a sub-head naming a video, nor a sentence saying when a show airs
        (
            "<p><strong>国务院发布YouTube视频</strong></p><p>该节目每周日晚播出，吸引大量观众收看。</p>",
            ["国务院发布YouTube视频", "该节目每周日晚播出，吸引大量观众收看。"],
        ),
        # a URL in parentheses leaves no husk
        (
            "<p>届时会有网上直播(<a href='http://www.state.gov/'>www.state.gov</a>)。</p>",
            ["届时会有网上直播。"],
        ),
    ],
)
def test_body_shapes_keep_every_sentence(markup: str, expected: list[str]) -> None:
    assert [t for _, t in blocks(f"<div>{markup}</div>")] == expected


@pytest.mark.parametrize(
    "furniture",
    [
        "© 2020 Some Outlet. All rights reserved.",
        "The post 标题 appeared first on 某网站.",
        "（完）",
        "责任编辑：某人",
        "Listen on: Apple Podcasts | Spotify",
        "Your browser doesn’t support HTML5 video",
        "Subscribe on Apple Podcasts | Spotify",
        "Please subscribe to Some Weekly for full access to print, digital and audio editions:",
        "<i>Follow us on </i><i>Twitter</i><i> and Facebook</i>",
        "编译 张三；审校 李四",
        "图片来源：美联社",
        "Photo: John Smith/AP",
        "The views expressed by guests do not necessarily reflect those of this station.",
        "《某节目》YouTube播放列表：<a href='http://bit.ly/x'>http://bit.ly/x</a>",
        "某节目每星期一到星期五北京时间晚上九点播出，欢迎按时收看。",
        "本期某节目完整版：<a href='https://youtube.example/w'>节目标题</a>",
        "嘉宾和观众发表的都是个人观点，并不代表本台。",
    ],
)
def test_generic_rules_drop_common_furniture_on_an_unknown_site(furniture: str) -> None:
    out = blocks(f"<div><p>正文一句。</p><p>{furniture}</p></div>", "https://unknown.example/a")
    assert out == [("body", "正文一句。")]


def test_photo_credits_apart_from_the_caption_and_inside_it_go() -> None:
    page = (
        "<figure><img src='x'><span class='photo-credit'>Reuters</span>"
        "<figcaption>说明文字。<span class='credit'>Getty Images</span></figcaption></figure>"
        "<div class='image'><img src='y'><p class='image-credit'>Photo: AFP</p></div>"
        "<p>正文。Runtime: 23 min</p>"
    )
    out = blocks(f"<div>{page}</div>", "https://unknown.example/a")
    assert out == [("caption", "说明文字。"), ("body", "正文。")]


def test_a_talk_shows_programme_furniture_goes() -> None:
    # VOA's 时事大家谈 closes with the full-episode line, '=====' rules around the guests'
    # disclaimer, the YouTube player (its fallback text) and the playlist link.
    page = (
        "<p>节目讨论了经济。</p>"
        "<p>时事大家谈本集全部内容请看： <a href='https://www.youtube.com/w'>节目标题</a></p>"
        "<p>时事大家谈每星期一到四，星期六北京时间晚上九点播出，敬请收看。</p>"
        "<p>==========<br />嘉宾和观众听众发表的都是个人观点，并不代表美国之音。"
        "<br />==========</p>"
        "<p>YouTube视频：</p><iframe src='https://www.youtube.com/embed/x'>"
        "<a href='https://www.youtube.com/w'>YouTube</a></iframe>"
        "<p>《时事大家谈》YouTube播放列表：<a href='http://bit.ly/x'>http://bit.ly/x</a></p>"
    )
    for url in ("https://www.voachinese.com/a/1.html", "https://unknown.example/a"):
        assert blocks(f"<div>{page}</div>", url) == [("body", "节目讨论了经济。")], url


def test_a_video_caption_restating_the_headline_with_a_full_width_colon_is_the_title(
    tmp_path: Path,
) -> None:
    page = feed_md(
        tmp_path,
        "<div><video src='v.mp4'></video><div><small style=\"color: #999;\">"
        "时事大家谈：中国人口危机严峻</small></div><p>正文一句。</p></div>",
    )
    page.write_text(page.read_text("utf-8").replace("[标题]", "[时事大家谈: 中国人口危机严峻]"))
    (doc,) = read_file(page)
    assert [(u.kind, u.text) for u in doc.units] == [
        ("title", "时事大家谈: 中国人口危机严峻"),
        ("body", "正文一句。"),
    ]


def test_generic_related_heading_ends_the_article() -> None:
    out = blocks("<div><p>正文。</p><h3>相关新闻</h3><p>别的新闻</p></div>")
    assert out == [("body", "正文。")]


# --- a user's own rule files -----------------------------------------------------------------


def test_a_user_folder_adds_an_outlet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    page = feed_md(tmp_path, "<div><p>正文一句。</p><p>本台记者某某报道</p></div>")
    (doc,) = read_file(page)
    assert units(doc) == ["正文一句。", "本台记者某某报道"]
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "example.yaml").write_text(
        "# Example News: the reporter line closes each article.\n"
        "domains: [example.org]\ndrop: ['本台记者.{1,10}报道']\n",
        "utf-8",
    )
    monkeypatch.setenv(RULES_ENV, str(rules))
    (doc,) = read_file(page)
    assert units(doc) == ["正文一句。"]
    assert rules_for("https://www.example.org/x").source == "example"


def test_a_user_file_for_a_known_domain_replaces_the_builtin_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "my_cna.yaml").write_text("domains: [cna.com.tw]\n", "utf-8")
    monkeypatch.setenv(RULES_ENV, str(tmp_path))
    rules = rules_for("https://www.cna.com.tw/news/1.aspx")
    assert rules.source == "my_cna" and ".picinfo" not in rules.captions


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("domains: [a.org\n", r"bad\.yaml:\d+: not YAML"),
        ("domains: [a.org]\nfooter: [x]\n", r"bad\.yaml: unknown key 'footer'"),
        ("domains: [a.org]\ndrop: ['(unclosed']\n", r"bad\.yaml: drop: '\(unclosed' is no pattern"),
        ("domains: [a.org]\ndrop: {a: 1}\n", r"bad\.yaml: drop: expected a list of strings"),
        ("- a\n- b\n", r"bad\.yaml: expected keys"),
    ],
)
def test_a_broken_rule_file_is_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str, says: str
) -> None:
    (tmp_path / "bad.yaml").write_text(content, "utf-8")
    monkeypatch.setenv(RULES_ENV, str(tmp_path))
    with pytest.raises(IngestError, match=says):
        rules_for("https://a.org/x")


def test_import_with_a_broken_rule_file_stops_with_one_line(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "bad.yaml").write_text("drop: ['(']\n", "utf-8")
    page = feed_md(tmp_path, "<div><p>正文。</p></div>")
    env = {**os.environ, "ANNOTATOR_DB": str(tmp_path / "a.db"), RULES_ENV: str(rules)}

    def annotator(*args: str) -> subprocess.CompletedProcess[str]:
        cmd = [sys.executable, "-m", "annotator", *args]
        return subprocess.run(cmd, env=env, cwd=tmp_path, capture_output=True, text=True)

    assert annotator("init").returncode == 0
    result = annotator("import", str(page))
    assert result.returncode != 0
    lines = [ln for ln in (result.stdout + result.stderr).splitlines() if ln.strip()]
    assert len(lines) == 1, lines
    assert re.search(r"bad\.yaml: drop: '\(' is no pattern", lines[0])


def _run(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    base = {k: v for k, v in os.environ.items() if k != RULES_ENV}
    env = {**base, "ANNOTATOR_DB": str(tmp_path / "a.db"), **(env or {})}
    cmd = [sys.executable, "-m", "annotator", *args]
    done = subprocess.run(cmd, env=env, cwd=tmp_path, capture_output=True, text=True)
    return done.returncode, done.stdout + done.stderr


def test_import_outlet_rules_option_reads_the_users_folder_in_every_worker(
    tmp_path: Path,
) -> None:
    # More files than the import reads in one process: the pool's workers get the folder too.
    pages = tmp_path / "pages"
    pages.mkdir()
    for i in range(20):
        body = f"<div><p>第{i}篇的正文。</p><p>本台记者某某报道</p></div>"
        page = feed_md(pages, body, f"https://www.example.org/a/{i}.html")
        page.rename(pages / f"a{i:02d}.md")
        text = (pages / f"a{i:02d}.md").read_text("utf-8").replace("[标题]", f"[标题{i}]")
        (pages / f"a{i:02d}.md").write_text(text, "utf-8")
    rules = tmp_path / "my rules"
    rules.mkdir()
    (rules / "example.yaml").write_text(
        "domains: [example.org]\ndrop: ['本台记者.{1,10}报道']\n", "utf-8"
    )
    # A variable naming another folder: the option wins.
    other = tmp_path / "other"
    other.mkdir()
    assert _run(tmp_path, "init")[0] == 0
    code, said = _run(
        tmp_path, "import", str(pages), "--outlet-rules", str(rules), env={RULES_ENV: str(other)}
    )
    assert code == 0, said
    code, said = _run(tmp_path, "export", "--all", "-f", "jsonl", "-o", str(tmp_path / "o.jsonl"))
    assert code == 0, said
    exported = (tmp_path / "o.jsonl").read_text("utf-8")
    assert "第19篇的正文。" in exported
    assert "本台记者" not in exported


def test_import_outlet_rules_option_naming_no_folder_is_one_line(tmp_path: Path) -> None:
    page = feed_md(tmp_path, "<div><p>正文。</p></div>")
    assert _run(tmp_path, "init")[0] == 0
    code, said = _run(tmp_path, "import", str(page), "--outlet-rules", str(tmp_path / "nowhere"))
    lines = [ln for ln in said.splitlines() if ln.strip()]
    assert code != 0 and len(lines) == 1, lines
    assert re.search(r"--outlet-rules .*nowhere: not a folder of outlet rule files", lines[0])


def test_a_missing_user_folder_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(RULES_ENV, str(tmp_path / "nowhere"))
    with pytest.raises(IngestError, match=f"{RULES_ENV}=.*nowhere: not a folder"):
        rules_for("https://a.org/x")


def test_the_readme_example_rule_file_works(tmp_path: Path) -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text("utf-8")
    section = readme[readme.index("**Outlet rules.**") :]
    fence = "`" * 3
    start = section.index(fence + "yaml") + len(fence + "yaml")
    example = section[start : section.index(fence, start)]
    (tmp_path / "example.yaml").write_text(example, "utf-8")
    book = load_rule_book([BUILTIN_DIR, tmp_path])
    rules = book.for_document("https://www.example.com/news/1.html")
    assert rules.source == "example"
    page = (
        "<div><p>正文一句。（完）</p><div class='photo-note'>图片说明。</div>"
        "<div class='share-box'>分享到微博</div><p>本报记者某某报道</p>"
        "<p>相关阅读</p><p>别的</p></div>"
    )
    assert html_to_blocks(page, rules=rules).blocks == [
        ("body", "正文一句。"),
        ("caption", "图片说明。"),
    ]
