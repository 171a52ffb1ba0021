"""The stream writers (text and columns built straight from the store) write what the row
writers write, on SQLite and PostgreSQL, for every option they take."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from annotator.export.csv_writer import quote
from annotator.export.options import ExportOptions
from annotator.export.run import export_project
from annotator.export.select import select_rows, selected_tasks
from annotator.ingest.model import ParsedDocument, ParsedUnit
from annotator.store.documents import add_documents
from annotator.store.models import Annotation
from annotator.store.schema_versions import current_schema
from tests.support.export_oracles import write_csv, write_jsonl_rows, write_parquet
from tests.support.exports import build_store, project_of

VARIANTS = {
    "default": {},
    "all statuses, unannotated units": {"status": "all", "include_unannotated": True},
    "two annotators, two tasks": {
        "annotators": frozenset({"alice", "carol"}),
        "tasks": ("bias", "biased_words"),
    },
    "split": {"split": (0.8, 0.1, 0.1), "seed": 7},
    "since a past day": {"since": datetime(2000, 1, 1, tzinfo=UTC), "status": "all"},
    "excel safe": {"excel_safe": True},
    "gold": {"gold": True},
    "gold, all statuses, unannotated units, split": {
        "gold": True,
        "status": "all",
        "include_unannotated": True,
        "split": (0.5, 0.5),
        "seed": 7,
    },
    "gold, two tasks, excel safe": {
        "gold": True,
        "tasks": ("bias_type", "biased_words"),
        "excel_safe": True,
    },
    "one task": {"tasks": ("bias_type",)},
}


@pytest.fixture
def store(db_url):
    engine, pid = build_store(db_url, documents=6)
    with Session(engine) as s:  # an odd comment, edited later, and a document nobody annotated
        ann = s.get(Annotation, 3)
        ann.comment = 'said "no", then\nleft = 中文'
        ann.updated_at = ann.created_at + timedelta(days=1, microseconds=7)
        s.add(ann)
        units = [ParsedUnit("title", "Nobody read this, yet."), ParsedUnit("body", "Nor this.")]
        add_documents(s, pid, [ParsedDocument(title="Unread", units=units, url="u:unread")])
        s.commit()
    return engine, project_of(engine, pid)


def rows_writer(engine, proj, fmt, target, opts):
    """The row-dict writer the stream writer stands in for."""
    from tests.support.export_oracles import plan_splits

    with Session(engine) as s:
        schema = current_schema(s, proj)
    tasks = selected_tasks(schema, opts)
    splits = None
    if opts.split:
        splits = plan_splits(select_rows(engine, proj.id, schema, opts), tasks, opts.split, 7)
    rows = select_rows(engine, proj.id, schema, opts, splits=splits)
    split = splits is not None
    if fmt == "jsonl":
        write_jsonl_rows(rows, target, schema={"name": schema.name, "hash": schema.content_hash})
    elif fmt == "csv":
        write_csv(rows, target, task_types=tasks, gold=opts.gold, split=split, safe=opts.excel_safe)
    else:
        meta = {"annotator.schema_name": schema.name, "annotator.schema_hash": schema.content_hash}
        write_parquet(rows, target, task_types=tasks, gold=opts.gold, split=split, metadata=meta)


def read(fmt, path):
    if fmt == "jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    if fmt == "csv":
        return path.read_bytes()
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    return table.schema, table.to_pylist()


@pytest.mark.parametrize(
    ("fmt", "variant"),
    [
        (f, v)
        for f in ("jsonl", "csv", "parquet")
        for v in VARIANTS
        if f == "csv" or "excel" not in v
    ],
)
def test_stream_writer_writes_what_the_row_writer_writes(store, tmp_path, fmt, variant):
    engine, proj = store
    opts = ExportOptions(**VARIANTS[variant])
    export_project(engine, proj, fmt, tmp_path / "stream", opts)
    rows_writer(engine, proj, fmt, tmp_path / "rows", opts)
    got, want = read(fmt, tmp_path / "stream"), read(fmt, tmp_path / "rows")
    assert got == want
    assert got  # something was written
    unread = "Nobody read this, yet." in str(got)
    assert unread == opts.include_unannotated


def test_stream_jsonl_keeps_adjudicated_gold_and_drops_empty_units(store, tmp_path):
    engine, proj = store
    out = tmp_path / "x.jsonl"
    export_project(engine, proj, "jsonl", out, ExportOptions(annotators=frozenset({"nobody"})))
    assert out.read_text(encoding="utf-8") == ""
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    export_project(engine, proj, "jsonl", out, ExportOptions(since=tomorrow))
    assert out.read_text(encoding="utf-8") == ""
    export_project(engine, proj, "jsonl", out, ExportOptions())
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["gold"] for r in rows if "gold" in r] == [{"bias": "biased"}]
    stamp = rows[0]["annotations"][0]["created_at"]
    assert stamp.endswith("Z") and "T" in stamp and len(stamp) == 27
    made = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    assert abs(datetime.now(UTC) - made) < timedelta(hours=1)  # UTC, whatever the server's zone
    assert rows[0]["document"]["published"] == "2024-01-01T00:00:00.000000Z"


@pytest.mark.parametrize(
    "cell",
    ["plain", "a,b", 'say "hi"', "two\nlines", "cr\rhere", "", " lead", "tab\there", "中文,逗号"],
)
def test_quote_matches_csv_writer(cell):
    buf = io.StringIO()
    csv.writer(buf).writerow([cell, "x"])
    assert buf.getvalue() == quote(cell) + ",x\r\n"


@pytest.mark.parametrize("seed", [0, 1, 7])
@pytest.mark.parametrize("variant", ["default", "gold", "two annotators, two tasks"])
def test_stream_split_plan_is_the_row_plan(store, seed, variant):
    from annotator.export.select import stream_filters
    from annotator.export.splits import plan_splits_stream
    from annotator.store.export_stream import open_stream
    from tests.support.export_oracles import plan_splits

    engine, proj = store
    opts = ExportOptions(**VARIANTS[variant])
    with Session(engine) as s:
        schema = current_schema(s, proj)
    tasks = selected_tasks(schema, opts)
    fractions = (0.5, 0.25, 0.25)
    want = plan_splits(select_rows(engine, proj.id, schema, opts), tasks, fractions, seed)
    with open_stream(engine, proj.id, stream_filters(opts)) as stream:
        got = plan_splits_stream(stream, tasks, fractions, seed)
    assert got == want
    assert len(set(got.values())) == 3


ODD_TEXTS = [
    'quotes " and \\ backslash',
    "controls \x01\x08\t\n\x0b\x0c\r\x1f and \x7f",
    "中文 標題 · naïve — “curly” 🙂 \u2028\u2029",
    "</script> & <b>",
]


def test_a_documents_json_text_is_json_dumps_of_it(db_url):
    """A jsonl line splices in the document as the store builds it (SQLite's JSON functions
    on SQLite): the same text ``json.dumps`` writes for the document, for odd titles, empty
    fields and times with and without a time of day."""
    from annotator.store.export_stream import open_stream

    engine, pid = build_store(db_url, documents=2)
    texts = ODD_TEXTS + (["a NUL \x00 inside"] if db_url.startswith("sqlite") else [])
    docs = [
        ParsedDocument(
            title=text,
            units=[ParsedUnit("title", f"Unit {i}.")],
            url=None if i % 2 else f"https://example.org/{text}",
            outlet=None if i == 1 else text[:5],
            published=None if i == 2 else datetime(2024, 2, 29, i, 5, 7, 123, tzinfo=UTC),
            lang="zh" if i == 2 else None,
            source_path=text,
        )
        for i, text in enumerate(texts)
    ]
    with Session(engine) as s:
        add_documents(s, pid, docs)
        s.commit()
    with open_stream(engine, pid) as stream:
        ids = [row[0] for row in stream._rows("SELECT id FROM document ORDER BY id", {})]
        assert len(ids) == 2 + len(texts)
        for doc_id in ids:
            want = json.dumps(stream.document(doc_id), ensure_ascii=False, separators=(",", ":"))
            assert stream.document_json(doc_id) == want
