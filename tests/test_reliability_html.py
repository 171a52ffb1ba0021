"""A page nested tens of thousands deep is skipped in one line before the HTML parser spends
minutes on it (issue 10, item 8); ordinary sloppy markup is not counted deep."""

from __future__ import annotations

import pytest

from annotator.ingest.html_text import MAX_DEPTH, MarkupTooDeep, check_depth
from annotator.ingest.pipeline import import_files
from tests.support.exports import new_project

DEEP = {
    "divs.html": "<html><body>" + "<div>" * 40_000 + "<p>Text.</p>" + "</div>" * 40_000,
    "lists.md": "<!--1596339528000-->\n[T](https://x.example/a)\n------\n\n"
    + "<ul><li>" * 20_000
    + "<p>Text.</p>",
}


def test_deeply_nested_pages_are_skipped_with_one_line_and_the_rest_import(tmp_path):
    engine, proj = new_project(f"sqlite:///{tmp_path / 'a.db'}")
    for name, text in DEEP.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    good = tmp_path / "good.html"
    good.write_text(
        "<html><head><title>A title</title></head>"
        "<body><article><p>One sentence here. And two.</p></article></body></html>"
    )
    paths = [*(tmp_path / n for n in DEEP), good]
    report = import_files(engine, proj.id, paths, workers=1)
    assert report.documents == 1
    assert sorted(m for _, m in report.failed) == [
        f"{tmp_path / name}: HTML elements nest more than {MAX_DEPTH:,} deep; "
        "skipped (a broken or hostile page)"
        for name in sorted(DEEP)
    ]


def test_sloppy_but_ordinary_markup_is_not_deep():
    # Unclosed spans inside closed divs, unclosed <p> and <li>, void tags: the parser closes
    # them, and so does the count.
    sloppy = (
        "<div><span>x<b>y</div>" * 3_000 + "<p>a" * 3_000 + "<ul><li>b" * 10 + "<br><img>" * 3_000
    )
    check_depth(sloppy)


def test_the_limit_is_exact():
    check_depth("<div>" * MAX_DEPTH)
    with pytest.raises(MarkupTooDeep):
        check_depth("<div>" * (MAX_DEPTH + 1))


def test_no_page_of_the_real_corpus_comes_near_the_limit(shared_corpus):
    from annotator.ingest.sources import iter_sources

    for path in iter_sources([shared_corpus]):
        check_depth(path.read_text(encoding="utf-8", errors="replace"), limit=MAX_DEPTH // 20)
