"""Parquet: the CSV records with types, written in row groups so memory stays flat.

``multi`` values are lists of strings; ``span`` and ``stance`` values are JSON text (their
shape varies); the schema name and hash are in the file's key-value metadata.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from annotator.export.atomic import atomic_write
from annotator.export.flat import columns, flat_records

ROW_GROUP = 20_000

_INT = ("unit_id", "document_id", "position")


def _task_type(kind: str):
    import pyarrow as pa

    return pa.list_(pa.string()) if kind == "multi" else pa.string()


def arrow_schema(task_types: dict[str, str], *, gold: bool, split: bool, metadata: dict[str, str]):
    import pyarrow as pa

    fields = []
    kinds = dict(task_types)
    for name in columns(task_types, gold=gold, split=split):
        if name in _INT:
            fields.append(pa.field(name, pa.int64()))
        elif name == "seconds":
            fields.append(pa.field(name, pa.float64()))
        elif name in kinds:
            fields.append(pa.field(name, _task_type(kinds[name])))
        elif name.startswith("gold.") and name[5:] in kinds:
            fields.append(pa.field(name, _task_type(kinds[name[5:]])))
        else:
            fields.append(pa.field(name, pa.string()))
    return pa.schema(fields, metadata=metadata)


def _converter(kind: str):
    if kind == "multi":
        return lambda v: (
            None if v is None else [str(x) for x in (v if isinstance(v, list) else [v])]
        )
    if kind in ("span", "stance"):
        dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        return lambda v: None if v is None else dumps(v)
    return lambda v: None if v is None else str(v)


def batches(
    records: Iterable[list[Any]], schema, task_types: dict[str, str], *, gold: bool, size: int
) -> Iterator[Any]:
    """Column-wise record batches of at most `size` records."""
    import pyarrow as pa

    names = schema.names
    convert: dict[int, Any] = {}
    for i, name in enumerate(names):
        task = name[5:] if name.startswith("gold.") else name
        if task in task_types and (name == task or gold):
            convert[i] = _converter(task_types[task])
    cols: list[list[Any]] = [[] for _ in names]
    n = 0
    for rec in records:
        for i, v in enumerate(rec):
            cols[i].append(v)
        n += 1
        if n == size:
            yield _batch(pa, cols, convert, schema)
            cols = [[] for _ in names]
            n = 0
    if n:
        yield _batch(pa, cols, convert, schema)


def _batch(pa, cols, convert, schema):
    for i, fn in convert.items():
        cols[i] = [fn(v) for v in cols[i]]
    return pa.RecordBatch.from_arrays(
        [pa.array(c, type=schema.field(i).type) for i, c in enumerate(cols)], schema=schema
    )


def write_parquet(
    rows: Iterable[dict[str, Any]],
    target: Path,
    *,
    task_types: dict[str, str],
    gold: bool = False,
    split: bool = False,
    metadata: dict[str, str] | None = None,
) -> int:
    import pyarrow.parquet as pq

    schema = arrow_schema(task_types, gold=gold, split=split, metadata=metadata or {})
    records = (rec for row in rows for rec in flat_records(row, task_types, gold=gold, split=split))
    count = 0
    with (
        atomic_write(target, "wb") as fh,
        pq.ParquetWriter(fh, schema, compression="zstd") as writer,
    ):
        for batch in batches(records, schema, task_types, gold=gold, size=ROW_GROUP):
            writer.write_batch(batch, row_group_size=ROW_GROUP)
            count += batch.num_rows
    return count
