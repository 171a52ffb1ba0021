"""Leases: a unit on someone's screen is held for them, so a team never does double work.

A lease is one row per (unit, annotator) with an expiry in epoch milliseconds. The queue
counts live leases of others with done labels against the schema's overlap: a unit is
*full* when ``done + others' live leases >= overlap``. Taking a lease is one conditional
write, never a read then a write:

- on SQLite the ``INSERT ... SELECT ... WHERE <not full>`` runs under the database's single
  write lock, so its check and its write see the same, newest state;
- on PostgreSQL two transactions could each miss the other's uncommitted lease, so the
  unit's row is locked first (``FOR NO KEY UPDATE``: foreign-key checks of other writers
  are not blocked) and the statement after the lock sees what the previous holder
  committed. A claim does not wait for a unit someone else is writing right now
  (``SKIP LOCKED``): it looks further on, which also keeps two saves that each want the
  other's unit from deadlocking.

A lease expires after a while without activity (the screen renews it while keys are
pressed), so a closed laptop does not hold units for ever. Saving a done label consumes
the lease; a save by someone who no longer holds the unit is kept only if the unit still
has room, else `LeaseLost` says so and nothing is written.
"""

from __future__ import annotations

import time

from sqlalchemy import text
from sqlmodel import Session

from annotator.store.errors import LeaseLost

DEFAULT_LEASE_SECONDS = 300.0


def now_ms() -> int:
    return int(time.time() * 1000)


# Others' done labels and others' live leases on one unit: how many of its places are taken.
_TAKEN = (
    "(SELECT count(*) FROM annotation a WHERE a.unit_id = :u AND a.status = 'done' "
    "AND a.annotator_id != :me) + (SELECT count(*) FROM lease l WHERE l.unit_id = :u "
    "AND l.annotator_id != :me AND l.expires_ms > :now)"
)
_CLAIM = text(
    "INSERT INTO lease (project_id, unit_id, annotator_id, expires_ms) "
    f"SELECT :p, :u, :me, :exp WHERE {_TAKEN} < :overlap "
    "ON CONFLICT (unit_id, annotator_id) DO UPDATE SET expires_ms = excluded.expires_ms"
)
_HAS_ROOM = text(f"SELECT {_TAKEN} < :overlap")
_LOCK_UNIT_PG = text("SELECT id FROM unit WHERE id = :u FOR NO KEY UPDATE")
_DROP_EXPIRED = text("DELETE FROM lease WHERE project_id = :p AND expires_ms <= :now")
# PostgreSQL, two round trips instead of five (each costs a wake-up of the server process):
# the unit is locked only if it looks free (a stale look is fine: the INSERT checks again
# under the lock, in a new snapshot), then the claim and letting go of my other units in one
# statement. The check must not share the lock's statement: its snapshot would predate it.
_TRY_LOCK_FREE_PG = text(
    f"SELECT id FROM unit WHERE id = :u AND {_TAKEN} < :overlap FOR NO KEY UPDATE SKIP LOCKED"
)
_CLAIM_AND_RELEASE_PG = text(
    f"WITH got AS ({_CLAIM.text} RETURNING unit_id), "
    "gone AS (DELETE FROM lease WHERE project_id = :p AND annotator_id = :me AND unit_id != :u "
    "AND EXISTS (SELECT 1 FROM got)) SELECT count(*) FROM got"
)
_RENEW = text(
    "UPDATE lease SET expires_ms = :exp WHERE unit_id = :u AND annotator_id = :me "
    "AND expires_ms > :now"
)
_RELEASE = text("DELETE FROM lease WHERE unit_id = :u AND annotator_id = :me")
_IS_CHECK = text("SELECT 1 FROM checkitem WHERE unit_id = :u")
_RELEASE_OTHERS = text(
    "DELETE FROM lease WHERE project_id = :p AND annotator_id = :me AND unit_id != :u"
)
_RELEASE_ALL = text("DELETE FROM lease WHERE project_id = :p AND annotator_id = :me")
_TAKE_MINE = text(
    "DELETE FROM lease WHERE unit_id = :u AND annotator_id = :me RETURNING expires_ms"
)


def _lock_unit(session: Session, unit_id: int) -> None:
    """Serialize the writers of one unit (SQLite's write lock already does)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(_LOCK_UNIT_PG, {"u": unit_id})


def claim(
    session: Session,
    *,
    project_id: int,
    unit_id: int,
    annotator_id: int,
    overlap: int,
    seconds: float = DEFAULT_LEASE_SECONDS,
) -> bool:
    """Hold `unit_id` for me unless it is full; renews my own hold. True: it is mine now.

    Holding one unit at a time: my other leases in the project are let go, so walking away
    from a unit (to the palette, to an earlier one) does not keep it from the others.
    False also when someone is writing the unit at this moment: the caller looks further.
    """
    now = now_ms()
    params = {
        "p": project_id,
        "u": unit_id,
        "me": annotator_id,
        "now": now,
        "exp": now + int(seconds * 1000),
        "overlap": overlap,
    }
    if session.get_bind().dialect.name == "postgresql":
        if session.execute(_TRY_LOCK_FREE_PG, params).first() is None:
            return False  # full, or someone is writing it right now: look further
        return bool(session.execute(_CLAIM_AND_RELEASE_PG, params).scalar())
    # SQLite: one writer at a time, so the conditional INSERT's check and write see the same
    # state (a full unit inserts nothing).
    got = session.execute(_CLAIM, params).rowcount > 0  # type: ignore[attr-defined]
    if got:
        session.execute(_RELEASE_OTHERS, params)
    return got


def renew(
    session: Session, *, unit_id: int, annotator_id: int, seconds: float = DEFAULT_LEASE_SECONDS
) -> bool:
    """Extend my live hold on `unit_id` (a lapsed one is not revived: claim it again)."""
    now = now_ms()
    params = {"u": unit_id, "me": annotator_id, "now": now, "exp": now + int(seconds * 1000)}
    return session.execute(_RENEW, params).rowcount > 0  # type: ignore[attr-defined]


def settle(session: Session, *, unit_id: int, annotator_id: int, overlap: int) -> None:
    """Before my first done label on a unit: give up my hold and make sure the label fits.

    Called in the save's transaction, before the write. A live hold of mine always fits (my
    label takes the place the hold kept). Without one the label is kept only if the unit
    still has room; otherwise `LeaseLost` (the caller rolls back, nothing is written).
    """
    now = now_ms()
    held = session.execute(_TAKE_MINE, {"u": unit_id, "me": annotator_id}).scalar()
    if held is not None and held > now:
        return  # my hold kept the place: no other claim can have taken it
    if session.execute(_IS_CHECK, {"u": unit_id}).first() is not None:
        return  # a check answer is extra work: it takes none of the unit's places
    _lock_unit(session, unit_id)
    room = session.execute(
        _HAS_ROOM, {"u": unit_id, "me": annotator_id, "now": now, "overlap": overlap}
    ).scalar()
    if not room:
        raise LeaseLost(unit_id)


def release(session: Session, *, unit_id: int, annotator_id: int) -> None:
    """Let the others have `unit_id` (after a skip or a flag: no done label of mine)."""
    session.execute(_RELEASE, {"u": unit_id, "me": annotator_id})


def release_all(session: Session, *, project_id: int, annotator_id: int) -> None:
    """Let go of everything I hold in the project (I am leaving), and sweep out the lapsed
    leases of anyone (they count for nothing, but would pile up over weeks)."""
    session.execute(_RELEASE_ALL, {"p": project_id, "me": annotator_id})
    session.execute(_DROP_EXPIRED, {"p": project_id, "now": now_ms()})


def live_leases(session: Session, *, project_id: int) -> dict[int, int]:
    """Units on someone's screen now, per annotator id (for status and the dashboard)."""
    rows = session.execute(
        text(
            "SELECT annotator_id, count(*) FROM lease WHERE project_id = :p "
            "AND expires_ms > :now GROUP BY annotator_id"
        ),
        {"p": project_id, "now": now_ms()},
    )
    return {int(a): int(n) for a, n in rows}
