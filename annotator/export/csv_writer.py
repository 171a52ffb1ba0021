"""CSV: one row per unit and annotator, a column per task; lists and mappings as JSON."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from annotator.export.atomic import atomic_write
from annotator.export.flat import STRUCTURED, columns, flat_records

# Characters that make a spreadsheet read a cell as a formula (OWASP CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def excel_safe(cell: str) -> str:
    """Neutralise a cell a spreadsheet would run as a formula, by a leading apostrophe."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def write_csv(
    rows: Iterable[dict[str, Any]],
    target: Path,
    *,
    task_types: dict[str, str],
    gold: bool = False,
    split: bool = False,
    safe: bool = False,
) -> int:
    """Write records to `target`; returns the number of records (lines after the header).

    With `safe`, formula-like cells are neutralised and the file starts with a UTF-8 BOM so
    Excel reads Chinese text correctly.
    """
    cols = columns(task_types, gold=gold, split=split)
    # Positions of cells holding structured task values (annotator values, then gold).
    n_fixed = len(cols) - len(task_types) * (3 if gold else 1)
    kinds = list(task_types.values())
    structured = [n_fixed + i for i, k in enumerate(kinds) if k in STRUCTURED]
    if gold:
        structured += [n_fixed + len(kinds) + i for i, k in enumerate(kinds) if k in STRUCTURED]
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    count = 0
    encoding = "utf-8-sig" if safe else "utf-8"
    with atomic_write(target, "w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(cols)
        for row in rows:
            for rec in flat_records(row, task_types, gold=gold, split=split):
                for i in structured:
                    if rec[i] is not None:
                        rec[i] = dumps(rec[i])
                if safe:
                    rec = [excel_safe(c) if isinstance(c, str) else c for c in rec]
                writer.writerow(rec)
                count += 1
    return count
