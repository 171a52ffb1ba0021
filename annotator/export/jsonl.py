"""JSON Lines: one object per unit, the format our own `labels import` reads back."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from annotator.export.atomic import atomic_write
from annotator.export.rows import iter_unit_rows


def write_jsonl(
    engine: Engine,
    project_id: int,
    target: Path,
    *,
    schema: dict[str, str],
    include_unannotated: bool = False,
) -> int:
    """Write the project's units to `target`; returns the number of rows written."""
    rows = iter_unit_rows(engine, project_id, include_unannotated=include_unannotated)
    return write_jsonl_rows(rows, target, schema=schema)


def write_jsonl_rows(
    rows: Iterable[dict[str, Any]], target: Path, *, schema: dict[str, str]
) -> int:
    """Write already selected rows (see ``export.select``); returns the number written."""
    count = 0
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    with atomic_write(target, "w", encoding="utf-8", newline="\n") as fh:
        for row in rows:
            row["schema"] = schema
            fh.write(dumps(row))
            fh.write("\n")
            count += 1
    return count
