"""`annotator labels import`: labels made elsewhere (or our own jsonl export) into a project.

Records (JSONL or CSV) name a unit by ``unit_id`` or by its exact ``text``, an ``annotator``,
and either ``task`` + ``value`` or ``values`` {task: value}; CSV files may instead have a
column per task. Our own jsonl export (a unit with its ``annotations`` list) is read as one
record per annotation. Units are matched by text hash within the project; a text not in the
project becomes a new unit, under one document per source (the record's document URL or
title, else the file). Every value is checked against the project's current schema: a bad
record gets one line and the rest are imported. Importing the same file twice changes
nothing: unchanged annotations are left alone and write no audit event.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from annotator.errors import UserError
from annotator.schema.model import STANCE_VALUES, Schema, Task
from annotator.store.annotations import STATUSES, my_annotation, save_annotation
from annotator.store.annotators import get_or_create_annotator
from annotator.store.documents import text_hash
from annotator.store.models import Document, Project, Unit
from annotator.store.schema_versions import current_schema

BATCH = 500
DOC_FIELDS = ("title", "url", "outlet", "published", "lang")


class BadRecord(ValueError):
    """One record that cannot be imported; the message says why."""


@dataclass
class Columns:
    """Which field of a record holds what (CSV headers or JSON keys)."""

    text: str = "text"
    unit_id: str = "unit_id"
    annotator: str = "annotator"
    task: str = "task"
    value: str = "value"
    values: str = "values"
    status: str = "status"
    # task -> column holding its value (CSV with a column per task, e.g. bias=label_bias)
    task_columns: dict[str, str] = field(default_factory=dict)
    default_annotator: str | None = None  # when records have no annotator field
    # (task, value as written) -> value in the schema, e.g. ("bias", "Biased") -> "biased"
    value_map: dict[tuple[str, str], str] = field(default_factory=dict)
    delimiter: str | None = None  # CSV; sniffed when None
    # task -> function turning a raw cell into a value (presets such as BABE's spellings)
    converters: dict[str, Any] = field(default_factory=dict)


@dataclass
class LabelRecord:
    line: int
    annotator: str
    values: dict[str, Any]
    status: str = "done"
    unit_id: int | None = None
    text: str | None = None
    document: dict[str, Any] = field(default_factory=dict)
    kind: str = "body"


@dataclass
class ImportReport:
    records: int = 0
    created: int = 0  # new annotations
    updated: int = 0  # changed annotations
    unchanged: int = 0
    units_created: int = 0
    documents_created: int = 0
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len(self.problems)


def babe_columns(path: Path) -> Columns:
    """Columns for the BABE (SG1/SG2: one gold row per sentence) and MBIC (raw: one row per
    annotator) CSV files, with their label spellings mapped by ``schema.babe``."""
    from annotator.schema import babe

    with Path(path).open(encoding="utf-8-sig", newline="") as fh:
        header = fh.readline()
    raw = "mturk_id" in header
    return Columns(
        annotator="mturk_id" if raw else "annotator",
        default_annotator=None if raw else "babe",
        task_columns={
            babe.BIAS_TASK: "label_bias",
            babe.OPINION_TASK: "label_opinion",
            babe.WORDS_TASK: "words" if raw else "biased_words",
        },
        converters={
            babe.BIAS_TASK: babe.bias_value,
            babe.OPINION_TASK: babe.opinion_value,
            babe.WORDS_TASK: babe.biased_words,
        },
    )


# --- reading records -------------------------------------------------------------------


def _maybe_json(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip()
        if text[:1] in ("[", "{"):
            try:
                return json.loads(text)
            except json.JSONDecodeError:
                return value
    return value


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value in ([], {})


def _record_from(
    raw: dict[str, Any], line: int, cols: Columns, schema: Schema
) -> list[LabelRecord]:
    """One raw record -> label records (several for our own export's `annotations` list)."""
    doc = raw.get("document") if isinstance(raw.get("document"), dict) else {}
    doc = {k: doc.get(k) for k in DOC_FIELDS if doc.get(k) is not None}
    for k in DOC_FIELDS:
        if not _empty(raw.get(k)) and k not in doc:
            doc[k] = raw[k]
    if "url" not in doc and not _empty(raw.get("news_link")):
        doc["url"] = raw["news_link"]  # BABE / MBIC name the article URL so
    text = raw.get(cols.text)
    text = text.strip() if isinstance(text, str) and text.strip() else None
    unit_id = raw.get(cols.unit_id)
    if isinstance(unit_id, str):
        unit_id = int(unit_id) if unit_id.strip().isdigit() else None
    base = {
        "line": line,
        "unit_id": unit_id if isinstance(unit_id, int) and not isinstance(unit_id, bool) else None,
        "text": text,
        "document": doc,
        "kind": raw.get("kind") if raw.get("kind") in ("title", "caption", "body") else "body",
    }
    if base["unit_id"] is None and base["text"] is None:
        raise BadRecord(f"no {cols.text!r} or {cols.unit_id!r} field to find the unit by")
    if isinstance(raw.get("annotations"), list):  # our own jsonl export
        out = []
        for a in raw["annotations"]:
            if not isinstance(a, dict) or not isinstance(a.get("values"), dict):
                raise BadRecord("an entry of 'annotations' has no 'values' mapping")
            out.append(
                LabelRecord(
                    annotator=str(a.get("annotator") or cols.default_annotator or ""),
                    values=dict(a["values"]),
                    status=str(a.get("status") or "done"),
                    **base,
                )
            )
        return out
    annotator = raw.get(cols.annotator)
    annotator = str(annotator).strip() if not _empty(annotator) else cols.default_annotator
    if not annotator:
        raise BadRecord(f"no {cols.annotator!r} field (or give --annotator NAME)")
    values: dict[str, Any] = {}
    if not _empty(raw.get(cols.values)):
        given = _maybe_json(raw[cols.values])
        if not isinstance(given, dict):
            raise BadRecord(f"{cols.values!r} is not a mapping of task to value")
        values.update(given)
    if not _empty(raw.get(cols.task)):
        values[str(raw[cols.task])] = _maybe_json(raw.get(cols.value))
    for task, column in cols.task_columns.items():
        if column in raw and not _empty(raw[column]):
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
        for task in schema.tasks:
            if task.name in raw and not _empty(raw[task.name]):
                values[task.name] = _maybe_json(raw[task.name])
    status = raw.get(cols.status)
    status = str(status).strip() if not _empty(status) else "done"
    return [LabelRecord(annotator=annotator, values=values, status=status, **base)]


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


# --- checking values -------------------------------------------------------------------


def _norm(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", re.sub(r"['\u2019\u2018`]", "", text.strip().lower()))


def _one_label(task: Task, value: Any, cols: Columns) -> str:
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise BadRecord(f"task {task.name!r}: expected one label, got {json.dumps(value)}")
    text = str(value)
    mapped = cols.value_map.get((task.name, text))
    if mapped is not None:
        text = mapped
    if task.label(text) is not None:
        return text
    key = _norm(text)
    for lab in task.labels:  # lenient: case, spaces, apostrophes; value or shown text
        if key in (_norm(lab.value), _norm(lab.text)):
            return lab.value
    raise BadRecord(f"task {task.name!r}: {text!r} is not one of {', '.join(task.values)}")


def _span_value(
    task: Task, value: Any, text: str | None, lang: str | None, warnings: list[str]
) -> list[dict]:
    """Spans as the annotate screen stores them; words or phrases are found in the text."""
    from annotator.ingest.tokens import tokenize

    if not isinstance(value, list):
        value = [value]
    tokens = tokenize(text, lang) if text else []
    offsets = _offsets(text or "", tokens)
    out = []
    for item in value:
        if isinstance(item, dict) and isinstance(item.get("token_start"), int):
            start, end = item["token_start"], item.get("token_end")
            if not isinstance(end, int) or not 0 <= start < end:
                raise BadRecord(f"task {task.name!r}: bad span {json.dumps(item)}")
            span = dict(item)
        elif isinstance(item, str) and item.strip():
            words = tokenize(item, lang)
            found = _find(tokens, words)
            if found is None:  # a typo in a word list should not lose the record's labels
                warnings.append(f"task {task.name!r}: {item!r} is not in the text; span left out")
                continue
            start, end = found, found + len(words)
            span = {}
        else:
            raise BadRecord(f"task {task.name!r}: bad span {json.dumps(item, ensure_ascii=False)}")
        if tokens and end <= len(offsets) and "start" not in span:
            a, b = offsets[start][0], offsets[end - 1][1]
            span.update({"start": a, "end": b, "text": (text or "")[a:b]})
        span.update({"token_start": start, "token_end": end})
        out.append(span)
    return out


def _offsets(text: str, tokens: list[str]) -> list[tuple[int, int]]:
    out, pos = [], 0
    for tok in tokens:
        at = text.find(tok, pos)
        out.append((at, at + len(tok)) if at >= 0 else (pos, pos))
        pos = at + len(tok) if at >= 0 else pos
    return out


def _find(tokens: list[str], words: list[str]) -> int | None:
    if not words:
        return None
    lower = [t.lower() for t in tokens]
    want = [w.lower() for w in words]
    for i in range(len(lower) - len(want) + 1):
        if lower[i : i + len(want)] == want:
            return i
    return None


def check_values(
    schema: Schema,
    values: dict[str, Any],
    cols: Columns,
    text: str | None,
    lang: str | None,
    warnings: list[str] | None = None,
) -> dict[str, Any]:
    """The values as stored, or BadRecord naming the first problem. Words of a span task
    that are not in the text are left out with a line in `warnings`."""
    warnings = [] if warnings is None else warnings
    out: dict[str, Any] = {}
    for name, value in values.items():
        task = schema.task(name)
        if task is None:
            raise BadRecord(
                f"no task {name!r} in schema {schema.name} (tasks: "
                f"{', '.join(t.name for t in schema.tasks)})"
            )
        if _empty(value):
            continue
        if task.type in ("single", "scale"):
            out[name] = _one_label(task, value, cols)
        elif task.type == "multi":
            items = value if isinstance(value, list) else [value]
            out[name] = list(dict.fromkeys(_one_label(task, v, cols) for v in items))
        elif task.type == "stance":
            if not isinstance(value, dict):
                raise BadRecord(f"task {name!r}: expected {{target: stance}}")
            stances = {}
            for target, stance in value.items():
                if schema.targets and target not in schema.targets:
                    raise BadRecord(f"task {name!r}: unknown target {target!r}")
                if stance not in STANCE_VALUES:
                    raise BadRecord(
                        f"task {name!r}: stance {stance!r} is not one of {', '.join(STANCE_VALUES)}"
                    )
                stances[target] = stance
            out[name] = stances
        elif task.type == "span":
            spans = _span_value(task, value, text, lang, warnings)
            if spans:
                out[name] = spans
        else:  # text
            if not isinstance(value, str):
                raise BadRecord(f"task {name!r}: expected text")
            out[name] = value
    return out


# --- writing ---------------------------------------------------------------------------


class _Units:
    """Find units by id or text hash; create missing ones under one document per source."""

    def __init__(self, session: Session, project_id: int, source: str) -> None:
        self.session = session
        self.project_id = project_id
        self.source = source
        self.docs: dict[str, tuple[int, int]] = {}  # source key -> (document id, next position)
        self.documents_created = 0
        self.units_created = 0

    def by_id(self, unit_id: int) -> tuple[int, str, str | None]:
        row = self.session.execute(
            select(Unit.id, Unit.text, Document.lang)
            .join(Document, Document.id == Unit.document_id)
            .where(Unit.id == unit_id, Unit.project_id == self.project_id)
        ).first()
        if row is None:
            raise BadRecord(f"no unit {unit_id} in this project")
        return row[0], row[1], row[2]

    def by_text(self, rec: LabelRecord) -> tuple[int, str, str | None]:
        assert rec.text is not None
        h = text_hash(rec.text)
        row = self.session.execute(
            select(Unit.id, Document.lang)
            .join(Document, Document.id == Unit.document_id)
            .where(Unit.project_id == self.project_id, Unit.text_hash == h, Unit.text == rec.text)
            .order_by(Unit.id)
            .limit(1)
        ).first()
        if row is not None:
            return row[0], rec.text, row[1]
        doc_id, position = self._document(rec)
        unit_id = self.session.execute(
            insert(Unit).returning(Unit.id),
            [
                {
                    "project_id": self.project_id,
                    "document_id": doc_id,
                    "position": position,
                    "kind": rec.kind,
                    "text": rec.text,
                    "text_hash": h,
                }
            ],
        ).scalar_one()
        self.units_created += 1
        return unit_id, rec.text, rec.document.get("lang")

    def _document(self, rec: LabelRecord) -> tuple[int, int]:
        doc = rec.document
        key = doc.get("url") or doc.get("title") or self.source
        if key in self.docs:
            doc_id, pos = self.docs[key]
            self.docs[key] = (doc_id, pos + 1)
            return doc_id, pos
        content_hash = hashlib.sha256(f"labels-import\x00{key}".encode()).hexdigest()
        found = self.session.execute(
            select(Document.id).where(
                Document.project_id == self.project_id, Document.content_hash == content_hash
            )
        ).scalar()
        if found is None:
            published = doc.get("published")
            if isinstance(published, str):
                try:
                    published = datetime.fromisoformat(published.replace("Z", "+00:00"))
                except ValueError:
                    published = None
            found = self.session.execute(
                insert(Document).returning(Document.id),
                [
                    {
                        "project_id": self.project_id,
                        "source_path": self.source,
                        "url": doc.get("url"),
                        "title": str(doc.get("title") or key)[:500],
                        "outlet": doc.get("outlet"),
                        "published": published if isinstance(published, datetime) else None,
                        "lang": doc.get("lang"),
                        "content_hash": content_hash,
                        "meta": {"labels_import": self.source},
                    }
                ],
            ).scalar_one()
            self.documents_created += 1
            pos = 0
        else:
            last = self.session.execute(
                select(func.max(Unit.position)).where(Unit.document_id == found)
            ).scalar()
            pos = -1 if last is None else last
            pos += 1
        self.docs[key] = (found, pos + 1)
        return found, pos


def import_labels(
    engine: Engine, project: Project, path: Path, cols: Columns | None = None
) -> ImportReport:
    """Import the labels in `path` into `project`; see the module docstring."""
    cols = cols or Columns()
    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    report = ImportReport()
    annotators: dict[str, int] = {}
    with Session(engine, expire_on_commit=False) as session:
        schema = current_schema(session, project)
        version_id = project.schema_version_id
        assert project.id is not None and version_id is not None
        units = _Units(session, project.id, path.name)
        pending = 0
        for line, raw in read_records(path, cols):
            where = f"{path.name}:{line}"
            if isinstance(raw, str):
                report.problems.append(f"{where}: {raw}")
                continue
            try:
                records = _record_from(raw, line, cols, schema)
            except BadRecord as exc:
                report.problems.append(f"{where}: {exc}")
                continue
            for rec in records:
                report.records += 1
                try:
                    _import_one(session, rec, schema, cols, units, annotators, version_id, report)
                except BadRecord as exc:
                    report.problems.append(f"{where}: {exc}")
                    continue
                pending += 1
            if pending >= BATCH:
                session.commit()
                pending = 0
        session.commit()
    report.units_created = units.units_created
    report.documents_created = units.documents_created
    return report


def _import_one(
    session: Session,
    rec: LabelRecord,
    schema: Schema,
    cols: Columns,
    units: _Units,
    annotators: dict[str, int],
    version_id: int,
    report: ImportReport,
) -> None:
    if rec.status not in STATUSES:
        raise BadRecord(f"status {rec.status!r} is not one of {', '.join(STATUSES)}")
    if not rec.annotator:
        raise BadRecord("no annotator")
    if len(rec.annotator) > 200:
        raise BadRecord("annotator name is longer than 200 characters")
    # Check values before touching the store, so a bad record creates no unit.
    text, lang = rec.text, rec.document.get("lang")
    unit_id: int | None = None
    if rec.unit_id is not None:
        try:
            unit_id, text, lang = units.by_id(rec.unit_id)
        except BadRecord:
            if rec.text is None:
                raise
        # An id from another project or store (our own export): the text decides.
        if rec.text is not None and text != rec.text:
            unit_id, text, lang = None, rec.text, rec.document.get("lang")
    warnings: list[str] = []
    values = check_values(schema, rec.values, cols, text, lang, warnings)
    report.warnings.extend(f"line {rec.line}: {w}" for w in warnings)
    if not values and rec.status == "done":
        raise BadRecord("no label values (empty cells or a value that means no label)")
    if unit_id is None:
        unit_id, _, _ = units.by_text(rec)
    if rec.annotator not in annotators:
        annotators[rec.annotator] = get_or_create_annotator(session, rec.annotator).id  # type: ignore[assignment]
    who = annotators[rec.annotator]
    existing = my_annotation(session, unit_id=unit_id, annotator_id=who)
    if existing is not None and existing.values == values and existing.status == rec.status:
        report.unchanged += 1
        return
    save_annotation(
        session,
        unit_id=unit_id,
        annotator_id=who,
        schema_version_id=version_id,
        values=values,
        status=rec.status,
        comment=existing.comment if existing is not None else None,
    )
    if existing is None:
        report.created += 1
    else:
        report.updated += 1
