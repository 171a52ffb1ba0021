"""The columns of the flat tables (CSV, Parquet): a record per unit and annotator, a column
per task."""

from __future__ import annotations

from annotator.schema.kinds import KINDS

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
STRUCTURED = tuple(n for n, k in KINDS.items() if k.shape in ("many", "span", "stance"))


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
