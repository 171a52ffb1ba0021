"""Parquet: the CSV records with types, written in row groups so memory stays flat.

Task columns are typed as ``export.arrow`` says; the schema name and hash are in the file's
key-value metadata. Each row group is built column by column from the store stream: unit and
document columns once per unit (then repeated by Arrow's `take`), task values decoded once
per distinct stored text.
"""

from __future__ import annotations

import json
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any

from annotator.export.arrow import ParquetFile, task_column_type, task_converter
from annotator.export.arrow_columns import call, column, kernels, places, take
from annotator.export.atomic import Background, atomic_write
from annotator.export.encode import Memo
from annotator.export.flat import columns
from annotator.export.gold import GoldRules, UnitGold
from annotator.export.job import ExportJob, ExportResult
from annotator.export.tokens import stream_tokens
from annotator.store.export_stream import UnitStream

ROW_GROUP = 10_000  # rows per row group; peak RSS grows ~1.5 MB per 1,000 rows

_INT = ("unit_id", "document_id", "position")


def arrow_schema(
    task_types: dict[str, str],
    *,
    gold: bool,
    split: bool,
    metadata: dict[str, str],
    posteriors: tuple[str, ...] = (),
):
    import pyarrow as pa

    fields = []
    kinds = dict(task_types)
    for name in columns(task_types, gold=gold, split=split, posteriors=posteriors):
        if name in _INT:
            fields.append(pa.field(name, pa.int64()))
        elif name == "seconds" or name.startswith("gold_posterior."):
            fields.append(pa.field(name, pa.float64()))
        elif name == "assisted":
            fields.append(pa.field(name, pa.bool_()))
        elif name == "tokens":
            fields.append(pa.field(name, pa.list_(pa.string())))
        elif name in kinds:
            fields.append(pa.field(name, task_column_type(kinds[name])))
        elif name.startswith("gold.") and name[5:] in kinds:
            fields.append(pa.field(name, task_column_type(kinds[name[5:]])))
        else:
            fields.append(pa.field(name, pa.string()))
    return pa.schema(fields, metadata=metadata)


def write_parquet(job: ExportJob) -> ExportResult:
    return job.result(
        write_parquet_stream(
            job.stream,
            job.target,
            task_types=job.task_types,
            splits=job.splits,
            metadata=job.file_metadata,
            gold=job.gold,
            rules=job.rules,
        )
    )


VALUES_MEMO = 50_000  # distinct values texts remembered (span values are all distinct)


def _values_maker(task_types: dict[str, str]):
    """Stored values JSON text -> a tuple of the task columns' values."""
    tasks = [(task, task_converter(kind)) for task, kind in task_types.items()]

    def make(text: str | None) -> tuple[Any, ...]:
        values = json.loads(text) if text else {}
        if not isinstance(values, dict):
            values = {}
        return tuple(convert(values.get(task)) for task, convert in tasks)

    return make


def iso_column(stored: list[str | None]) -> Any:
    """Stored UTC timestamps (see ``store.export_stream``) as an ISO 8601 text column, in Arrow."""
    import pyarrow as pa

    first_space = kernels().ReplaceSubstringOptions(" ", "T", max_replacements=1)
    text = call("replace_substring", column(stored, pa.string()), options=first_space)
    # Arrow scalars, not str: pyarrow would convert a str through pa.scalar, loading pandas.
    z, nothing = column(["Z", ""], pa.string())
    return call("binary_join_element_wise", text, z, nothing)


def _gold_columns(task_types: dict[str, str]):
    """A unit's gold -> its gold and gold source column values, as a tuple."""
    converters = [(task, task_converter(kind)) for task, kind in task_types.items()]

    def make(gold: dict[str, Any], sources: dict[str, str], posteriors: dict) -> tuple[Any, ...]:
        return (
            *(convert(gold.get(t)) for t, convert in converters),
            *(sources.get(t) for t, _ in converters),
            *posteriors.values(),
        )

    return make


def write_parquet_stream(
    stream: UnitStream,
    target: Path,
    *,
    task_types: dict[str, str],
    splits: dict[int, str] | None = None,
    metadata: dict[str, str] | None = None,
    gold: bool = False,
    rules: GoldRules | None = None,
) -> int:
    """Write the export's records (those of the CSV, typed), built column-wise from the
    stream; returns how many."""
    import pyarrow as pa

    set_lookup = kernels().SetLookupOptions

    posteriors = tuple(rules.posterior_tasks(task_types)) if gold and rules is not None else ()
    schema = arrow_schema(
        task_types,
        gold=gold,
        split=splits is not None,
        metadata=metadata or {},
        posteriors=posteriors,
    )
    tokens = stream_tokens(stream, task_types)
    unit_gold = None
    if gold:
        unit_gold = UnitGold(task_types, _gold_columns(task_types), rules, tokens)
    no_gold = (None,) * (2 * len(task_types) + len(posteriors))
    values_of = Memo(_values_maker(task_types))
    doc_fields = ("title", "url", "outlet", "published", "lang")

    def index_in(keys: Any, value_set: Any) -> Any:
        return call("index_in", keys, options=set_lookup(value_set))

    def lookup(keys: list, table: Any) -> Any:
        """Arrow's take over the distinct keys: one Python lookup per distinct key."""
        distinct = list(dict.fromkeys(keys))
        # (keys: ids, or None for a unit with no annotation)
        where = index_in(column(keys, pa.int64()), column(distinct, pa.int64()))
        return [table.get(k) for k in distinct], where

    def batch(units: list, anns: list, adjudicated: dict[int, Any]) -> Any:
        # Columns by itemgetter: zip(*rows) would make an iterator per row.
        (unit_ids, whos, values, statuses, comments, seconds, versions, created, updated) = (
            list(map(itemgetter(i), anns)) for i in range(9)
        )
        assisted = [None if a[9] is None else bool(a[9]) for a in anns]
        ids, doc_ids, positions, kinds, texts = (list(map(itemgetter(i), units)) for i in range(5))
        unit_id_column = column(unit_ids, pa.int64())
        unit_at = index_in(unit_id_column, column(ids, pa.int64()))

        def per_unit(items, type_):
            return take(column(items, type_), unit_at)

        def mapped(keys, table):
            distinct, where = lookup(keys, table)
            return take(column(distinct, pa.string()), where)

        status_of, status_at = places(statuses)
        docs, doc_of_unit = lookup(doc_ids, DocumentsOf(stream))
        doc_take = take(doc_of_unit, unit_at)
        cols: dict[str, Any] = {
            "unit_id": unit_id_column,
            "document_id": per_unit(doc_ids, pa.int64()),
            "kind": per_unit(kinds, pa.string()),
            "position": per_unit(positions, pa.int64()),
            "text": per_unit(texts, pa.string()),
            **(
                {
                    "tokens": per_unit(
                        tokens.columns(units, anns, adjudicated), pa.list_(pa.string())
                    )
                }
                if tokens is not None
                else {}
            ),
            "annotator": mapped(whos, stream.names),
            "status": take(column(status_of, pa.string()), status_at),
            "created_at": (created_at := iso_column(created)),
            # (labels never changed after they were given: the same column, made once)
            "updated_at": created_at if updated == created else iso_column(updated),
            "seconds": column(seconds, pa.float64()),
            "comment": column(comments, pa.string()),
            "schema_hash": mapped(versions, stream.hashes),
            "assisted": column(assisted, pa.bool_()),
        }
        for name in doc_fields:
            cols[name] = take(column([d[name] for d in docs], pa.string()), doc_take)
        if splits is not None:
            train = column(["train"], pa.string())[0]  # (a str would load pandas, as above)
            # (coalesce: what ``fill_null`` calls)
            cols["split"] = take(call("coalesce", mapped(doc_ids, splits), train), unit_at)
        # Each task's column from the distinct stored values texts, taken per annotation.
        distinct, at = places(values)
        converted = [values_of[v] for v in distinct]
        for i, task in enumerate(task_types):
            items = list(map(itemgetter(i), converted))
            cols[task] = take(column(items, schema.field(task).type), at)
        if unit_gold is not None:
            by_id = {u[0]: u for u in units}
            golds = {
                uid: unit_gold(group, adjudicated.get(uid), by_id.get(uid))
                for uid, group in groupby(anns, itemgetter(0))
            }
            per_id = [golds.get(uid, no_gold) for uid in ids]
            names = [f"gold.{t}" for t in task_types] + [f"gold_source.{t}" for t in task_types]
            names += [f"gold_posterior.{t}" for t in posteriors]
            for i, name in enumerate(names):
                cols[name] = per_unit(list(map(itemgetter(i), per_id)), schema.field(name).type)
        return pa.RecordBatch.from_arrays([cols[n] for n in schema.names], schema=schema)

    count = 0
    with (
        atomic_write(target, "wb") as fh,
        ParquetFile(fh, schema) as out,
        Background(depth=2) as bg,
    ):
        for units, anns, adjudicated in stream.flat_chunks(ROW_GROUP):
            bg.submit(out.write, batch(units, anns, adjudicated))
            count += len(anns)
            if len(values_of) > VALUES_MEMO:
                values_of.clear()
    # Hand the row groups' buffers back to the system: what follows (the card's agreement)
    # then reuses that memory instead of adding to the peak.
    pa.default_memory_pool().release_unused()
    return count


class DocumentsOf:
    """``.get(doc_id)`` for `lookup`: the stream's documents."""

    def __init__(self, stream: UnitStream) -> None:
        self.stream = stream

    def get(self, doc_id: int) -> dict[str, Any]:
        return self.stream.document(doc_id)
