"""The queue's "open for me" SQL, as plain text: the store layer's queue (`queue`) runs it
through SQLAlchemy, a cold start's floor (`queue_direct`) through the sqlite3 module before
SQLAlchemy has loaded. Named parameters: :p project, :me annotator, :after the unit to start
after, :overlap, :now (milliseconds) where live leases count.

A unit is open for me when I have not touched it and it still needs annotators; the queue
also asks that it be in the shared pool or in a document assigned to me (`MINE_TO_DO`). Live
leases of others are left out of `open_`: they lapse, so a unit they hold must not move my
queue's floor past it (see `queue.Queue`). Every probe of annotation repeats `unit_id >
:after`: PostgreSQL does not carry the bound over from u.id, and without it may plan an
anti-join that reads the annotation index from the first unit (0.5 s per key at 1M units
instead of a few ms).
"""

from __future__ import annotations

# The orders a queue walks (`queue.Queue`); the last two read a model's scores
# (`assist_models.ORDERS`). Here, free of SQLAlchemy, so `annotate` checks --order at once.
ORDERS = ("sequential", "random", "uncertain", "balanced")

MINE_TO_DO = (
    "(NOT EXISTS (SELECT 1 FROM assignment s WHERE s.document_id = u.document_id) "
    "OR EXISTS (SELECT 1 FROM assignment s WHERE s.document_id = u.document_id "
    "AND s.annotator_id = :me))"
)
# Without ANALYZE statistics SQLite probes the unique (unit, annotator) index and reads each
# annotation row for its status; the covering index answers from the index alone (~40% less
# time when most units before mine are closed).
SQLITE_HINT = "INDEXED BY ix_annotation_unit_status_annotator"
_NOT_MINE = (
    "NOT EXISTS (SELECT 1 FROM annotation m WHERE m.unit_id = u.id AND m.unit_id > :after "
    "AND m.annotator_id = :me)"
)
_DONE = "(SELECT count(*) FROM annotation d WHERE d.unit_id = u.id AND d.status = 'done')"
_LIVE_LEASES = (
    "(SELECT count(*) FROM lease l WHERE l.unit_id = u.id AND l.annotator_id != :me "
    "AND l.expires_ms > :now)"
)
NO_LIVE_LEASE = (
    "NOT EXISTS (SELECT 1 FROM lease l WHERE l.unit_id = u.id AND l.unit_id > :after "
    "AND l.annotator_id != :me AND l.expires_ms > :now)"
)


def open_(*, leases: bool = False) -> str:
    """Not labelled by me, and done by fewer than the overlap (`leases`: counting the live
    leases of others too, as a claim does)."""
    held = f" + {_LIVE_LEASES}" if leases else ""
    return f"{_NOT_MINE} AND {_DONE}{held} < :overlap"


def open_1(hint: str = "") -> str:
    """`open_` at overlap 1 (the usual case): one index probe per unit instead of two."""
    return (
        f"NOT EXISTS (SELECT 1 FROM annotation a {hint} WHERE a.unit_id = u.id "
        "AND a.unit_id > :after AND (a.annotator_id = :me OR a.status = 'done'))"
    )


def first_unit(condition: str) -> str:
    """The project's first unit after :after, in document order, meeting `condition`."""
    return (
        "SELECT u.id FROM unit u WHERE u.project_id = :p AND u.id > :after "
        f"AND {condition} ORDER BY u.id LIMIT 1"
    )


def next_for_me(*, overlap_1: bool, free: bool, hint: str = "") -> str:
    """My next unit after :after, as the queue asks for it: open for me and mine to do
    (`free`: and not full with the live leases of others; `overlap_1`: the overlap is 1)."""
    if overlap_1:
        condition = open_1(hint) + (f" AND {NO_LIVE_LEASE}" if free else "")
    else:
        condition = open_(leases=free)
    return first_unit(f"{condition} AND {MINE_TO_DO}")
