"""JSON Lines: one object per unit, the format our own `labels import` reads back.

Each line is built as text straight from the store stream, splicing each annotation's
stored values JSON in as it is (about five times faster than encoding row dicts; the values
keep the store's spacing and escapes, which any JSON reader accepts). The lines are those
``json.dumps`` of the row dicts (``select.export_rows``) would give; a test holds it to that.
"""

from __future__ import annotations

import json
from pathlib import Path

from annotator.export.atomic import Background, atomic_write
from annotator.export.encode import Memo, dumps, json_number, jstr
from annotator.export.gold import MEMO, GoldRules, UnitGold, trimmed_values
from annotator.export.job import ExportJob, ExportResult
from annotator.export.tokens import stream_tokens
from annotator.store.export_stream import UnitStream

FLUSH = 2_000  # lines per write
# `assisted` as stored (SQLite gives 0/1, PostgreSQL a bool; None: not given on screen).
FLAG = {None: "null", True: "true", False: "false"}


def write_jsonl(job: ExportJob) -> ExportResult:
    every_task = job.opts.tasks is None
    return job.result(
        write_jsonl_stream(
            job.stream,
            job.target,
            schema=job.schema_meta,
            splits=job.splits,
            task_types=job.task_types,
            every_task=every_task,
            gold=job.gold,
            rules=job.rules,
        )
    )


def raw_values(text: str | None) -> str:
    """Stored values JSON as written: text escaped as ``\\uXXXX`` (the store's JSON encoder
    does that) is re-encoded as raw UTF-8, like the unit's text beside it."""
    if not text:
        return "{}"
    return dumps(json.loads(text)) if "\\u" in text else text


def write_jsonl_stream(
    stream: UnitStream,
    target: Path,
    *,
    schema: dict[str, str],
    splits: dict[int, str] | None = None,
    task_types: dict[str, str] | None = None,
    every_task: bool = True,
    gold: bool = False,
    rules: GoldRules | None = None,
) -> int:
    """The export's lines, built as text from the stream; returns the number of lines.
    `task_types` are the selected tasks (needed for `gold` and unless `every_task`): values
    and adjudications are trimmed to them unless `every_task`; `gold` adds the computed
    ``gold`` and ``gold_source``."""
    if (gold or not every_task) and task_types is None:
        raise ValueError("gold and a task selection need task_types")
    names = Memo(lambda who: dumps(stream.names.get(who)))
    hashes = Memo(lambda version: dumps(stream.hashes.get(version)))
    words = Memo(dumps)  # statuses, kinds, split names: a handful of short strings
    docs = Memo(stream.document_json)
    tail = ',"schema":' + dumps(schema) + "}\n"
    # Values spliced in as stored, or (some tasks only) re-encoded once per distinct text.
    trim = Memo(raw_values if every_task else trimmed_values(task_types or {}))
    # Where spans are, the unit's tokens are too (the stream then carries them).
    tokens = stream_tokens(stream, task_types)
    unit_gold = None
    if gold:
        unit_gold = UnitGold(
            task_types or {},
            lambda g, src, post: (
                ',"gold":'
                + dumps(g)
                + ',"gold_source":'
                + dumps(src)
                + (',"gold_posterior":' + dumps(post) if post else "")
            ),
            rules,
            tokens,
        )
    trim_tasks = task_types or {}
    count = 0
    out: list[str] = []
    with (
        atomic_write(target, "w", encoding="utf-8", newline="\n") as fh,
        Background(sync=fh) as bg,
    ):
        for unit, anns, adjudicated in stream:
            uid, doc_id, position, kind, text = unit[:5]
            annotations = ",".join(
                [
                    f'{{"annotator":{names[who]},'
                    f'"values":{trim[values]},'
                    f'"status":{words[status]},'
                    f'"comment":{"null" if comment is None else jstr(comment)},'
                    f'"seconds":{json_number(seconds)},"schema_hash":{hashes[version]},'
                    f'"created_at":"{created.replace(" ", "T", 1)}Z",'
                    f'"updated_at":"{updated.replace(" ", "T", 1)}Z",'
                    f'"assisted":{FLAG[helped]}}}'
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
            )
            extra = ""
            if tokens is not None:
                column = tokens.column(unit, anns, adjudicated)  # None for most units
                extra = ',"tokens":' + ("null" if column is None else dumps(column))
            if unit_gold is not None:
                extra += unit_gold(anns, adjudicated, unit)
            elif adjudicated:
                if not every_task:
                    adjudicated = {t: v for t, v in adjudicated.items() if t in trim_tasks}
                if adjudicated:
                    extra += ',"gold":' + dumps(adjudicated)
            if splits is not None:
                extra += ',"split":' + words[splits.get(doc_id, "train")]
            out.append(
                f'{{"unit_id":{uid},"text":{jstr(text)},"kind":{words[kind]},'
                f'"position":{position},"document":{docs[doc_id]},'
                f'"annotations":[{annotations}]{extra}{tail}'
            )
            if len(out) >= FLUSH:
                bg.submit(fh.write, "".join(out))
                count += len(out)
                out.clear()
                if len(docs) > 5_000:  # documents come in order: forget old ones
                    docs.clear()
                if len(trim) > MEMO:
                    trim.clear()
        bg.submit(fh.write, "".join(out))
        count += len(out)
    return count
