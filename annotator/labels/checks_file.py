"""`annotator checks import FILE`: check items (a unit and its known answer) from JSONL or CSV.

Records are read as `labels import` reads them (``read``: JSONL or CSV, ``values`` {task:
value}, ``task`` + ``value``, or a column per task) and their values checked against the
project's schema the same way (``check``). A record names an existing unit of the project by
``unit_id``, by ``document_id`` and ``position`` (0 is the document's first unit), or by its
exact ``text`` (which must name one unit only); a check never creates a unit. A record of our
own jsonl export made with ``--gold`` gives its gold as the answer, not an annotator's. Every bad
record gets one line naming the file and line; the good ones are imported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session

from annotator.errors import UserError, one_line
from annotator.labels.check import ValueChecker
from annotator.labels.model import BadRecord, Columns
from annotator.labels.read import read_records, record_from
from annotator.schema.model import Schema
from annotator.store.checks import NewCheck
from annotator.store.units import unit_at, unit_text, units_with_text


@dataclass
class CheckFile:
    items: list[NewCheck] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    records: int = 0


def _whole(value: Any, name: str) -> int:
    if isinstance(value, bool):
        raise BadRecord(f"{name!r} is not a number")
    try:
        number = int(str(value).strip()) if isinstance(value, str) else int(value)
    except (TypeError, ValueError):
        raise BadRecord(f"{name!r} {str(value)[:40]!r} is not a number") from None
    if not 0 <= number < 2**62:
        raise BadRecord(f"{name!r} {number} is out of range")
    return number


def _unit(session: Session, project_id: int, raw: dict[str, Any], rec: Any) -> tuple[int, str]:
    """The unit a record names, and its text."""
    if rec.unit_id is not None:
        found = unit_text(session, project_id, rec.unit_id)
        if found is None:
            raise BadRecord(f"no unit {rec.unit_id} in this project")
        return rec.unit_id, found
    if raw.get("document_id") not in (None, "") or raw.get("position") not in (None, ""):
        doc = _whole(raw.get("document_id"), "document_id")
        pos = _whole(raw.get("position"), "position")
        row = unit_at(session, project_id, doc, pos)
        if row is None:
            raise BadRecord(f"no unit at position {pos} of document {doc} in this project")
        return row
    ids = units_with_text(session, project_id, str(rec.text))
    if not ids:
        raise BadRecord("no unit of this project has this exact text")
    if len(ids) > 1:
        raise BadRecord("several units have this text: name one by unit_id")
    return ids[0], str(rec.text)


def read_checks(session: Session, project_id: int, schema: Schema, path: Path) -> CheckFile:
    """The check items in `path`, each record's values checked against `schema`."""
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    cols = Columns(default_annotator="check")  # records need no annotator: none is stored
    checker = ValueChecker(schema, cols)
    out = CheckFile()
    seen: set[int] = set()
    for line, raw in read_records(path, cols):
        where = f"{path.name}:{line}"
        if isinstance(raw, str):
            out.problems.append(one_line(f"{where}: {raw}"))
            continue
        out.records += 1
        warnings: list[str] = []
        try:
            if isinstance(raw.get("gold"), dict):  # our own export with --gold: its answer
                answer = {t: v for t, v in raw["gold"].items() if v is not None}
                raw = {k: v for k, v in raw.items() if k not in ("annotations", "gold")}
                raw["values"] = answer
            if "document_id" in raw and raw.get(cols.text) in (None, "") and "unit_id" not in raw:
                raw = {**raw, cols.text: "-"}  # found by place: the reader wants a text or id
            (rec,) = record_from(raw, line, cols, schema)[:1]
            unit_id, text = _unit(session, project_id, raw, rec)
            if unit_id in seen:
                raise BadRecord(f"unit {unit_id} is named twice in this file")
            values = checker(rec.values, text, None, warnings)
            if not values:
                raise BadRecord("no known answer (give values, task and value, or task columns)")
        except BadRecord as exc:
            out.problems.append(one_line(f"{where}: {exc}"))
            continue
        finally:
            out.warnings.extend(one_line(f"{where}: {w}") for w in warnings)
        seen.add(unit_id)
        out.items.append(NewCheck(unit_id, values))
    return out
