"""Prodigy: JSONL tasks as ``prodigy db-in`` reads them.

One task per unit and annotator: ``text``, ``tokens`` (with character offsets), ``spans``
(character offsets, ``token_start``/``token_end`` inclusive, as Prodigy stores them),
``options``/``accept`` for choice tasks (ids ``task:value``), ``answer`` (``accept`` for
done, ``ignore`` for skipped or flagged), ``_input_hash`` (the text) and ``_task_hash`` (the
text and the question: the same for every annotator of a unit, as in Prodigy), and
``_annotator_id``. With gold, one more task per unit with ``_annotator_id`` ``gold``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from annotator.export.atomic import atomic_write
from annotator.export.job import ExportJob, ExportResult
from annotator.export.tokens import spans_of, unit_tokens
from annotator.schema.model import Schema
from annotator.schema.values import given
from annotator.tokens import find_offsets


def hash32(*parts: str) -> int:
    """A stable signed 32-bit hash, the width Prodigy uses for its hashes."""
    h = hashlib.blake2b(digest_size=4)
    for p in parts:
        h.update(p.encode("utf-8"))
        h.update(b"\x00")
    return int.from_bytes(h.digest(), "big", signed=True)


# Where each task kind's value goes in a Prodigy task (tests/test_kinds_registry.py):
# ``options`` + ``accept`` for label choices, ``spans`` over ``tokens``, or a field of its own.
PRODIGY: dict[str, str] = {
    "single": "options",
    "multi": "options",
    "scale": "options",
    "span": "spans",
    "stance": "field",
    "text": "field",
}


def _tasks_as(where: str, task_types: dict[str, str]) -> list[str]:
    return [t for t, kind in task_types.items() if PRODIGY[kind] == where]


def choice_options(schema: Schema, task_types: dict[str, str]) -> list[dict[str, str]]:
    chosen = set(_tasks_as("options", task_types))
    return [
        {"id": f"{task.name}:{lab.value}", "text": f"{task.name}: {lab.text}"}
        for task in schema.tasks
        if task.name in chosen
        for lab in task.labels
    ]


def accepted(values: dict[str, Any], task_types: dict[str, str]) -> list[str]:
    out = []
    for task in _tasks_as("options", task_types):
        v = values.get(task)
        if given(v):
            out += [f"{task}:{x}" for x in (v if isinstance(v, list) else [v])]
    return out


def write_prodigy(job: ExportJob) -> ExportResult:
    n = write_tasks(
        job.rows(),
        job.target,
        schema=job.schema,
        task_types=job.task_types,
        gold=job.gold,
        schema_meta=job.schema_meta,
    )
    return job.result(n)


def write_tasks(
    rows: Iterable[dict[str, Any]],
    target: Path,
    *,
    schema: Schema,
    task_types: dict[str, str],
    gold: bool = False,
    schema_meta: dict[str, str],
) -> int:
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    options = choice_options(schema, task_types)
    span_tasks = _tasks_as("spans", task_types)
    other = _tasks_as("field", task_types)
    view = "blocks" if options and span_tasks else "choice" if options else "ner_manual"
    question = dumps([options, span_tasks, schema_meta.get("hash", "")])
    count = 0
    with atomic_write(target, "w", encoding="utf-8", newline="\n") as fh:
        for row in rows:
            text = row["text"]
            input_hash = hash32(text)
            task_hash = hash32(str(input_hash), question)
            tokens: list[dict[str, Any]] = []
            offsets: list[tuple[int, int]] = []
            if span_tasks:
                words = unit_tokens(row)
                offsets = find_offsets(text, words)
                tokens = [
                    {
                        "text": w,
                        "start": s,
                        "end": e,
                        "id": i,
                        "ws": e < len(text) and text[e : e + 1].isspace(),
                    }
                    for i, (w, (s, e)) in enumerate(zip(words, offsets, strict=True))
                ]
            doc = row["document"]
            meta = {
                "unit_id": row["unit_id"],
                "document_id": doc["id"],
                "title": doc["title"],
                "outlet": doc["outlet"],
                "published": doc["published"],
                "url": doc["url"],
                "schema_hash": schema_meta.get("hash"),
            }
            if "split" in row:
                meta["split"] = row["split"]
            answers = [
                (a["annotator"], a["values"], "accept" if a["status"] == "done" else "ignore")
                for a in row["annotations"]
            ]
            if gold and row.get("gold"):
                answers.append(("gold", row["gold"], "accept"))
            for annotator, values, answer in answers:
                task: dict[str, Any] = {"text": text, "meta": meta}
                if tokens:
                    spans = []
                    for t in span_tasks:
                        for start, end, label in spans_of(values.get(t), t):
                            if start >= len(offsets):
                                continue
                            last = min(end, len(offsets)) - 1
                            spans.append(
                                {
                                    "start": offsets[start][0],
                                    "end": offsets[last][1],
                                    "token_start": start,
                                    "token_end": last,
                                    "label": label,
                                }
                            )
                    task["tokens"] = tokens
                    task["spans"] = spans
                if options:
                    task["options"] = options
                    task["accept"] = accepted(values, task_types)
                for t in other:
                    if given(values.get(t)):
                        task[t] = values[t]
                task.update(
                    {
                        "answer": answer,
                        "_input_hash": input_hash,
                        "_task_hash": task_hash,
                        "_view_id": view,
                        "_annotator_id": annotator,
                        "_session_id": annotator,
                    }
                )
                fh.write(dumps(task))
                fh.write("\n")
                count += 1
    return count
