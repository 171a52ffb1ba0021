"""The rows an export writes: the store's unit rows, filtered, with gold and split attached.

Filters act on annotations (annotator, status, time: run in SQL by the store stream, see
`stream_filters`) and on task values; a unit whose annotations are all filtered away is
dropped unless every unit was asked for.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from annotator.errors import UserError
from annotator.export.gold import GoldRules, UnitGold, gold_rules
from annotator.export.options import ExportOptions
from annotator.export.tokens import has_span_values, tokens_or_split
from annotator.schema.model import Schema
from annotator.store.export_stream import Filters, UnitStream, iso_text, open_stream

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

Row = dict[str, Any]


def selected_tasks(schema: Schema, opts: ExportOptions) -> dict[str, str]:
    """Task name -> type, in schema order, limited to --tasks."""
    types: dict[str, str] = {t.name: t.type for t in schema.tasks}
    if opts.tasks is None:
        return types
    unknown = [t for t in opts.tasks if t not in types]
    if unknown:
        raise UserError(
            f"--tasks: no task {', '.join(map(repr, unknown))} in schema {schema.name} "
            f"(tasks: {', '.join(types)})"
        )
    return {t: types[t] for t in types if t in opts.tasks}


def stream_filters(opts: ExportOptions) -> Filters:
    """The annotation filters of the options, for the store stream to run in SQL."""
    return Filters(
        annotators=opts.annotators,
        statuses=None if opts.status == "all" else ("done",),
        since=opts.since,
        include_unannotated=opts.include_unannotated,
    )


def export_rows(
    stream: UnitStream,
    schema: Schema,
    opts: ExportOptions,
    *,
    splits: dict[int, str] | None = None,
    rules: GoldRules | None = None,
) -> Iterator[Row]:
    """The rows of an export, one dict per unit the stream gives (it ran the annotation
    filters): its document, its annotations (values trimmed to the selected tasks), the
    unit's tokens where spans are exported, gold (``gold``, ``gold_source``, maybe
    ``gold_posterior``: the stream writers' `UnitGold`) or else its adjudicated values, and
    its ``split`` when `splits` (document id -> split name) is given."""
    tasks = selected_tasks(schema, opts)
    all_tasks = len(tasks) == len(schema.tasks)
    rules = rules or gold_rules(schema, tasks)
    spans = [t for t, k in tasks.items() if k == "span"]
    tokens: list[str] | None = None  # the current row's (gold spans get their characters)
    unit_gold = None
    if opts.gold:
        unit_gold = UnitGold(tasks, _as_given, rules, lambda _unit: tokens or [])
    names, hashes, loads = stream.names, stream.hashes, json.loads
    for unit, anns, adjudicated in stream:
        uid, doc_id, position, kind, text = unit[:5]
        annotations = [
            {
                "annotator": names.get(who),
                "values": loads(values) if values else {},
                "status": status,
                "comment": comment,
                "seconds": seconds,
                "schema_hash": hashes.get(version),
                "created_at": iso_text(created),
                "updated_at": iso_text(updated),
                "assisted": None if helped is None else bool(helped),
            }
            for (
                _,
                who,
                values,
                status,
                comment,
                seconds,
                version,
                created,
                updated,
                helped,
            ) in anns
        ]
        row: Row = {
            "unit_id": uid,
            "text": text,
            "kind": kind,
            "position": position,
            "document": stream.document(doc_id),
            "annotations": annotations,
        }
        if stream.with_tokens:
            row["tokens"] = loads(unit[5]) if unit[5] else None
        if spans:
            # Cached tokens, or the tokenizer's where a span was given (see StreamTokens).
            marked = any(has_span_values(a["values"], spans) for a in annotations)
            if row.get("tokens") or marked or has_span_values(adjudicated, spans):
                row["tokens"] = tokens_or_split(text, row.get("tokens"), row["document"]["lang"])
            else:
                row["tokens"] = None
            tokens = row["tokens"]
        if not all_tasks:
            for a in annotations:
                a["values"] = {k: v for k, v in a["values"].items() if k in tasks}
        if unit_gold is not None:
            values, sources, posteriors = unit_gold(anns, adjudicated, unit)
            row["gold"] = dict(values)
            row["gold_source"] = dict(sources)
            if posteriors:
                row["gold_posterior"] = dict(posteriors)
        elif adjudicated:
            kept = (
                adjudicated if all_tasks else {k: v for k, v in adjudicated.items() if k in tasks}
            )
            if kept:
                row["gold"] = kept
        if splits is not None:
            row["split"] = splits.get(doc_id, "train")
        yield row


def _as_given(values: Any, sources: Any, posteriors: Any) -> tuple[Any, Any, Any]:
    return values, sources, posteriors


def select_rows(
    engine: Engine,
    project_id: int,
    schema: Schema,
    opts: ExportOptions,
    *,
    with_tokens: bool = False,
    splits: dict[int, str] | None = None,
    watch: Any = None,
    rules: GoldRules | None = None,
    progress: Any = None,
) -> Iterator[Row]:
    """`export_rows` on a stream of its own (for a library caller); `watch` and `progress`
    see the stream (see ``store.export_stream.UnitStream``)."""
    # Where spans are exported, so are the unit's tokens.
    with_tokens = with_tokens or "span" in selected_tasks(schema, opts).values()
    with open_stream(engine, project_id, stream_filters(opts), with_tokens=with_tokens) as stream:
        stream.watch = watch
        stream.progress = progress
        yield from export_rows(stream, schema, opts, splits=splits, rules=rules)
