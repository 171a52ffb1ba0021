"""The rows an export writes: the store's unit rows, filtered, with gold and split attached.

Filters act on annotations (annotator, status, time) and on task values; a unit whose
annotations are all filtered away is dropped unless every unit was asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine

from annotator.analysis.aggregate import gold_for_unit
from annotator.errors import UserError
from annotator.export.options import ExportOptions
from annotator.export.rows import iter_unit_rows
from annotator.schema.model import Schema

Row = dict[str, Any]


def selected_tasks(schema: Schema, opts: ExportOptions) -> dict[str, str]:
    """Task name -> type, in schema order, limited to --tasks."""
    types = {t.name: t.type for t in schema.tasks}
    if opts.tasks is None:
        return types
    unknown = [t for t in opts.tasks if t not in types]
    if unknown:
        raise UserError(
            f"--tasks: no task {', '.join(map(repr, unknown))} in schema {schema.name} "
            f"(tasks: {', '.join(types)})"
        )
    return {t: types[t] for t in types if t in opts.tasks}


def _parse_ts(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def row_filter(schema: Schema, opts: ExportOptions) -> Callable[[Row], Row | None]:
    """A function that trims one store row to the options (None: leave the unit out)."""
    tasks = selected_tasks(schema, opts)
    all_tasks = len(tasks) == len(schema.tasks)
    who = opts.annotators
    statuses = None if opts.status == "all" else ("done",)
    since = opts.since

    def keep(a: dict[str, Any]) -> bool:
        if who is not None and a["annotator"] not in who:
            return False
        if statuses is not None and a["status"] not in statuses:
            return False
        if since is not None:
            ts = _parse_ts(a.get("updated_at"))
            if ts is None or ts < since:
                return False
        return True

    def apply(row: Row) -> Row | None:
        anns = row["annotations"]
        if who is not None or statuses is not None or since is not None:
            anns = [a for a in anns if keep(a)]
        if not all_tasks:
            anns = [
                {**a, "values": {k: v for k, v in a["values"].items() if k in tasks}} for a in anns
            ]
        if not anns and not opts.include_unannotated:
            return None
        row["annotations"] = anns
        adjudicated = row.pop("gold", None) or {}
        if not all_tasks:
            adjudicated = {k: v for k, v in adjudicated.items() if k in tasks}
        if opts.gold:
            golds = gold_for_unit(tasks, anns, adjudicated)
            row["gold"] = {t: g.value for t, g in golds.items()}
            row["gold_source"] = {t: g.source for t, g in golds.items()}
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
) -> Iterator[Row]:
    """Stream the export rows; `splits` (document id -> split name) adds a ``split`` field."""
    apply = row_filter(schema, opts)
    kwargs: dict[str, Any] = {"include_unannotated": opts.include_unannotated}
    if with_tokens:
        kwargs["with_tokens"] = True
    for row in iter_unit_rows(engine, project_id, **kwargs):
        out = apply(row)
        if out is None:
            continue
        if splits is not None:
            out["split"] = splits.get(out["document"]["id"], "train")
        yield out
