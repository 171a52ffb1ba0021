"""A Hugging Face dataset folder: Parquet per split and a README card that declares them.

`datasets.load_dataset(PATH)` reads the YAML header: one config whose data files are the
split files, the features (typed columns) and the splits with their sizes. One row per unit:
its text and document fields, the gold value per task, and every annotation as JSON.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from annotator.export.arrow import ParquetFile, record_batch, task_converter, task_is_list
from annotator.export.folder import atomic_folder
from annotator.export.job import ExportJob, ExportResult

ROW_GROUP = 20_000

UNIT_FIELDS: tuple[tuple[str, str], ...] = (
    ("unit_id", "int64"),
    ("document_id", "int64"),
    ("text", "string"),
    ("kind", "string"),
    ("position", "int64"),
    ("title", "string"),
    ("url", "string"),
    ("outlet", "string"),
    ("published", "string"),
    ("lang", "string"),
)


def _dtype(kind: str) -> str:
    return "list" if task_is_list(kind) else "string"


def features(task_types: dict[str, str], posteriors: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    # Where spans are, the unit's tokens are: span token indexes point into them.
    tokens = [("tokens", "list")] if "span" in task_types.values() else []
    return [
        *UNIT_FIELDS,
        *tokens,
        *((t, _dtype(k)) for t, k in task_types.items()),
        *((f"{t}_source", "string") for t in task_types),
        *((f"{t}_posterior", "float64") for t in posteriors),
        ("annotators", "list"),
        ("annotations", "string"),
    ]


def yaml_header(
    task_types: dict[str, str],
    split_sizes: dict[str, int],
    split_files: dict[str, str],
    split_bytes: dict[str, int] | None = None,
    posteriors: tuple[str, ...] = (),
    document_files: dict[str, str] | None = None,
) -> str:
    """The card's YAML: configs, features, splits. Written by hand to stay dependency-free.
    `document_files` (split -> path) add the `documents` config (document tasks)."""
    lines = ["configs:", "- config_name: default", "  data_files:"]
    for split, path in split_files.items():
        lines += [f"  - split: {split}", f"    path: {path}"]
    if document_files:
        lines += ["- config_name: documents", "  data_files:"]
        for split, path in document_files.items():
            lines += [f"  - split: {split}", f"    path: {path}"]
    lines += ["dataset_info:", "  config_name: default", "  features:"]
    for name, dtype in features(task_types, posteriors):
        lines.append(f"  - name: {json.dumps(name, ensure_ascii=False)}")
        lines.append("    sequence: string" if dtype == "list" else f"    dtype: {dtype}")
    lines.append("  splits:")
    split_bytes = split_bytes or {}
    for split, n in split_sizes.items():
        lines += [
            f"  - name: {split}",
            f"    num_bytes: {split_bytes.get(split, 0)}",
            f"    num_examples: {n}",
        ]
    lines.append(f"  dataset_size: {sum(split_bytes.values())}")
    lines += ["task_categories:", "- text-classification", "- token-classification"]
    return "\n".join(lines) + "\n"


def _arrow_schema(task_types: dict[str, str], metadata: dict[str, str], posteriors=()):
    import pyarrow as pa

    types = {
        "int64": pa.int64(),
        "float64": pa.float64(),
        "string": pa.string(),
        "list": pa.list_(pa.string()),
    }
    fields = [pa.field(n, types[d]) for n, d in features(task_types, posteriors)]
    return pa.schema(fields, metadata=metadata)


def unit_record(
    row: dict[str, Any],
    task_types: dict[str, str],
    dumps: Callable[[Any], str],
    posteriors: tuple[str, ...],
    converters: dict[str, Callable[[Any], Any]],
) -> list[Any]:
    """A unit's record, in `features` order; `converters` turn task values into columns."""
    doc = row["document"]
    gold = row.get("gold") or {}
    source = row.get("gold_source") or {}
    rec: list[Any] = [
        row["unit_id"],
        doc["id"],
        row["text"],
        row["kind"],
        row["position"],
        doc["title"],
        doc["url"],
        doc["outlet"],
        doc["published"],
        doc["lang"],
    ]
    if "span" in task_types.values():
        rec.append(row.get("tokens"))
    rec.extend(converters[task](gold.get(task)) for task in task_types)
    rec.extend(source.get(t) for t in task_types)
    post = row.get("gold_posterior") or {}
    rec.extend(post.get(t) for t in posteriors)
    rec.append([a["annotator"] for a in row["annotations"] if a["annotator"] is not None])
    rec.append(dumps(row["annotations"]))
    return rec


class _SplitWriter:
    """One split's Parquet file, fed a record at a time, written in row groups."""

    def __init__(self, path: Path, schema: Any) -> None:
        self.file = ParquetFile(path, schema)
        self.cols: list[list[Any]] = [[] for _ in schema.names]

    def add(self, rec: list[Any]) -> None:
        for i, v in enumerate(rec):
            self.cols[i].append(v)
        if len(self.cols[0]) >= ROW_GROUP:
            self.flush()

    def flush(self) -> None:
        if not self.cols[0]:
            return
        self.file.write(record_batch(self.cols, self.file.schema))
        self.cols = [[] for _ in self.cols]

    def close(self) -> None:
        self.flush()
        self.file.close()


def write_hf(job: ExportJob) -> ExportResult:
    """Write the folder: a Parquet file per split, then README.md (the card, rendered once
    the rows are written, under the YAML header that declares them)."""
    task_types, posteriors, split_names = job.task_types, job.posteriors, job.split_names
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    converters = {t: task_converter(k) for t, k in task_types.items()}
    schema = _arrow_schema(task_types, job.file_metadata, posteriors)
    with atomic_folder(job.target) as tmp:
        (tmp / "data").mkdir()
        files = {s: f"data/{s}-00000-of-00001.parquet" for s in split_names}
        writers = {s: _SplitWriter(tmp / files[s], schema) for s in split_names}
        try:
            for row in job.rows():
                writer = writers.get(row.get("split", split_names[0]), writers[split_names[0]])
                writer.add(unit_record(row, task_types, dumps, posteriors, converters))
        finally:
            for w in writers.values():
                w.close()
        sizes = {s: w.file.rows for s, w in writers.items()}
        documents, answers = _write_documents(job, tmp, split_names)
        header = yaml_header(
            task_types,
            sizes,
            files,
            {s: w.file.nbytes for s, w in writers.items()},
            posteriors,
            documents,
        )
        (tmp / "README.md").write_text(job.card(header), encoding="utf-8")
    result = job.result(sum(sizes.values()), splits=sizes)
    if documents:
        result.documents, result.document_records = job.target / "documents", answers
    return result


def _write_documents(
    job: ExportJob, folder: Path, split_names: tuple[str, ...]
) -> tuple[dict[str, str], int]:
    """The document tasks' answers as the `documents` config, a file per split that has
    answered documents (an empty split would stop `load_dataset`)."""
    from annotator.export.documents import DocumentTable, write_parquet

    table = job.documents
    if table is None or not table.rows:
        return {}, 0
    (folder / "documents").mkdir()
    files, written = {}, 0
    for split in split_names:
        rows = [r for r in table.rows if table.split_of(r.document_id) in (split, None)]
        if not rows:
            continue
        files[split] = f"documents/{split}-00000-of-00001.parquet"
        part = DocumentTable(table.task_types, rows, table.gold, table.splits)
        written += write_parquet(part, folder / files[split], True, job.file_metadata)
    return files, written
