"""What every export writer is handed (`ExportJob`) and what it hands back (`ExportResult`).

A writer reads either the store stream itself (``job.stream``: tuples, the fast path for
large exports) or the selected row dicts (``job.rows()``: one dict per unit, with gold and
split attached); either way the stream's watch (the card's counts) and progress see the
same units.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.export.documents import DocumentTable
from annotator.export.gold import GoldRules
from annotator.export.options import ExportOptions
from annotator.schema.model import Schema
from annotator.store.export_stream import UnitStream


@dataclass
class ExportResult:
    target: Path
    format: str
    records: int  # lines, rows or tasks written (per format)
    card: Path | None = None
    config: Path | None = None  # Label Studio: the labeling config beside the tasks
    splits: dict[str, int] = field(default_factory=dict)  # units per split
    notes: list[str] = field(default_factory=list)  # what the export left out, and why
    documents: Path | None = None  # where the document tasks' answers went, if anywhere
    document_records: int = 0


@dataclass
class ExportJob:
    format: str
    target: Path
    schema: Schema
    task_types: dict[str, str]  # the selected tasks, in schema order
    opts: ExportOptions
    rules: GoldRules
    stream: UnitStream  # open, with its filters, watch and progress set
    splits: dict[int, str] | None = None  # document id -> split name
    split_names: tuple[str, ...] = ()  # the splits that received documents, in order
    # The dataset card's Markdown, given the YAML header to put on top (folder formats
    # write it inside the folder once their rows are written).
    card: Callable[[str], str] = lambda _header: ""
    documents: DocumentTable | None = None  # the document tasks' answers, if the schema has any

    @property
    def gold(self) -> bool:
        return self.opts.gold

    @property
    def posteriors(self) -> tuple[str, ...]:
        """The tasks with a gold posterior column (Dawid-Skene or MACE gold)."""
        return tuple(self.rules.posterior_tasks(self.task_types)) if self.gold else ()

    @property
    def schema_meta(self) -> dict[str, str]:
        return {"name": self.schema.name, "hash": self.schema.content_hash}

    @property
    def file_metadata(self) -> dict[str, str]:
        """Key-value metadata for Parquet files: which schema the labels follow."""
        return {
            "annotator.schema_name": self.schema.name,
            "annotator.schema_hash": self.schema.content_hash,
        }

    def rows(self) -> Iterator[dict[str, Any]]:
        """The export's rows as dicts, read from the stream (see ``select.export_rows``)."""
        from annotator.export.select import export_rows

        return export_rows(
            self.stream, self.schema, self.opts, splits=self.splits, rules=self.rules
        )

    def result(self, records: int, **more: Any) -> ExportResult:
        return ExportResult(self.target, self.format, records, **more)
