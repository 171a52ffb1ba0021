"""Records from a JSONL or CSV file, as label records (one per annotator and unit).

Records name a unit by ``unit_id`` or by its exact ``text``, an ``annotator``, and either
``task`` + ``value`` or ``values`` {task: value}; CSV files may instead have a column per
task. Our own jsonl export (a unit with its ``annotations`` list) is read as one record per
annotation.
"""

from __future__ import annotations

import codecs
import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from annotator.errors import UserError
from annotator.labels.model import DOC_FIELDS, BadRecord, Columns, LabelRecord
from annotator.schema.model import Schema
from annotator.schema.values import is_blank

# Fields longer than csv's 128 KB default are legitimate (whole articles); ingest sets the
# same limit. Past it a record is reported, not raised.
csv.field_size_limit(64 * 1024 * 1024)
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
# Ids are SQL BIGINTs: a longer number cannot name a unit (and would overflow the driver).
_ID = re.compile(r"[0-9]{1,18}")
MAX_ID = 2**63 - 1


def babe_columns(path: Path) -> Columns:
    """Columns for the BABE files with their label spellings mapped by ``schema.babe``: the
    final labels (SG1/SG2: one gold row per sentence, annotator ``babe``) and the raw ones
    (raw_labels_SG1/SG2 with ``annotator_id``, MBIC with ``mturk_id``: a row per annotator)."""
    from annotator.schema import babe

    with Path(path).open("rb") as fh:  # any bytes: a bad record is found when it is read
        header = fh.readline(64 * 1024).decode("utf-8-sig", errors="replace")
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
            except (ValueError, RecursionError):  # not JSON, or JSON no value can be
                return value
    return value


def _cell(value: Any, column: str) -> str:
    """A value as the text a preset's converter reads (a CSV cell): numbers written out, a
    JSON list as its JSON text (the converters read `['a', 'b']`); anything else is refused."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return json.dumps(value, ensure_ascii=False)
    raise BadRecord(f"{column!r}: expected text, got {json.dumps(value, ensure_ascii=False)[:60]}")


def _doc_field(value: Any) -> str | None:
    """A document field as text: numbers are written out; anything else (a mapping, a list,
    a NUL character a PostgreSQL text column refuses) is metadata the record can do without."""
    if type(value) is str:  # the usual case, first
        return value if value.strip() and "\x00" not in value else None
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        value = str(value)
    if not isinstance(value, str) or not value.strip() or "\x00" in value:
        return None
    return value


def _unit_id(value: Any, cols: Columns, what: str = "unit") -> int | None:
    """A unit (or document) id given as a number or digits, in the field `cols.unit_id`
    names; None when absent; BadRecord when it cannot be one."""
    if isinstance(value, str):
        digits = value.strip()  # str.strip takes more than int() would (\x1f, for one)
        if not digits.isdigit():
            return None  # an id of another tool's: the text finds the unit
        if _ID.fullmatch(digits) is None:
            raise BadRecord(f"{cols.unit_id!r} {value[:40]!r} is not a {what} id")
        value = int(digits)
    if value is None or isinstance(value, bool) or not isinstance(value, int):
        return None
    if not 0 < value <= MAX_ID:
        shown = str(value) if value.bit_length() < 200 else "(a very long number)"
        raise BadRecord(f"{cols.unit_id!r} {shown} is not a {what} id")
    return value


def record_from(raw: dict[str, Any], line: int, cols: Columns, schema: Schema) -> list[LabelRecord]:
    """One raw record -> label records (several for our own export's `annotations` list)."""
    # The document's fields: from a `document` mapping first, else from the record itself.
    # (Per record: absent fields are skipped before any checking.)
    doc: dict[str, Any] = {}
    given_doc = raw.get("document")
    for source in (given_doc, raw) if isinstance(given_doc, dict) else (raw,):
        for k in DOC_FIELDS:
            v = source.get(k)
            if v is not None and k not in doc and (v := _doc_field(v)) is not None:
                doc[k] = v
    if "url" not in doc and (v := _doc_field(raw.get("news_link"))) is not None:
        doc["url"] = v  # BABE / MBIC name the article URL so
    text = raw.get(cols.text)
    # Exact text, not stripped: published data sets label sentences apart that differ only
    # in surrounding (even no-break) spaces, and units are matched by exact text.
    text = text if isinstance(text, str) and text.strip() else None
    if text is not None and "\x00" in text:
        raise BadRecord(f"{cols.text!r} contains a NUL character")
    uid = _unit_id(raw.get(cols.unit_id), cols)
    kind = raw["kind"] if raw.get("kind") in ("title", "caption", "body") else "body"
    scope, doc_id, tasks = "unit", None, schema.tasks
    if uid is None and text is None:
        # No sentence: answers to the document tasks, if the record names a document.
        doc_id = _unit_id(raw.get("document_id"), Columns(unit_id="document_id"), "document")
        if not schema.document_tasks or not (doc_id or "url" in doc or "title" in doc):
            raise BadRecord(f"no {cols.text!r} or {cols.unit_id!r} field to find the unit by")
        scope, tasks = "document", schema.document_tasks

    if isinstance(raw.get("annotations"), list):  # our own jsonl export
        out = []
        for a in raw["annotations"]:
            if not isinstance(a, dict) or not isinstance(a.get("values"), dict):
                raise BadRecord("an entry of 'annotations' has no 'values' mapping")
            who = str(a.get("annotator") or cols.default_annotator or "").strip()
            given_status = str(a.get("status") or "done")
            out.append(
                LabelRecord(
                    line, who, dict(a["values"]), given_status, uid, text, doc, kind, scope, doc_id
                )
            )
        return out
    annotator = raw.get(cols.annotator)
    annotator = str(annotator).strip() if not is_blank(annotator) else cols.default_annotator
    if not annotator:
        raise BadRecord(f"no {cols.annotator!r} field (or give --annotator NAME)")
    values: dict[str, Any] = {}
    if not is_blank(raw.get(cols.values)):
        given = _maybe_json(raw[cols.values])
        if not isinstance(given, dict):
            raise BadRecord(f"{cols.values!r} is not a mapping of task to value")
        values.update(given)
    if not is_blank(raw.get(cols.task)):
        values[str(raw[cols.task])] = _maybe_json(raw.get(cols.value))
    for task, column in cols.task_columns.items():
        if column in raw and not is_blank(raw[column]):
            convert = cols.converters.get(task)
            if convert is None:
                values[task] = _maybe_json(raw[column])
                continue
            try:
                values[task] = convert(_cell(raw[column], column))
            except ValueError as exc:
                raise BadRecord(str(exc)) from None
    if not values and not cols.task_columns:
        # A column per task, named as the task (our own csv export).
        for t in tasks:
            if t.name in raw and not is_blank(raw[t.name]):
                values[t.name] = _maybe_json(raw[t.name])
    status = raw.get(cols.status)
    status = str(status).strip() if not is_blank(status) else "done"
    return [LabelRecord(line, annotator, values, status, uid, text, doc, kind, scope, doc_id)]


def read_records(path: Path, cols: Columns) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """(line number, raw record) pairs; a string instead of a record is a problem line.

    Whatever the bytes, each line either becomes a record or one problem line: invalid
    UTF-8, JSON nested past Python's recursion limit, numbers too long to convert and lone
    surrogates are problems of that record, never exceptions (a fuzzer found each one).
    """
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        yield from _jsonl_records(path)
        return
    if suffix not in (".csv", ".tsv"):
        raise UserError(f"{path}: give a .jsonl or .csv file (got {suffix or 'no suffix'})")
    yield from _csv_records(path, cols, tab=suffix == ".tsv")


def _jsonl_records(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    with path.open("rb", buffering=1 << 20) as fh:
        for n, data in enumerate(fh, 1):
            if n == 1 and data.startswith(codecs.BOM_UTF8):
                data = data[len(codecs.BOM_UTF8) :]
            try:
                line = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield n, f"not UTF-8 text (byte {exc.start + 1} of the line)"
                continue
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
            except json.JSONDecodeError as exc:
                yield n, f"not JSON ({exc.msg})"
                continue
            except ValueError as exc:  # an integer of more than 4,300 digits
                yield n, f"not usable JSON ({str(exc).split(':')[0]})"
                continue
            except RecursionError:
                yield n, "JSON nested too deeply"
                continue
            if not isinstance(raw, dict):
                yield n, "not a JSON object"
            elif "\\u" in line and _has_lone_surrogate(line, raw):
                yield n, "text with a lone surrogate escape (\\ud800-\\udfff) is not Unicode"
            else:
                yield n, raw


def _has_lone_surrogate(line: str, raw: dict[str, Any]) -> bool:
    """Only an escape can make one (the line decoded as UTF-8); a pair of escapes is one
    character (an emoji), so the parsed record decides."""
    if _SURROGATE_ESCAPE.search(line) is None:
        return False
    try:
        json.dumps(raw, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _csv_records(
    path: Path, cols: Columns, *, tab: bool
) -> Iterator[tuple[int, dict[str, Any] | str]]:
    bad_lines: set[int] = set()  # physical lines that were not UTF-8
    with path.open("rb") as fh:
        head = fh.read(64 * 1024).decode("utf-8-sig", errors="replace")
        fh.seek(0)
        delimiter = cols.delimiter or ("\t" if tab else _sniff(head))
        reader = csv.DictReader(_decoded_lines(fh, bad_lines), delimiter=delimiter)
        start = 2  # the first record's first line (after the header)
        while True:
            try:
                raw = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                # The reader goes on at the next line; this record is lost, and says so.
                yield reader.line_num, f"not readable CSV ({exc})"
                start = reader.line_num + 1
                continue
            end = reader.line_num
            if any(n in bad_lines for n in range(start, end + 1)):
                yield end, "not UTF-8 text"
            else:
                yield end, {k.strip(): v for k, v in raw.items() if isinstance(k, str)}
            start = end + 1


def _decoded_lines(fh: BinaryIO, bad_lines: set[int]) -> Iterator[str]:
    """Lines decoded one at a time (memory stays flat); an undecodable one is replaced and
    its number kept, so the record holding it is reported rather than imported garbled."""
    for n, data in enumerate(fh, 1):
        if n == 1 and data.startswith(codecs.BOM_UTF8):
            data = data[len(codecs.BOM_UTF8) :]
        try:
            yield data.decode("utf-8")
        except UnicodeDecodeError:
            bad_lines.add(n)
            yield data.decode("utf-8", errors="replace")


def _sniff(head: str) -> str:
    first = head.splitlines()[0] if head else ""
    return max((",", ";", "\t"), key=first.count)
