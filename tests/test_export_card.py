"""The dataset card: the stream path counts what the row path counts (SQLite and PostgreSQL),
and the agreement section shows Krippendorff's alpha per task."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from annotator.export.card import render_card
from annotator.export.card_agreement import AgreementLabels, card_agreement
from annotator.export.options import ExportOptions
from annotator.export.run import export_project
from annotator.export.select import select_rows, selected_tasks
from annotator.ingest.model import ParsedDocument, ParsedUnit
from annotator.schema import builtin_schema
from annotator.store.annotations import save_annotation
from annotator.store.annotators import get_or_create_annotator
from annotator.store.documents import add_documents
from annotator.store.engine import open_store
from annotator.store.models import Unit
from annotator.store.projects import create_project
from annotator.store.schema_versions import current_schema
from tests.support.export_oracles import RowCardStats as CardStats
from tests.support.export_oracles import plan_splits
from tests.support.exports import build_store, project_of

VARIANTS = {
    "default": {},
    "gold": {"gold": True},
    "gold, split": {"gold": True, "split": (0.5, 0.25, 0.25), "seed": 3},
    "all statuses, unannotated units, split": {
        "status": "all",
        "include_unannotated": True,
        "split": (0.5, 0.5),
        "seed": 3,
    },
    "two annotators, two tasks, gold": {
        "annotators": frozenset({"alice", "carol"}),
        "tasks": ("bias", "biased_words"),
        "gold": True,
    },
}


@pytest.fixture
def store(db_url):
    engine, pid = build_store(db_url, documents=6)
    with Session(engine) as s:  # a document nobody annotated
        units = [ParsedUnit("title", "Nobody read this, yet.")]
        add_documents(s, pid, [ParsedDocument(title="Unread", units=units, url="u:unread")])
        s.commit()
    return engine, project_of(engine, pid)


def without_date(card: str) -> str:
    return re.sub(r"on \d{4}-\d\d-\d\d \d\d:\d\d UTC", "on DATE", card)


def row_card(engine, proj, fmt: str, opts: ExportOptions) -> str:
    """The card the row path writes: CardStats watching the selected row dicts."""
    with Session(engine) as s:
        schema = current_schema(s, proj)
    tasks = selected_tasks(schema, opts)
    splits = None
    if opts.split:
        rows = select_rows(engine, proj.id, schema, opts)
        splits = plan_splits(rows, tasks, opts.split, opts.seed)
    stats = CardStats(tasks, gold=opts.gold)
    labels = AgreementLabels()
    for _ in stats.watch(select_rows(engine, proj.id, schema, opts, splits=splits, watch=labels)):
        pass
    return render_card(
        stats,
        project=proj.name,
        schema_name=schema.name,
        schema_hash=schema.content_hash,
        fmt=fmt,
        opts=opts,
        agreement=card_agreement(schema, labels, opts.tasks),
        overlap=schema.overlap,
        guidelines=schema.guidelines,
    )


@pytest.mark.parametrize(("fmt", "variant"), [(f, v) for f in ("jsonl", "csv") for v in VARIANTS])
def test_stream_card_counts_what_the_row_card_counts(store, tmp_path, fmt, variant):
    engine, proj = store
    opts = ExportOptions(card=True, command="annotator export", **VARIANTS[variant])
    result = export_project(engine, proj, fmt, tmp_path / f"x.{fmt}", opts)
    got = result.card.read_text(encoding="utf-8")
    want = row_card(engine, proj, fmt, opts)
    assert without_date(got) == without_date(want)
    assert "| `bias` |" in got  # labels counted
    assert ("Nobody read" in (tmp_path / f"x.{fmt}").read_text(encoding="utf-8")) == (
        "include_unannotated" in VARIANTS[variant]
    )


def test_stream_card_counts_parquet(store, tmp_path):
    engine, proj = store
    opts = ExportOptions(card=True, gold=True, split=(0.5, 0.5), seed=1)
    result = export_project(engine, proj, "parquet", tmp_path / "x.parquet", opts)
    got = result.card.read_text(encoding="utf-8")
    assert without_date(got) == without_date(row_card(engine, proj, "parquet", opts))
    assert sum(result.splits.values()) == 24  # annotated units: 6 documents x 4


def known_store(url: str):
    """Two annotators, four units, `bias` labels with a hand-computed nominal alpha.

    alice: b b n b, bob: b b n n -> coincidences o_bb = 4, o_nn = 2, o_bn = o_nb = 1;
    n_b = 5, n_n = 3, n = 8: alpha = 1 - (n - 1) * 2 / (2 * 5 * 3) = 1 - 14/30 = 0.533.
    """
    engine = open_store(url)
    units = [ParsedUnit("body", f"Sentence number {i}.") for i in range(4)]
    doc = ParsedDocument(title="Known", units=units, url="u:known", outlet="voa", lang="en")
    labels = {"alice": ["biased", "biased", "non_biased", "biased"]}
    labels["bob"] = ["biased", "biased", "non_biased", "non_biased"]
    with Session(engine) as s:
        proj = create_project(s, "known", builtin_schema("media_bias"))
        add_documents(s, proj.id, [doc])
        query = select(Unit.id).where(Unit.project_id == proj.id).order_by(Unit.id)
        ids = list(s.exec(query))
        for name, values in labels.items():
            who = get_or_create_annotator(s, name).id
            for uid, bias in zip(ids, values, strict=True):
                save_annotation(
                    s,
                    unit_id=uid,
                    annotator_id=who,
                    schema_version_id=proj.schema_version_id,
                    values={"bias": bias},
                    status="done",
                )
        s.commit()
        pid = proj.id
    return engine, project_of(engine, pid)


def agreement_rows(card: str) -> dict[str, list[str]]:
    section = card.split("## Agreement", 1)[1].split("## Sources", 1)[0]
    rows = {}
    for line in section.splitlines():
        if line.startswith("| `"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            rows[cells[0].strip("`")] = cells[1:]
    return rows


@pytest.mark.parametrize("fmt", ["csv", "hf"])
def test_card_shows_krippendorffs_alpha_per_task(db_url, tmp_path, fmt):
    engine, proj = known_store(db_url)
    opts = ExportOptions(card=True, since=datetime(2000, 1, 1, tzinfo=UTC))
    result = export_project(engine, proj, fmt, tmp_path / "out", opts)
    card = result.card.read_text(encoding="utf-8")
    assert "Not computed" not in card
    rows = agreement_rows(card)
    # type, level, alpha, units, annotators, note
    assert rows["bias"][:5] == ["single", "nominal", "0.533", "4", "2"]
    assert rows["opinion"][2] == "–"  # nobody labelled it

    def alone(who: str) -> dict[str, list[str]]:
        opts = ExportOptions(card=True, annotators=frozenset({who}))
        result = export_project(engine, proj, "jsonl", tmp_path / who, opts)
        return result.card.read_text(encoding="utf-8")

    assert agreement_rows(alone("alice"))["bias"][2:5] == ["–", "0", "1"]
    assert "No labels in this export." in alone("zed")
