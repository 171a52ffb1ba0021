"""What `labels import` works with: the column mapping, one record, the report."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DOC_FIELDS = ("title", "url", "outlet", "published", "lang")


class BadRecord(ValueError):
    """One record that cannot be imported; the message says why."""


@dataclass
class Columns:
    """Which field of a record holds what (CSV headers or JSON keys)."""

    text: str = "text"
    unit_id: str = "unit_id"
    annotator: str = "annotator"
    task: str = "task"
    value: str = "value"
    values: str = "values"
    status: str = "status"
    # task -> column holding its value (CSV with a column per task, e.g. bias=label_bias)
    task_columns: dict[str, str] = field(default_factory=dict)
    default_annotator: str | None = None  # when records have no annotator field
    # (task, value as written) -> value in the schema, e.g. ("bias", "Biased") -> "biased"
    value_map: dict[tuple[str, str], str] = field(default_factory=dict)
    delimiter: str | None = None  # CSV; sniffed when None
    # task -> function turning a raw cell into a value (presets such as BABE's spellings)
    converters: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class LabelRecord:
    line: int
    annotator: str
    values: dict[str, Any]
    status: str = "done"
    unit_id: int | None = None
    text: str | None = None
    document: dict[str, Any] = field(default_factory=dict)
    kind: str = "body"
    # "document": answers to the schema's document tasks, for the document named by
    # `document_id` or the `document` fields (no unit); see labels/documents.py
    scope: str = "unit"
    document_id: int | None = None


@dataclass
class ImportReport:
    records: int = 0
    created: int = 0  # new annotations
    updated: int = 0  # changed annotations
    unchanged: int = 0
    units_created: int = 0
    documents_created: int = 0
    document_answers: int = 0  # new or changed answers to document tasks
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len(self.problems)
