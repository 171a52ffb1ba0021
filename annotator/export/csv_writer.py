"""CSV: one row per unit and annotator, a column per task; lists and mappings as JSON.

The lines are built as text from the store stream (the lines ``csv.writer`` would write for
the row dicts; a test holds it to that): the unit's and document's cells are quoted once
per unit, the annotator, status and label cells once per distinct value, and an
annotation's task cells once per distinct stored values text. With ``--excel-safe``,
formula-like cells are neutralised and the file starts with a UTF-8 BOM so Excel reads
Chinese text correctly.
"""

from __future__ import annotations

import json
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any

from annotator.export.atomic import Background, atomic_write
from annotator.export.encode import Memo, dumps
from annotator.export.flat import ANNOTATION_COLUMNS, STRUCTURED, columns
from annotator.export.gold import GoldRules, UnitGold
from annotator.export.job import ExportJob, ExportResult
from annotator.export.tokens import stream_tokens
from annotator.store.export_stream import UnitStream

# Characters that make a spreadsheet read a cell as a formula (OWASP CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FLUSH = 5_000  # lines per write
NO_ANNOTATION = ",".join([""] * len(ANNOTATION_COLUMNS))  # its cells, all empty
# `assisted` as stored (SQLite gives 0/1, PostgreSQL a bool; None: not given on screen).
FLAG_CELL = {None: "", True: "true", False: "false"}
VALUES_MEMO = 50_000  # distinct values texts remembered (span values are all distinct)


def excel_safe(cell: str) -> str:
    """Neutralise a cell a spreadsheet would run as a formula, by a leading apostrophe."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def write_csv(job: ExportJob) -> ExportResult:
    return job.result(
        write_csv_stream(
            job.stream,
            job.target,
            task_types=job.task_types,
            splits=job.splits,
            safe=job.opts.excel_safe,
            gold=job.gold,
            rules=job.rules,
        )
    )


def quote(text: str) -> str:
    """A cell as ``csv.writer`` writes it (minimal quoting, ',' and '"')."""
    if '"' in text:
        return '"' + text.replace('"', '""') + '"'
    if "," in text or "\n" in text or "\r" in text:
        return '"' + text + '"'
    return text


def _cell_maker(safe: bool):
    def cell(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, str):
            return quote(excel_safe(value) if safe else value)
        if isinstance(value, float):
            return repr(value)
        return str(value)

    return cell


def _task_cells(task_types: dict[str, str], cell):
    """Stored values JSON text -> the task cells, each after a comma."""
    tasks = list(task_types.items())

    def make(text: str | None) -> str:
        values = json.loads(text) if text else {}
        if not isinstance(values, dict):
            values = {}
        out = []
        for task, kind in tasks:
            value = values.get(task)
            if value is not None and kind in STRUCTURED:
                value = dumps(value)
            out.append("," + cell(value))
        return "".join(out)

    return make


def _gold_cells(task_types: dict[str, str], cell):
    """A unit's gold -> its gold and gold source cells, each after a comma."""
    kinds = list(task_types.items())

    def make(gold: dict[str, Any], sources: dict[str, str], posteriors: dict) -> str:
        values = [
            dumps(v) if v is not None and kind in STRUCTURED else v
            for v, kind in ((gold.get(t), kind) for t, kind in kinds)
        ]
        cells = [*values, *(sources.get(t) for t, _ in kinds), *posteriors.values()]
        return "".join("," + cell(v) for v in cells)

    return make


def write_csv_stream(
    stream: UnitStream,
    target: Path,
    *,
    task_types: dict[str, str],
    splits: dict[int, str] | None = None,
    safe: bool = False,
    gold: bool = False,
    rules: GoldRules | None = None,
) -> int:
    """Write the export's records as text from the stream; returns how many (lines after
    the header)."""
    cell = _cell_maker(safe)
    tokens = stream_tokens(stream, task_types)
    unit_gold = None
    if gold:
        unit_gold = UnitGold(task_types, _gold_cells(task_types, cell), rules, tokens)
    names = Memo(lambda who: cell(stream.names.get(who)))
    hashes = Memo(lambda version: cell(stream.hashes.get(version)))
    words = Memo(cell)  # statuses, kinds, split names
    values_cells = Memo(_task_cells(task_types, cell))

    def doc_cells(doc_id: int) -> str:
        d = stream.document(doc_id)
        return ",".join(
            [str(doc_id), *(cell(d[k]) for k in ("title", "url", "outlet", "published", "lang"))]
        )

    docs = Memo(doc_cells)
    encoding = "utf-8-sig" if safe else "utf-8"
    count = 0
    with (
        atomic_write(target, "w", encoding=encoding, newline="") as fh,
        Background(sync=fh) as bg,
    ):
        header = columns(
            task_types,
            gold=gold,
            split=splits is not None,
            posteriors=tuple(unit_gold.posterior_tasks) if unit_gold is not None else (),
        )
        fh.write(",".join(quote(c) for c in header) + "\r\n")
        for units, anns, adjudicated in stream.flat_chunks(FLUSH):
            golds: dict[int, str] = {}
            if unit_gold is not None:
                by_id = {u[0]: u for u in units}
                golds = {
                    uid: unit_gold(group, adjudicated.get(uid), by_id.get(uid))
                    for uid, group in groupby(anns, itemgetter(0))
                }
            token_columns = tokens.columns(units, anns, adjudicated) if tokens is not None else ()
            heads = {}
            for i, unit in enumerate(units):
                uid, doc_id, position, kind, text = unit[:5]
                split = "," + words[splits.get(doc_id, "train")] if splits is not None else ""
                toks = ""
                if tokens is not None:
                    column = token_columns[i]
                    toks = ("" if column is None else cell(dumps(column))) + ","
                heads[uid] = (
                    f"{uid},{docs[doc_id]},{words[kind]},{position},{cell(text)},{toks}",
                    split,
                    golds.get(uid, ""),
                )
            # (a float's cell is its repr, as `cell` writes it: inline, without a call)
            lines = [
                f"{(head := heads[uid])[0]}{names[who]},{words[status]},"
                f"{created.replace(' ', 'T', 1)}Z,{updated.replace(' ', 'T', 1)}Z,"
                f"{repr(seconds) if seconds.__class__ is float else cell(seconds)},"
                f"{'' if comment is None else cell(comment)},{hashes[version]},"
                f"{FLAG_CELL[helped]}"
                f"{head[1]}{values_cells[values]}{head[2]}\r\n"
                if who is not None
                # a unit nobody annotated (--all): one record, no annotator
                else f"{(head := heads[uid])[0]}{NO_ANNOTATION}{head[1]}{values_cells[None]}"
                f"{head[2]}\r\n"
                for (
                    uid,
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
            bg.submit(fh.write, "".join(lines))
            count += len(lines)
            if len(values_cells) > VALUES_MEMO:
                values_cells.clear()
            if len(docs) > 5_000:
                docs.clear()
    return count
