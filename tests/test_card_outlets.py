"""The dataset card says what a card must (licence, citation, guidelines, annotators and
overlap, known limitations), and outlets are named once through the domain table."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from annotator.cli import app
from annotator.export.options import ExportOptions
from annotator.export.run import export_project
from annotator.ingest.model import IngestError
from annotator.ingest.outlets import load_outlets, outlet_for, outlet_table
from tests.support.exports import build_store, project_of

FRONT = """---
layout: post
title: "标题一"
date: 2020-07-19T18:41:20.000Z
author: 美国之音
from: https://www.voachinese.com/a/1.html
tags: [ 美国之音 ]
categories: [ 美国之音 ]
---
<!--1595184080000-->
[标题一](https://www.voachinese.com/a/1.html)
------

<div><p>美国总统说了一句话。这是第二句话。</p></div>
"""
BARE = """<!--1595184080000-->
[标题二](https://www.example-news.org/a/2.html)
------

<div><p>另一家媒体说了一句话。</p></div>
"""


def test_outlet_for_names_domains_once():
    table = outlet_table({"example-news.org": "Example News"})
    assert outlet_for("美国之音", "https://www.voachinese.com/a/1.html", table) == "美国之音"
    assert outlet_for(None, "https://m.voachinese.com/a/1.html", table) == "美国之音"
    assert outlet_for("voachinese.com", None, table) == "美国之音"
    assert outlet_for(None, "https://www.example-news.org/x", table) == "Example News"
    assert outlet_for("Some Blog", "https://blog.example.com/x", table) == "Some Blog"
    assert outlet_for(None, "https://blog.example.com/x", table) == "blog.example.com"


def test_bad_outlets_file_gets_one_line(tmp_path):
    bad = tmp_path / "o.yaml"
    bad.write_text("- just a list\n", encoding="utf-8")
    with pytest.raises(IngestError, match="domain: outlet"):
        load_outlets(bad)


def test_import_rederives_outlets_with_an_extended_table(tmp_path):
    db = f"sqlite:///{tmp_path / 'a.db'}"
    (tmp_path / "a.md").write_text(FRONT, encoding="utf-8")
    (tmp_path / "b.md").write_text(BARE.replace("example-news.org", "voachinese.com"), "utf-8")
    (tmp_path / "c.md").write_text(BARE, encoding="utf-8")
    run = CliRunner().invoke
    assert run(app, ["init", "--name", "p", "--db", db]).exit_code == 0
    result = run(app, ["import", str(tmp_path / "a.md"), str(tmp_path / "b.md"), "--db", db])
    assert result.exit_code == 0, result.output
    result = run(app, ["import", str(tmp_path / "c.md"), "--db", db])
    assert result.exit_code == 0, result.output

    def outlets():
        from annotator.store.engine import open_store

        with open_store(db).connect() as conn:
            return [r[0] for r in conn.execute(text("SELECT outlet FROM document ORDER BY id"))]

    assert outlets() == ["美国之音", "美国之音", "example-news.org"]
    table = tmp_path / "outlets.yaml"
    table.write_text("example-news.org: Example News\n", encoding="utf-8")
    # Re-importing changes no document, but re-derives every outlet through the table.
    result = run(app, ["import", str(tmp_path / "c.md"), "--outlets", str(table), "--db", db])
    assert result.exit_code == 0, result.output
    assert outlets() == ["美国之音", "美国之音", "Example News"]
    result = run(app, ["import", str(tmp_path / "c.md"), "--outlets", "nope.yaml", "--db", db])
    # (the CLI's guard prints a UserError as its one line)
    assert result.exit_code != 0 and "nope.yaml: cannot read" in str(result.exception)


@pytest.fixture
def store(sqlite_url):
    engine, pid = build_store(sqlite_url, documents=4)
    return engine, project_of(engine, pid)


def test_card_has_licence_citation_guidelines_overlap_and_limitations(store, tmp_path: Path):
    engine, proj = store
    result = export_project(
        engine, proj, "jsonl", tmp_path / "x.jsonl", ExportOptions(gold=True, card=True)
    )
    card = result.card.read_text(encoding="utf-8")
    assert "## Licence" in card and "Unknown: no licence was given" in card
    assert "## Citation" in card and "@misc{news" in card and "BABE" in card
    assert "## Annotation" in card and "**Annotators:** 3" in card
    assert "asks for 1 annotator per unit" in card and "with 3 labels" in card
    assert "媒体偏见标注指南" in card  # the guidelines text itself
    assert "## Known limitations" in card and "**Ties:**" in card
    assert "1 of 16 units was adjudicated" in card and "15 were never adjudicated" in card
    result = export_project(
        engine,
        proj,
        "hf",
        tmp_path / "hf",
        ExportOptions(license="CC-BY-4.0"),
    )
    card = (tmp_path / "hf" / "README.md").read_text(encoding="utf-8")
    assert "## Licence\n\nCC-BY-4.0" in card and "licence CC-BY-4.0" in card
