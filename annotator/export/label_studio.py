"""Label Studio: a JSON list of tasks with their annotations, the shape its import reads.

Each task is ``{"id", "data": {"text", ...}, "annotations": [...], "meta"}``; each annotation
holds ``result`` regions: ``choices`` for single, multi, scale and per-target stance values,
``labels`` (character offsets) for spans and ``textarea`` for free text, with ``from_name``
naming the task and ``to_name`` the text. A gold annotation, when asked for, is marked
``ground_truth``. Annotators become numeric ``completed_by`` ids (in order of first sight;
their names are under ``meta.annotators``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from annotator.export.atomic import atomic_write
from annotator.export.job import ExportJob, ExportResult
from annotator.export.label_studio_config import config_path, labeling_config
from annotator.export.tokens import spans_of, unit_tokens
from annotator.schema.values import given
from annotator.tokens import find_offsets

Region = Callable[[str, str, dict[str, Any]], None]  # (from_name, type, value) -> added


def _choice(task: str, v: Any, region: Region, row: dict[str, Any], offsets_of: Any) -> None:
    region(task, "choices", {"choices": [str(v)]})


def _choices(task: str, v: Any, region: Region, row: dict[str, Any], offsets_of: Any) -> None:
    region(task, "choices", {"choices": [str(x) for x in (v if isinstance(v, list) else [v])]})


def _stances(task: str, v: Any, region: Region, row: dict[str, Any], offsets_of: Any) -> None:
    # A <Choices> per target (see label_studio_config), named task.target.
    for target, stance in v.items() if isinstance(v, dict) else ():
        if stance not in (None, ""):
            region(f"{task}.{target}", "choices", {"choices": [str(stance)]})


def _textarea(task: str, v: Any, region: Region, row: dict[str, Any], offsets_of: Any) -> None:
    region(task, "textarea", {"text": [str(v)]})


def _labels(task: str, v: Any, region: Region, row: dict[str, Any], offsets_of: Any) -> None:
    offsets = offsets_of()
    for start, end, label in spans_of(v, task):
        if start >= len(offsets):
            continue
        a, b = offsets[start][0], offsets[min(end, len(offsets)) - 1][1]
        region(task, "labels", {"start": a, "end": b, "text": row["text"][a:b], "labels": [label]})


# How each task kind's value becomes Label Studio result regions (tests/test_kinds_registry.py).
REGIONS: dict[str, Callable[[str, Any, Region, dict[str, Any], Any], None]] = {
    "single": _choice,
    "multi": _choices,
    "scale": _choice,
    "span": _labels,
    "stance": _stances,
    "text": _textarea,
}


def result_regions(
    row: dict[str, Any],
    values: dict[str, Any],
    task_types: dict[str, str],
    offsets_of,
    prefix: str = "",
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []

    def region(from_name: str, kind: str, value: dict[str, Any]) -> None:
        out.append(
            {
                "id": f"u{row['unit_id']}{prefix}r{len(out) + 1}",
                "from_name": from_name,
                "to_name": "text",
                "type": kind,
                "origin": "manual",
                "value": value,
            }
        )

    for task, kind in task_types.items():
        v = values.get(task)
        if given(v):
            REGIONS[kind](task, v, region, row, offsets_of)
    return out


def write_label_studio(job: ExportJob) -> ExportResult:
    """The tasks file, and the labeling config beside it."""
    n = write_tasks(
        job.rows(),
        job.target,
        task_types=job.task_types,
        gold=job.gold,
        schema_meta=job.schema_meta,
    )
    config = config_path(job.target)
    with atomic_write(config, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(labeling_config(job.schema, list(job.task_types)))
    return job.result(n, config=config)


def write_tasks(
    rows: Iterable[dict[str, Any]],
    target: Path,
    *,
    task_types: dict[str, str],
    gold: bool = False,
    schema_meta: dict[str, str],
) -> int:
    """Write the JSON list, one task per line inside it; returns the number of tasks."""
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    user_ids: dict[str, int] = {}
    has_spans = any(k == "span" for k in task_types.values())
    count = 0
    with atomic_write(target, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("[\n")
        for row in rows:
            cache: list[list[tuple[int, int]]] = []

            def offsets_of(row=row, cache=cache) -> list[tuple[int, int]]:
                if not cache:
                    cache.append(find_offsets(row["text"], unit_tokens(row)))
                return cache[0]

            doc = row["document"]
            annotations = []
            for i, a in enumerate(row["annotations"]):
                uid = user_ids.setdefault(a["annotator"], len(user_ids) + 1)
                annotations.append(
                    {
                        "completed_by": uid,
                        "result": result_regions(row, a["values"], task_types, offsets_of, f"a{i}"),
                        "was_cancelled": a["status"] != "done",
                        "ground_truth": False,
                        "created_at": a.get("created_at"),
                        "updated_at": a.get("updated_at"),
                        "lead_time": a.get("seconds"),
                    }
                )
            if gold and row.get("gold"):
                annotations.append(
                    {
                        "result": result_regions(row, row["gold"], task_types, offsets_of, "g"),
                        "was_cancelled": False,
                        "ground_truth": True,
                    }
                )
            task = {
                "id": row["unit_id"],
                "data": {
                    "text": row["text"],
                    "unit_id": row["unit_id"],
                    "kind": row["kind"],
                    "position": row["position"],
                    "document_id": doc["id"],
                    "title": doc["title"],
                    "url": doc["url"],
                    "outlet": doc["outlet"],
                    "published": doc["published"],
                    "lang": doc["lang"],
                },
                "annotations": annotations,
                "predictions": [],
                "meta": {
                    "schema": schema_meta,
                    "annotators": {
                        str(user_ids[a["annotator"]]): a["annotator"] for a in row["annotations"]
                    },
                },
            }
            if has_spans and row.get("tokens"):
                task["data"]["tokens"] = row["tokens"]
            if "split" in row:
                task["data"]["split"] = row["split"]
            fh.write(",\n" if count else "")
            fh.write(dumps(task))
            count += 1
        fh.write("\n]\n")
    return count
