"""The document tasks' answers (`scope: document`) as a table of their own beside the units:
``NAME.documents.jsonl`` / ``.csv`` / ``.parquet`` next to a file export, ``documents/`` (a
second config) inside an hf folder. Formats whose consumers take units only (CoNLL, Label
Studio, Prodigy) say in a note that the answers are not in them.

Documents are few (one row per document and annotator), so they are read into memory; the
gold is the same vote the units get (``analysis.aggregate.gold_for_unit``), over documents,
and a decision made in review wins over it.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotator.analysis.aggregate import ADJUDICATED_ONLY, MAJORITY_METHOD, gold_for_unit
from annotator.export.arrow import ParquetFile, record_batch, task_column_type, task_converter
from annotator.export.atomic import atomic_write
from annotator.export.flat import STRUCTURED
from annotator.schema.model import Schema
from annotator.schema.visibility import show_if_of

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from annotator.store.document_annotations import DocumentRow

DOCUMENT_COLUMNS = ("document_id", "title", "url", "outlet", "published", "lang")
ANSWER_COLUMNS = ("annotator", "status", "created_at", "updated_at", "seconds", "schema_hash")


@dataclass
class DocumentTable:
    task_types: dict[str, str]  # the document tasks, in schema order
    rows: list[DocumentRow]
    gold: dict[int, dict[str, tuple[Any, str]]]  # document id -> task -> (value, source)
    splits: dict[int, str] | None  # document id -> split, as the units were split

    def split_of(self, document_id: int) -> str | None:
        return self.splits.get(document_id) if self.splits is not None else None


def document_table(
    engine: Engine,
    project_id: int,
    schema: Schema,
    splits: dict[int, str] | None,
    method: str = MAJORITY_METHOD,
) -> DocumentTable | None:
    """The answers of the schema's document tasks, with their gold (the lead's decision
    where review settled one, else the vote; ``adjudicated-only`` keeps decisions alone, and
    the model methods vote by majority here: documents are too few to learn annotators
    from); None when the schema has no document task."""
    if not schema.document_tasks:
        return None
    # The ORM queries, loaded only for a schema with document tasks (an export of units alone
    # may run without SQLAlchemy, see export.run.open_source).
    from sqlmodel import Session

    from annotator.store.adjudications import document_decisions
    from annotator.store.document_annotations import document_rows

    task_types: dict[str, str] = {t.name: t.type for t in schema.document_tasks}
    rules = show_if_of(schema.per_document())
    with Session(engine) as session:
        rows = document_rows(session, project_id)
        decided = document_decisions(session, project_id)
    method = method if method == ADJUDICATED_ONLY else MAJORITY_METHOD
    gold = {}
    for row in rows:
        votes = [{"values": a.values, "status": a.status} for a in row.answers]
        final = {t: by[row.document_id] for t, by in decided.items() if row.document_id in by}
        found = gold_for_unit(task_types, votes, final, show_if=rules, method=method)
        gold[row.document_id] = {t: (g.value, g.source) for t, g in found.items()}
    if splits is not None:
        rows = [r for r in rows if r.document_id in splits]
    return DocumentTable(task_types, rows, gold, splits)


def _document_fields(row: DocumentRow) -> dict[str, Any]:
    return {
        "document_id": row.document_id,
        "title": row.title,
        "url": row.url,
        "outlet": row.outlet,
        "published": row.published.isoformat() if row.published else None,
        "lang": row.lang,
    }


def utc_text(at: datetime) -> str:
    """ISO 8601 in UTC to the microsecond with a ``Z``, as the units' timestamps are written
    (the store gives aware datetimes on some drivers and naive UTC on others)."""
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return at.isoformat(timespec="microseconds") + "Z"


def _answer_fields(answer: Any) -> dict[str, Any]:
    return {
        "annotator": answer.annotator,
        "status": answer.status,
        "created_at": utc_text(answer.created_at),
        "updated_at": utc_text(answer.updated_at),
        "seconds": answer.seconds,
        "schema_hash": answer.schema_hash,
    }


def flat_columns(table: DocumentTable, gold: bool) -> list[str]:
    cols = [*DOCUMENT_COLUMNS, *ANSWER_COLUMNS]
    if table.splits is not None:
        cols.append("split")
    cols.extend(table.task_types)
    if gold:
        cols.extend(f"gold.{t}" for t in table.task_types)
        cols.extend(f"gold_source.{t}" for t in table.task_types)
    return cols


def flat_records(table: DocumentTable, gold: bool) -> list[dict[str, Any]]:
    """A record per document and annotator, a column per task (as the unit tables)."""
    out = []
    for row in table.rows:
        for answer in row.answers:
            rec = _document_fields(row) | _answer_fields(answer)
            if table.splits is not None:
                rec["split"] = table.split_of(row.document_id)
            for task in table.task_types:
                rec[task] = answer.values.get(task)
            if gold:
                for task, (value, source) in table.gold[row.document_id].items():
                    rec[f"gold.{task}"] = value
                    rec[f"gold_source.{task}"] = source
            out.append(rec)
    return out


def write_jsonl(table: DocumentTable, target: Path, gold: bool, _meta: dict[str, str]) -> int:
    """A line per document: its fields, every annotator's answers, the gold."""
    with atomic_write(target, "w", encoding="utf-8", newline="\n") as fh:
        for row in table.rows:
            line = _document_fields(row)
            if table.splits is not None:
                line["split"] = table.split_of(row.document_id)
            line["annotations"] = [{**_answer_fields(a), "values": a.values} for a in row.answers]
            if gold:
                line["gold"] = {t: v for t, (v, _s) in table.gold[row.document_id].items()}
                line["gold_source"] = {t: s for t, (_v, s) in table.gold[row.document_id].items()}
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")
    return sum(len(row.answers) for row in table.rows)  # answers, as the other writers count


def write_csv(table: DocumentTable, target: Path, gold: bool, _meta: dict[str, str]) -> int:
    cols = flat_columns(table, gold)
    records = flat_records(table, gold)
    structured = {t for t, k in table.task_types.items() if k in STRUCTURED}
    with atomic_write(target, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, cols)
        writer.writeheader()
        for rec in records:
            for task in structured:
                for col in (task, f"gold.{task}"):
                    if rec.get(col) is not None:
                        rec[col] = json.dumps(rec[col], ensure_ascii=False)
            writer.writerow(rec)
    return len(records)


def _arrow_schema(table: DocumentTable, gold: bool, metadata: dict[str, str]) -> Any:
    import pyarrow as pa

    fields = []
    for col in flat_columns(table, gold):
        task = col.split(".", 1)[1] if col.startswith(("gold.", "gold_source.")) else col
        if col == "document_id":
            fields.append(pa.field(col, pa.int64()))
        elif col == "seconds":
            fields.append(pa.field(col, pa.float64()))
        elif task in table.task_types and not col.startswith("gold_source."):
            fields.append(pa.field(col, task_column_type(table.task_types[task])))
        else:
            fields.append(pa.field(col, pa.string()))
    return pa.schema(fields, metadata=metadata)


def write_parquet(table: DocumentTable, target: Path, gold: bool, metadata: dict[str, str]) -> int:
    schema = _arrow_schema(table, gold, metadata)
    records = flat_records(table, gold)
    convert = {}
    for col in schema.names:
        task = col.split(".", 1)[1] if col.startswith("gold.") else col
        if task in table.task_types:
            convert[col] = task_converter(table.task_types[task])
    columns = [
        [convert[c](r.get(c)) if c in convert else r.get(c) for r in records] for c in schema.names
    ]
    with atomic_write(target, "wb") as fh, ParquetFile(fh, schema) as out:
        out.write(record_batch(columns, schema))
    return len(records)


Writer = Callable[[DocumentTable, Path, bool, dict[str, str]], int]
# Formats that put the documents beside their file (``documents="beside"`` in
# export.formats); hf writes them inside its folder itself.
WRITERS: dict[str, Writer] = {"jsonl": write_jsonl, "csv": write_csv, "parquet": write_parquet}


def beside(target: Path) -> Path:
    """``out.jsonl`` -> ``out.documents.jsonl``."""
    return target.with_name(f"{target.stem}.documents{target.suffix}")
