"""Records from a JSONL or CSV file, as label records (one per annotator and unit).

Records name a unit by ``unit_id`` or by its exact ``text``, an ``annotator``, and either
``task`` + ``value`` or ``values`` {task: value}; CSV files may instead have a column per
task. Our own jsonl export (a unit with its ``annotations`` list) is read as one record per
annotation.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from annotator.errors import UserError
from annotator.labels.model import DOC_FIELDS, BadRecord, Columns, LabelRecord
from annotator.schema.model import Schema


def babe_columns(path: Path) -> Columns:
    """Columns for the BABE files with their label spellings mapped by ``schema.babe``: the
    final labels (SG1/SG2: one gold row per sentence, annotator ``babe``) and the raw ones
    (raw_labels_SG1/SG2 with ``annotator_id``, MBIC with ``mturk_id``: a row per annotator)."""
    from annotator.schema import babe

    with Path(path).open(encoding="utf-8-sig", newline="") as fh:
        header = fh.readline()
    names = {c.strip() for c in header.replace(";", ",").split(",")}
    who = next((c for c in ("mturk_id", "annotator_id") if c in names), None)
    return Columns(
        annotator=who or "annotator",
        default_annotator=None if who else "babe",
        task_columns={
            babe.BIAS_TASK: "label_bias",
            babe.OPINION_TASK: "label_opinion",
            babe.WORDS_TASK: "words" if "words" in names else "biased_words",
        },
        converters={
            babe.BIAS_TASK: babe.bias_value,
            babe.OPINION_TASK: babe.opinion_value,
            babe.WORDS_TASK: babe.biased_words,
        },
    )


def _maybe_json(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip()
        if text[:1] in ("[", "{"):
            try:
                return json.loads(text)
            except json.JSONDecodeError:
                return value
    return value


def empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value in ([], {})


def record_from(raw: dict[str, Any], line: int, cols: Columns, schema: Schema) -> list[LabelRecord]:
    """One raw record -> label records (several for our own export's `annotations` list)."""
    given_doc = raw.get("document")
    source: dict[str, Any] = given_doc if isinstance(given_doc, dict) else {}
    doc = {k: source[k] for k in DOC_FIELDS if source.get(k) is not None}
    for k in DOC_FIELDS:
        if not empty(raw.get(k)) and k not in doc:
            doc[k] = raw[k]
    if "url" not in doc and not empty(raw.get("news_link")):
        doc["url"] = raw["news_link"]  # BABE / MBIC name the article URL so
    text = raw.get(cols.text)
    # Exact text, not stripped: published data sets label sentences apart that differ only
    # in surrounding (even no-break) spaces, and units are matched by exact text.
    text = text if isinstance(text, str) and text.strip() else None
    unit_id = raw.get(cols.unit_id)
    if isinstance(unit_id, str):
        unit_id = int(unit_id) if unit_id.strip().isdigit() else None
    uid = unit_id if isinstance(unit_id, int) and not isinstance(unit_id, bool) else None
    kind = raw["kind"] if raw.get("kind") in ("title", "caption", "body") else "body"
    if uid is None and text is None:
        raise BadRecord(f"no {cols.text!r} or {cols.unit_id!r} field to find the unit by")

    def label(annotator: str, values: dict[str, Any], status: str) -> LabelRecord:
        return LabelRecord(
            annotator=annotator,
            values=values,
            status=status,
            line=line,
            unit_id=uid,
            text=text,
            document=doc,
            kind=kind,
        )

    if isinstance(raw.get("annotations"), list):  # our own jsonl export
        out = []
        for a in raw["annotations"]:
            if not isinstance(a, dict) or not isinstance(a.get("values"), dict):
                raise BadRecord("an entry of 'annotations' has no 'values' mapping")
            out.append(
                label(
                    str(a.get("annotator") or cols.default_annotator or ""),
                    dict(a["values"]),
                    str(a.get("status") or "done"),
                )
            )
        return out
    annotator = raw.get(cols.annotator)
    annotator = str(annotator).strip() if not empty(annotator) else cols.default_annotator
    if not annotator:
        raise BadRecord(f"no {cols.annotator!r} field (or give --annotator NAME)")
    values: dict[str, Any] = {}
    if not empty(raw.get(cols.values)):
        given = _maybe_json(raw[cols.values])
        if not isinstance(given, dict):
            raise BadRecord(f"{cols.values!r} is not a mapping of task to value")
        values.update(given)
    if not empty(raw.get(cols.task)):
        values[str(raw[cols.task])] = _maybe_json(raw.get(cols.value))
    for task, column in cols.task_columns.items():
        if column in raw and not empty(raw[column]):
            convert = cols.converters.get(task)
            if convert is None:
                values[task] = _maybe_json(raw[column])
                continue
            try:
                values[task] = convert(raw[column])
            except ValueError as exc:
                raise BadRecord(str(exc)) from None
    if not values and not cols.task_columns:
        # A column per task, named as the task (our own csv export).
        for t in schema.tasks:
            if t.name in raw and not empty(raw[t.name]):
                values[t.name] = _maybe_json(raw[t.name])
    status = raw.get(cols.status)
    status = str(status).strip() if not empty(status) else "done"
    return [label(annotator, values, status)]


def read_records(path: Path, cols: Columns) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """(line number, raw record) pairs; a string instead of a record is a problem line."""
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        with path.open(encoding="utf-8-sig") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    raw = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield n, f"not JSON ({exc.msg})"
                    continue
                yield (n, raw) if isinstance(raw, dict) else (n, "not a JSON object")
        return
    if suffix not in (".csv", ".tsv"):
        raise UserError(f"{path}: give a .jsonl or .csv file (got {suffix or 'no suffix'})")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        head = fh.read(64 * 1024)
        fh.seek(0)
        delimiter = cols.delimiter or ("\t" if suffix == ".tsv" else _sniff(head))
        reader = csv.DictReader(fh, delimiter=delimiter)
        for raw in reader:
            yield reader.line_num, {k.strip(): v for k, v in raw.items() if k is not None}


def _sniff(head: str) -> str:
    first = head.splitlines()[0] if head else ""
    return max((",", ";", "\t"), key=first.count)
