"""`annotator report`: one self-contained page that parses, holds its charts and tables,
escapes hostile names, loads nothing from outside, and renders in headless Chromium."""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from annotator.store.engine import open_store
from tests.support.agreement import make_app

CHROMIUM = Path("/usr/bin/chromium")


class Page(HTMLParser):
    """Collects tags, charts and text; fails on unbalanced structural tags."""

    VOID = frozenset({"meta", "br", "img", "input", "link", "hr", "rect", "line", "path"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.charts: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "figure" and attributes.get("data-chart"):
            self.charts.append(attributes["data-chart"] or "")
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def write_report(url: str, target: Path, *args: str):
    return CliRunner().invoke(make_app(), ["report", "-o", str(target), "--db", url, *args])


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    assert page.stack == []
    return page


def test_report_parses_and_holds_charts_and_tables(graded_store, tmp_path):
    target = tmp_path / "report.html"
    result = write_report(graded_store, target)
    assert result.exit_code == 0, result.output
    page = parse(target)
    assert {"progress-overall", "progress-annotators", "alpha", "majority"} <= set(page.charts)
    assert {"distribution-grade", "distribution-bias", "distribution-kinds"} <= set(page.charts)
    svgs = [a for t, a in page.tags if t == "svg"]
    assert len(svgs) >= 7
    assert sum(1 for t, a in page.tags if t == "rect" and a.get("class") == "bar") > 20
    words = " ".join(page.text)
    for part in ("Agreement", "0.849", "Fleiss", "Cohen", "Per annotator", "dora", "grades"):
        assert part in words, part
    # Self-contained: no scripts, no external references of any kind.
    assert not [t for t, _ in page.tags if t in ("script", "link", "img", "iframe")]
    for _, attrs in page.tags:
        for name in ("src", "href"):
            assert not attrs.get(name), attrs


def test_report_escapes_names_and_hides_per_annotator_figures_from_non_leads(
    graded_store, tmp_path
):
    with open_store(graded_store).begin() as conn:
        conn.execute(
            text("UPDATE annotator SET name = '<script>alert(1)</script>' WHERE name = 'ben'")
        )
    target = tmp_path / "r.html"
    assert write_report(graded_store, target).exit_code == 0
    html = target.read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;script&gt;" in html
    CliRunner().invoke(
        make_app(), ["annotators", "add", "ana", "--role", "lead", "--db", graded_store]
    )
    hidden = tmp_path / "hidden.html"
    assert write_report(graded_store, hidden, "--as", "dora").exit_code == 0
    page = parse(hidden)
    assert "progress-annotators" not in page.charts and "majority" not in page.charts
    assert "alpha" in page.charts
    assert "dora is not a lead" in " ".join(page.text)


def test_report_refuses_a_non_html_target(graded_store, tmp_path):
    result = write_report(graded_store, tmp_path / "report.pdf")
    assert result.exception is not None and ".html" in str(result.exception)


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (/usr/bin/chromium)")
def test_report_renders_in_headless_chromium(graded_store, tmp_path):
    target = tmp_path / "report.html"
    assert write_report(graded_store, target).exit_code == 0
    shot = tmp_path / "report.png"
    subprocess.run(
        [
            str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--hide-scrollbars",
            f"--screenshot={shot}", "--window-size=1100,2400", target.as_uri(),
        ],
        capture_output=True, timeout=120, check=False,
    )  # fmt: skip
    assert shot.is_file() and shot.stat().st_size > 10_000
    keep = Path(__file__).resolve().parents[1] / ".artifacts"
    if keep.is_dir():  # a place to look at the picture by hand
        shutil.copy(shot, keep / "report.png")
