"""Snapshot tests pinning the main screens (update with `pytest --snapshot-update`, then look
at the SVGs in tests/__snapshots__ before committing them).

The annotate, review and help screens at 80x24, 120x40 and 200x50, on VOA text (Chinese, and
Chinese with a Latin name in it, tests/fixtures/tui/voa_units.json) and English: the unit
after a 327-character neighbour (unit 7113 of the VOA corpus) is drawn whole at every size,
Chinese wraps by CJK rules, the document line keeps its n/N at 80 columns.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from annotator.schema import builtin_schema
from annotator.store.annotators import get_or_create_annotator
from annotator.store.engine import open_store, session_scope
from annotator.store.models import Annotation, Document, Project, SchemaVersion, Unit
from annotator.tui.launch import StoreContext
from annotator.tui.review.app import ReviewApp
from tests.support.tui import BIAS_QUICK, MEDIA_BIAS, make_app, make_store

DOC = [
    "美国国会周二就预算法案举行投票。",
    "The senator's reckless plan would gut school funding, critics said [bold]on Tuesday[/].",
    "白宫发言人说，这项计划“将为纳税人节省数十亿美元”。",
    "The vote is set for Thursday.",
]
VOA = json.loads((Path(__file__).parent / "fixtures/tui/voa_units.json").read_text("utf-8"))
ENGLISH = {
    "title": "City council weighs a late-night noise rule after months of complaints "
    "from residents near the riverside bars",
    "units": [
        "City council weighs a late-night noise rule",
        "The council met on Monday to discuss a rule that would limit amplified music "
        "after 11 p.m. in the riverside district.",
        "Residents have filed more than 300 complaints since March, according to city records.",
        "Bar owners say the rule would cost jobs, while neighbours say they cannot sleep.",
        "A vote is expected next month.",
        "The council will hold a public hearing first, on a date to be set.",
    ],
}
SIZES = [(80, 24), (120, 40), (200, 50)]
SCHEMA = builtin_schema("media_bias")


def voa_store(tmp_path, doc: dict, *, done: int, opinions: bool = False) -> StoreContext:
    """`doc` in a media_bias project; alice has labelled its first `done` units (so her
    queue opens on the next). `opinions`: alice and bob disagree on that next unit, for a
    lead (lina) to review."""
    engine = open_store(f"sqlite:///{tmp_path / 'snap.db'}")
    with session_scope(engine) as s:
        proj = Project(name="voa")
        s.add(proj)
        s.flush()
        sv = SchemaVersion(project_id=proj.id, name=SCHEMA.name, yaml_text="", content_hash="h")
        s.add(sv)
        s.flush()
        proj.schema_version_id = sv.id
        document = Document(
            project_id=proj.id,
            title=doc["title"],
            outlet="美国之音",
            published=datetime(2020, 12, 25, tzinfo=UTC),
            content_hash="voa",
        )
        s.add(document)
        s.flush()
        ids = []
        for pos, body in enumerate(doc["units"]):
            unit = Unit(
                project_id=proj.id,
                document_id=document.id,
                position=pos,
                kind="title" if pos == 0 else "body",
                text=body,
                text_hash=str(pos),
            )
            s.add(unit)
            s.flush()
            ids.append(unit.id)
        alice = get_or_create_annotator(s, "alice").id
        plain = {"bias": "non_biased", "opinion": "entirely_factual"}
        for uid in ids[:done]:
            s.add(
                Annotation(unit_id=uid, annotator_id=alice, schema_version_id=sv.id, values=plain)
            )
        if opinions:
            bob = get_or_create_annotator(s, "bob").id
            get_or_create_annotator(s, "lina", "lead")
            s.add(
                Annotation(
                    unit_id=ids[done], annotator_id=alice, schema_version_id=sv.id, values=plain
                )
            )
            s.add(
                Annotation(
                    unit_id=ids[done],
                    annotator_id=bob,
                    schema_version_id=sv.id,
                    values={
                        "bias": "biased",
                        "opinion": "somewhat_factual_but_opinionated",
                        "bias_type": ["epistemological"],
                        "note": "“希望”一词是推测",
                    },
                )
            )
        return StoreContext(engine, proj.id, proj.name, SCHEMA, sv.id)


def lead_id(ctx: StoreContext) -> int:
    with session_scope(ctx.engine) as s:
        return get_or_create_annotator(s, "lina", "lead").id


async def _settled(pilot) -> None:
    """Counts loaded, tokenizer warm: the screen as an annotator sees it after a moment."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_quick_pass_screen(tmp_path, snap_compare):
    app = make_app(make_store(tmp_path, BIAS_QUICK, docs=[DOC]))
    assert snap_compare(app, press=["1"], terminal_size=(80, 24), run_before=_settled)


def test_media_bias_all_tasks_shown(tmp_path, snap_compare):
    """Biased: the span and bias-type tasks appear; two words selected in mixed text."""
    app = make_app(make_store(tmp_path, MEDIA_BIAS, docs=[DOC]))
    press = ["1", "1", "3", "right", "right", "space", "shift+right"]
    assert snap_compare(app, press=press, terminal_size=(80, 24), run_before=_settled)


def test_help_screen(tmp_path, snap_compare):
    app = make_app(make_store(tmp_path, MEDIA_BIAS, docs=[DOC]))
    assert snap_compare(app, press=["question_mark"], terminal_size=(100, 30), run_before=_settled)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_annotate_after_a_very_long_neighbour(tmp_path, snap_compare, size):
    """The short subtitle after 327 characters of quote: whole, with the context around it
    cut to fit, and the long title cut before outlet · date · n/N."""
    app = make_app(voa_store(tmp_path, VOA["hk_identity"], done=3))
    assert snap_compare(app, terminal_size=size, run_before=_settled)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_annotate_mixed_chinese_and_latin(tmp_path, snap_compare, size):
    """（Adina Masalbekova） is never split, in the unit and in the word picker."""
    app = make_app(voa_store(tmp_path, VOA["central_asia"], done=3))
    assert snap_compare(app, press=["1"], terminal_size=size, run_before=_settled)


@pytest.mark.parametrize("size", [(80, 24), (200, 50)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_annotate_english(tmp_path, snap_compare, size):
    app = make_app(voa_store(tmp_path, ENGLISH, done=2))
    assert snap_compare(app, terminal_size=size, run_before=_settled)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_review(tmp_path, snap_compare, size):
    ctx = voa_store(tmp_path, VOA["central_asia"], done=3, opinions=True)
    app = ReviewApp(ctx, lead="lina", lead_id=lead_id(ctx))
    assert snap_compare(app, terminal_size=size, run_before=_settled)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_help_with_chinese_guidelines(tmp_path, snap_compare, size):
    """Keys first; the guidelines' paragraphs without stray spaces or breaks."""
    app = make_app(voa_store(tmp_path, VOA["hk_identity"], done=3))
    assert snap_compare(app, press=["question_mark"], terminal_size=size, run_before=_settled)
