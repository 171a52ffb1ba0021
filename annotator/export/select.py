"""The rows an export writes: the store's unit rows, filtered, with gold and split attached.

Filters act on annotations (annotator, status, time: run in SQL by the store stream, see
`stream_filters`) and on task values; a unit whose annotations are all filtered away is
dropped unless every unit was asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy.engine import Engine

from annotator.analysis.aggregate import gold_for_unit
from annotator.errors import UserError
from annotator.export.gold import GoldRules, gold_rules
from annotator.export.options import ExportOptions
from annotator.export.rows import Filters, iter_unit_rows
from annotator.export.tokens import complete_spans, has_span_values, tokens_or_split
from annotator.schema.model import Schema

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


def row_filter(
    schema: Schema, opts: ExportOptions, rules: GoldRules | None = None
) -> Callable[[Row], Row | None]:
    """A function that trims one store row (already filtered by `stream_filters`) to the
    selected tasks and attaches gold (None: leave the unit out)."""
    tasks = selected_tasks(schema, opts)
    all_tasks = len(tasks) == len(schema.tasks)
    rules = rules or gold_rules(schema, tasks)
    posteriors = rules.posterior_tasks(tasks)
    spans = [t for t, k in tasks.items() if k == "span"]

    def apply(row: Row) -> Row | None:
        anns = row["annotations"]
        adjudicated = row.pop("gold", None) or {}
        if spans:
            # Cached tokens, or the tokenizer's where a span was given (see StreamTokens).
            marked = any(has_span_values(a["values"], spans) for a in anns)
            if row.get("tokens") or marked or has_span_values(adjudicated, spans):
                row["tokens"] = tokens_or_split(
                    row["text"], row.get("tokens"), row["document"]["lang"]
                )
            else:
                row["tokens"] = None
        golds = None
        if opts.gold and (anns or opts.include_unannotated):
            # Over every task the selected ones depend on, before the values are trimmed.
            golds = gold_for_unit(
                rules.needed,
                anns,
                adjudicated,
                show_if=rules.show_if,
                method=rules.method,
                estimates=rules.unit_estimates(row["unit_id"]),
            )
        if not all_tasks:
            anns = [
                {**a, "values": {k: v for k, v in a["values"].items() if k in tasks}} for a in anns
            ]
        if not anns and not opts.include_unannotated:
            return None
        row["annotations"] = anns
        if not all_tasks:
            adjudicated = {k: v for k, v in adjudicated.items() if k in tasks}
        if golds is not None:
            row["gold"] = {t: golds[t].value for t in tasks}
            for t in spans:
                if row["gold"][t]:
                    row["gold"][t] = complete_spans(row["gold"][t], row["text"], row["tokens"])
            row["gold_source"] = {t: golds[t].source for t in tasks}
            if posteriors:
                row["gold_posterior"] = {t: golds[t].posterior for t in posteriors}
        elif adjudicated:
            row["gold"] = adjudicated
        return row

    return apply


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
    """Stream the export rows; `splits` (document id -> split name) adds a ``split`` field;
    `watch` sees the store stream (see ``rows.UnitStream``)."""
    apply = row_filter(schema, opts, rules)
    # Where spans are exported, so are the unit's tokens.
    with_tokens = with_tokens or "span" in selected_tasks(schema, opts).values()
    rows = iter_unit_rows(
        engine,
        project_id,
        filters=stream_filters(opts),
        with_tokens=with_tokens,
        watch=watch,
        progress=progress,
    )
    for row in rows:
        out = apply(row)
        if out is None:
            continue
        if splits is not None:
            out["split"] = splits.get(out["document"]["id"], "train")
        yield out
