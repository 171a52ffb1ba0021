"""Flat records for tables (CSV, Parquet): one per unit and annotator, a column per task."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

UNIT_COLUMNS = (
    "unit_id",
    "document_id",
    "title",
    "url",
    "outlet",
    "published",
    "lang",
    "kind",
    "position",
    "text",
)
ANNOTATION_COLUMNS = (
    "annotator",
    "status",
    "created_at",
    "updated_at",
    "seconds",
    "comment",
    "schema_hash",
)
# Task types whose values are lists or mappings (JSON-encoded in CSV).
STRUCTURED = ("multi", "span", "stance")


def has_spans(task_types: dict[str, str]) -> bool:
    """Whether the export carries spans, and with them the unit's tokens."""
    return "span" in task_types.values()


def columns(
    task_types: dict[str, str], *, gold: bool, split: bool, posteriors: tuple[str, ...] = ()
) -> list[str]:
    cols = [*UNIT_COLUMNS, *(("tokens",) if has_spans(task_types) else ()), *ANNOTATION_COLUMNS]
    if split:
        cols.append("split")
    cols.extend(task_types)
    if gold:
        cols.extend(f"gold.{t}" for t in task_types)
        cols.extend(f"gold_source.{t}" for t in task_types)
        cols.extend(f"gold_posterior.{t}" for t in posteriors)
    return cols


_EMPTY_ANNOTATION: dict[str, Any] = {"annotator": None, "status": None, "values": {}}


def flat_records(
    row: dict[str, Any],
    task_types: dict[str, str],
    *,
    gold: bool,
    split: bool,
    posteriors: tuple[str, ...] = (),
) -> Iterator[list[Any]]:
    """Values in `columns` order; a unit nobody annotated gives one record without annotator."""
    doc = row["document"]
    head = [
        row["unit_id"],
        doc["id"],
        doc["title"],
        doc["url"],
        doc["outlet"],
        doc["published"],
        doc["lang"],
        row["kind"],
        row["position"],
        row["text"],
    ]
    if has_spans(task_types):
        head.append(row.get("tokens"))
    tail: list[Any] = []
    if gold:
        g = row.get("gold") or {}
        src = row.get("gold_source") or {}
        post = row.get("gold_posterior") or {}
        tail = [g.get(t) for t in task_types] + [src.get(t) for t in task_types]
        tail += [post.get(t) for t in posteriors]
    for a in row["annotations"] or [_EMPTY_ANNOTATION]:
        values = a["values"]
        rec = [
            *head,
            a["annotator"],
            a["status"],
            a.get("created_at"),
            a.get("updated_at"),
            a.get("seconds"),
            a.get("comment"),
            a.get("schema_hash"),
        ]
        if split:
            rec.append(row.get("split"))
        rec.extend(values.get(t) for t in task_types)
        rec.extend(tail)
        yield rec
