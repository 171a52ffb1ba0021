"""Where each annotator's queue stands, kept in the store so a start on any machine is warm.

A position is a floor (every unit up to it was closed for me) and the audit event mark it is
valid at; the floor is trusted only after the events since the mark are checked (see
``queue.checked_floor``). Losing a position costs one slower start, nothing more.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlmodel import Session

from annotator.store.models import QueuePosition, utcnow
from annotator.store.queue import checked_floor

_POS = QueuePosition.__table__  # type: ignore[attr-defined]


def load_floor(session: Session, *, project_id: int, annotator_id: int, overlap: int) -> int:
    """My remembered floor, checked against every change since it was saved (0: none)."""
    row = session.execute(
        select(_POS.c.floor, _POS.c.mark, _POS.c.overlap).where(
            _POS.c.project_id == project_id, _POS.c.annotator_id == annotator_id
        )
    ).first()
    if row is None or row.overlap != overlap:
        return 0  # a floor proved at another overlap proves nothing at this one
    return checked_floor(session, project_id=project_id, floor=row.floor, mark=row.mark)


def save_floor(
    session: Session, *, project_id: int, annotator_id: int, overlap: int, floor: int, mark: int
) -> None:
    """Remember my floor (valid at audit event `mark`): one upsert."""
    # The dialect's own insert, imported when used: the PostgreSQL dialect's modules take
    # 40 ms to load, on the way to the first unit of every start on SQLite.
    values = {"overlap": overlap, "floor": floor, "mark": mark, "updated_at": utcnow()}
    row = {"project_id": project_id, "annotator_id": annotator_id, **values}
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        stmt: Any = pg_insert(_POS).values(**row)
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        stmt = sqlite_insert(_POS).values(**row)
    session.execute(
        stmt.on_conflict_do_update(index_elements=["project_id", "annotator_id"], set_=values)
    )


def forget_floors(session: Session, *, project_id: int) -> None:
    """Drop every remembered position in a project: assignments changed, so a floor may have
    passed units that are now someone's (each next start scans from the first unit)."""
    session.execute(delete(_POS).where(_POS.c.project_id == project_id))
