"""My annotations: the statuses an annotation can have, reading mine, saving, and undo.

Saves write with Core statements built once (this runs on every key that completes a unit);
every change appends an audit event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, bindparam
from sqlalchemy import select as core_select
from sqlmodel import Session, select

from annotator.schema.values import STATUSES
from annotator.store.checks import IS_CHECK_UNIT
from annotator.store.models import Annotation, AnnotationEvent, utcnow

DONE, SKIPPED, FLAGGED = STATUSES
# Statuses that keep a unit in my queue (None: not touched by me yet).
IN_QUEUE = (None, SKIPPED)


# --- my annotations --------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """An annotation's state, enough to restore it on undo."""

    values: dict[str, Any]
    status: str
    comment: str | None
    seconds: float | None
    schema_version_id: int
    updated_at: datetime
    assisted: bool | None = None


@dataclass(frozen=True)
class Mine:
    """My annotation of one unit, read without ORM objects (this runs on every unit shown)."""

    id: int
    snapshot: Snapshot

    @property
    def values(self) -> dict[str, Any]:
        return self.snapshot.values

    @property
    def status(self) -> str:
        return self.snapshot.status

    @property
    def comment(self) -> str | None:
        return self.snapshot.comment


def _new_id(result: Any) -> int:
    """The primary key an INSERT just made."""
    key = cast(CursorResult, result).inserted_primary_key
    assert key is not None
    return int(key[0])


_ANN = Annotation.__table__  # type: ignore[attr-defined]
_EVENT = AnnotationEvent.__table__  # type: ignore[attr-defined]
_MINE = core_select(
    _ANN.c.id,
    _ANN.c["values"],
    _ANN.c.status,
    _ANN.c.comment,
    _ANN.c.seconds,
    _ANN.c.schema_version_id,
    _ANN.c.updated_at,
    _ANN.c.assisted,
).where(_ANN.c.unit_id == bindparam("u"), _ANN.c.annotator_id == bindparam("a"))
# Built once: a statement built per save costs more than the write itself.
# A new annotation of a check unit is a check answer (see `store.checks`): decided in the
# INSERT itself, so a label given to a check is marked whatever path handed the unit out.
_INSERT_ANN = _ANN.insert().values(is_check=IS_CHECK_UNIT)
_INSERT_EVENT = _EVENT.insert()


def my_annotation(session: Session, *, unit_id: int, annotator_id: int) -> Annotation | None:
    return session.exec(
        select(Annotation).where(
            Annotation.unit_id == unit_id, Annotation.annotator_id == annotator_id
        )
    ).first()


def mine(session: Session, *, unit_id: int, annotator_id: int) -> Mine | None:
    """My annotation of `unit_id` as plain values (None: I have not touched it)."""
    row = session.execute(_MINE, {"u": unit_id, "a": annotator_id}).first()
    if row is None:
        return None
    ann_id, values, status, comment, seconds, sv, updated, assisted = row
    snapshot = Snapshot(dict(values or {}), status, comment, seconds, sv, updated, assisted)
    return Mine(ann_id, snapshot)


def _snapshot(a: Annotation) -> Snapshot:
    return Snapshot(
        values=dict(a.values),
        status=a.status,
        comment=a.comment,
        seconds=a.seconds,
        schema_version_id=a.schema_version_id,
        updated_at=a.updated_at,
        assisted=a.assisted,
    )


def _event(a: Annotation, action: str) -> AnnotationEvent:
    return AnnotationEvent(
        annotation_id=a.id,
        unit_id=a.unit_id,
        annotator_id=a.annotator_id,
        schema_version_id=a.schema_version_id,
        action=action,
        values=dict(a.values),
        status=a.status,
        comment=a.comment,
        assisted=a.assisted,
    )


@dataclass(frozen=True)
class SaveResult:
    annotation_id: int
    previous: Snapshot | None  # None: the annotation is new
    event_id: int = 0  # the audit event this save appended


def save_annotation(
    session: Session,
    *,
    unit_id: int,
    annotator_id: int,
    schema_version_id: int,
    values: dict[str, Any],
    status: str = DONE,
    comment: str | None = None,
    seconds: float | None = None,
    assisted: bool | None = None,
) -> SaveResult:
    """Create or update my annotation of a unit and append the audit event.

    The event's action is ``create``/``update`` for a done label, else ``skip``/``flag``.
    `seconds` (time on item for this visit) adds to the time already recorded; `assisted`
    records whether the project's suggestions were on (None: not given on screen).
    Core statements, not ORM objects: this runs on every key that completes a unit.
    """
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}")
    found = mine(session, unit_id=unit_id, annotator_id=annotator_id)
    now = utcnow()
    row: dict[str, Any] = {
        "values": dict(values),
        "status": status,
        "comment": comment,
        "schema_version_id": schema_version_id,
        "updated_at": now,
        "assisted": assisted,
    }
    if found is None:
        result = session.execute(
            _INSERT_ANN,
            {
                "unit_id": unit_id,
                "check_unit": unit_id,
                "annotator_id": annotator_id,
                "seconds": seconds,
                "created_at": now,
                **row,
            },
        )
        ann_id = _new_id(result)
        previous, action = None, "create"
    else:
        ann_id, previous, action = found.id, found.snapshot, "update"
        if seconds is not None:
            row["seconds"] = (previous.seconds or 0.0) + seconds
        session.execute(_ANN.update().where(_ANN.c.id == ann_id).values(**row))
        _forget(session, ann_id)
    if status == SKIPPED:
        action = "skip"
    elif status == FLAGGED:
        action = "flag"
    event = session.execute(
        _INSERT_EVENT,
        {
            "annotation_id": ann_id,
            "unit_id": unit_id,
            "annotator_id": annotator_id,
            "schema_version_id": schema_version_id,
            "action": action,
            "values": dict(values),
            "status": status,
            "comment": comment,
            "at": now,
            "assisted": assisted,
        },
    )
    return SaveResult(
        annotation_id=ann_id,
        previous=previous,
        event_id=_new_id(event),
    )


def _forget(session: Session, annotation_id: int) -> None:
    """An ORM copy of a row we just changed with Core would be stale: expire it."""
    obj = session.identity_map.get(session.identity_key(Annotation, annotation_id))
    if obj is not None:
        session.expire(obj)


def undo_save(
    session: Session, *, unit_id: int, annotator_id: int, previous: Snapshot | None
) -> bool:
    """Put my annotation of `unit_id` back as it was before a save (delete it if it was new).

    The audit keeps every state: an ``undo`` event records what the annotation became.
    Returns False when there was nothing to undo.
    """
    ann = my_annotation(session, unit_id=unit_id, annotator_id=annotator_id)
    if ann is None:
        return False
    if previous is None:
        event = _event(ann, "undo")
        event.values = {}
        event.status = "deleted"
        event.comment = None
        session.delete(ann)
        session.add(event)
        session.flush()
        return True
    ann.values = dict(previous.values)
    ann.status = previous.status
    ann.comment = previous.comment
    ann.seconds = previous.seconds
    ann.schema_version_id = previous.schema_version_id
    ann.updated_at = previous.updated_at
    ann.assisted = previous.assisted
    session.add(ann)
    session.flush()
    session.add(_event(ann, "undo"))
    session.flush()
    return True
