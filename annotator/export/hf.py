"""A Hugging Face dataset folder: Parquet per split and a README card that declares them.

`datasets.load_dataset(PATH)` reads the YAML header: one config whose data files are the
split files, the features (typed columns) and the splits with their sizes. One row per unit:
its text and document fields, the gold value per task, and every annotation as JSON.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from annotator.export.folder import atomic_folder

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
    return "list" if kind == "multi" else "string"


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
) -> str:
    """The card's YAML: configs, features, splits. Written by hand to stay dependency-free."""
    lines = ["configs:", "- config_name: default", "  data_files:"]
    for split, path in split_files.items():
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
    row: dict[str, Any], task_types: dict[str, str], dumps, posteriors: tuple[str, ...] = ()
) -> list[Any]:
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
    for task, kind in task_types.items():
        v = gold.get(task)
        if v is None:
            rec.append(None)
        elif kind == "multi":
            rec.append([str(x) for x in v] if isinstance(v, list) else [str(v)])
        elif kind in ("span", "stance"):
            rec.append(dumps(v))
        else:
            rec.append(str(v))
    rec.extend(source.get(t) for t in task_types)
    post = row.get("gold_posterior") or {}
    rec.extend(post.get(t) for t in posteriors)
    rec.append([a["annotator"] for a in row["annotations"] if a["annotator"] is not None])
    rec.append(dumps(row["annotations"]))
    return rec


class _SplitWriter:
    def __init__(self, path: Path, schema) -> None:
        import pyarrow.parquet as pq

        self.schema = schema
        self.writer = pq.ParquetWriter(path, schema, compression="zstd")
        self.cols: list[list[Any]] = [[] for _ in schema.names]
        self.count = 0
        self.nbytes = 0

    def add(self, rec: list[Any]) -> None:
        for i, v in enumerate(rec):
            self.cols[i].append(v)
        self.count += 1
        if len(self.cols[0]) >= ROW_GROUP:
            self.flush()

    def flush(self) -> None:
        import pyarrow as pa

        if not self.cols[0]:
            return
        arrays = [pa.array(c, type=self.schema.field(i).type) for i, c in enumerate(self.cols)]
        batch = pa.RecordBatch.from_arrays(arrays, schema=self.schema)
        self.nbytes += batch.nbytes
        self.writer.write_batch(batch)
        self.cols = [[] for _ in self.schema.names]

    def close(self) -> None:
        self.flush()
        self.writer.close()


def write_hf(
    rows: Iterable[dict[str, Any]],
    target: Path,
    *,
    task_types: dict[str, str],
    split_names: tuple[str, ...],
    metadata: dict[str, str],
    card: Callable[[str], str],
    posteriors: tuple[str, ...] = (),
) -> dict[str, int]:
    """Write the folder; `card(yaml_header)` renders README.md once the rows are written.

    Returns units per split.
    """
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    schema = _arrow_schema(task_types, metadata, posteriors)
    with atomic_folder(target) as tmp:
        (tmp / "data").mkdir()
        files = {s: f"data/{s}-00000-of-00001.parquet" for s in split_names}
        writers = {s: _SplitWriter(tmp / files[s], schema) for s in split_names}
        try:
            for row in rows:
                writer = writers.get(row.get("split", split_names[0]), writers[split_names[0]])
                writer.add(unit_record(row, task_types, dumps, posteriors))
        finally:
            for w in writers.values():
                w.close()
        sizes = {s: w.count for s, w in writers.items()}
        header = yaml_header(
            task_types, sizes, files, {s: w.nbytes for s, w in writers.items()}, posteriors
        )
        (tmp / "README.md").write_text(card(header), encoding="utf-8")
    return sizes
