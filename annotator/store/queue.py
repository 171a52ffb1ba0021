"""My queue and my progress: the next open unit, my skipped units, my previous/next unit,
the remembered queue position (event marks, checked floors), and the progress bar's counts.

Every query here that runs per keystroke is served by an index (see the EXPLAIN QUERY PLAN
test): units by ``(project_id, id)`` and ``(document_id, position)``, annotations by
``(unit_id, annotator_id)`` and ``(annotator_id, unit_id)``. Whole-project counts run once,
off the UI thread, and the UI keeps them current by applying each change it makes.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlmodel import Session

from annotator.store import assist_models, checks, leases
from annotator.store.annotations import DONE, IN_QUEUE, SKIPPED
from annotator.store.queue_sql import MINE_TO_DO, SQLITE_HINT, next_for_me, open_

# My next unit at any overlap, and at overlap 1 per dialect (`free`: no live lease of others).
_NEXT_OPEN = text(next_for_me(overlap_1=False, free=False))
_NEXT_FREE = text(next_for_me(overlap_1=False, free=True))
_NEXT_OPEN_1 = {
    (d, free): text(
        next_for_me(overlap_1=True, free=free, hint=SQLITE_HINT if d == "sqlite" else "")
    )
    for d in ("sqlite", "other")
    for free in (False, True)
}
# Events that may have made a unit open again: undos, and labels changed away from done.
_REOPENED_SINCE = text(
    "SELECT min(e.unit_id) FROM annotationevent e JOIN unit u ON u.id = e.unit_id "
    "WHERE e.id > :mark AND u.project_id = :p AND (e.action = 'undo' OR e.status != 'done')"
)
_IS_OPEN = text(f"SELECT 1 FROM unit u WHERE u.id = :uid AND {open_()} AND {MINE_TO_DO}")
_NEXT_SKIPPED = text(
    "SELECT a.unit_id FROM annotation a JOIN unit u ON u.id = a.unit_id "
    "WHERE a.annotator_id = :me AND a.unit_id > :after AND a.status = 'skipped' "
    "AND u.project_id = :p ORDER BY a.unit_id LIMIT 1"
)
_MY_PREV = text(
    "SELECT a.unit_id FROM annotation a JOIN unit u ON u.id = a.unit_id "
    "WHERE a.annotator_id = :me AND a.unit_id < :uid AND u.project_id = :p "
    "ORDER BY a.unit_id DESC LIMIT 1"
)
_MY_NEXT = text(
    "SELECT a.unit_id FROM annotation a JOIN unit u ON u.id = a.unit_id "
    "WHERE a.annotator_id = :me AND a.unit_id > :uid AND u.project_id = :p "
    "ORDER BY a.unit_id LIMIT 1"
)


# --- the queue -------------------------------------------------------------------------


def next_open_unit(
    session: Session,
    *,
    project_id: int,
    annotator_id: int,
    overlap: int = 1,
    after: int = 0,
    free: bool = False,
) -> int | None:
    """The first unit after id `after`, in document order, that is open for me (`free`: and
    not full with the live leases of others)."""
    if overlap != 1:
        query = _NEXT_FREE if free else _NEXT_OPEN
    else:
        dialect = "sqlite" if session.get_bind().dialect.name == "sqlite" else "other"
        query = _NEXT_OPEN_1[dialect, free]
    params = {"p": project_id, "me": annotator_id, "overlap": overlap, "after": after}
    if free:
        params["now"] = leases.now_ms()
    row = session.execute(query, params).first()
    return row[0] if row else None


def event_mark(session: Session) -> int:
    """The newest audit event id: every later change to any annotation has a higher one."""
    return session.execute(text("SELECT coalesce(max(id), 0) FROM annotationevent")).scalar_one()


def checked_floor(session: Session, *, project_id: int, floor: int, mark: int) -> int:
    """A queue floor remembered from an earlier session, lowered below any unit that a change
    since event `mark` may have reopened (0 when the store is not the one it came from).

    Every change to an annotation appends an event, so the events after `mark` are all that
    can have reopened a unit the floor once proved closed.
    """
    if floor <= 0 or mark > event_mark(session):
        return 0
    low = session.execute(_REOPENED_SINCE, {"mark": mark, "p": project_id}).scalar()
    return floor if low is None else min(floor, low - 1)


def is_open(session: Session, *, unit_id: int, annotator_id: int, overlap: int = 1) -> bool:
    row = session.execute(
        _IS_OPEN, {"uid": unit_id, "me": annotator_id, "overlap": overlap, "after": unit_id - 1}
    ).first()
    return row is not None


def next_skipped_unit(
    session: Session, *, project_id: int, annotator_id: int, after: int = 0
) -> int | None:
    """My next skipped unit after `after`, wrapping round to the first one."""
    params = {"p": project_id, "me": annotator_id, "after": after}
    row = session.execute(_NEXT_SKIPPED, params).first()
    if row is None and after:
        row = session.execute(_NEXT_SKIPPED, {**params, "after": 0}).first()
    return row[0] if row else None


def project_unit_ids(session: Session, project_id: int) -> list[int]:
    rows = session.execute(
        text("SELECT id FROM unit WHERE project_id = :p ORDER BY id"), {"p": project_id}
    )
    return [r[0] for r in rows]


@dataclass
class Queue:
    """My queue: open units in document (or seeded random) order, then my skipped units.
    Each unit it hands out is leased to me first (see `leases`): a unit that is full once
    the others' live leases are counted is passed over, so no two people get it beyond the
    schema's overlap.

    The orders `uncertain` and `balanced` walk the units as the project's last training
    ranked them (`assist_models.ranked_units`), but take each next unit from the random
    order instead with probability `explore`, so the labels still cover the whole corpus and
    stay fit for estimates over it. Units the training did not score (imported since, or
    before any training) come only through the random share, which covers every unit.

    `floor` remembers how far the sequential scan has proved every unit closed, so each
    next-unit query starts there instead of at the first unit of a large project. Only labels
    and assignments close a unit for the floor: a unit passed over because someone holds it
    stays above the floor and comes back if their lease lapses. An undo lowers it again.
    (Another annotator's undo is noticed on the next start.)

    Check items (`store.checks`) are not ordinary work: every order passes over them (the
    floor too), and before each ordinary unit a check unit I have never been given comes
    first when `checks.due` says so. A check is not held (it takes no unit's place); the
    ordinary unit it comes before stays held for me meanwhile.
    """

    project_id: int
    annotator_id: int
    overlap: int = 1
    order: str = "sequential"  # one of ORDERS
    seed: int | None = None
    explore: float | None = None  # uncertain/balanced; None: the project's setting
    floor: int = 0
    lease_seconds: float = leases.DEFAULT_LEASE_SECONDS
    fresh: bool = False  # the last unit `next` returned was open (not one I skipped)
    _random_ids: list[int] | None = field(default=None, repr=False)
    _random_pos: int = 0
    _ranked_ids: list[int] | None = field(default=None, repr=False)
    _ranked_pos: int = 0
    _ranked_mark: int = -1  # the training the ranking came from (see assist_models)
    _step: int = 0  # units handed out by a ranked order: draws the random share
    _mine: checks.MyChecks = field(default_factory=checks.MyChecks)  # read at each next
    check: bool = False  # the last unit `next` returned is a check

    def next(self, session: Session, *, current: int | None = None) -> int | None:
        """The unit I should see next, leased to me (None when my queue is empty).

        A unit found open has no annotation of mine (in this transaction): `fresh` says so,
        and the caller can skip looking mine up.
        """
        me = {"project_id": self.project_id, "annotator_id": self.annotator_id}
        self._mine = checks.my_checks(session, **me)
        self.check = False
        found = self._next_open(session)
        self.fresh = found is not None
        if found is not None:
            check = self._check_before(session, found)
            self.check = check is not None
            return found if check is None else check
        return self._next_skipped(session, after=current or 0)

    def _check_before(self, session: Session, found: int) -> int | None:
        """A check unit to hand out before ordinary unit `found`, if one is due."""
        mine = self._mine
        if not mine.unseen or mine.rate <= 0.0:
            return None
        me = {"project_id": self.project_id, "annotator_id": self.annotator_id}
        if not checks.due(**me, before=found, answered=mine.answered, rate=mine.rate):
            return None
        return mine.next(**me, near=found)

    def is_check(self, unit_id: int) -> bool:
        """Whether `unit_id` was a check item when the queue last looked (checks are never
        held: there is no hold to keep or lose on them)."""
        return unit_id in self._mine.units

    def claim(self, session: Session, unit_id: int) -> bool:
        """Hold `unit_id` for me, unless it is full (my own labels aside)."""
        return leases.claim(
            session,
            project_id=self.project_id,
            unit_id=unit_id,
            annotator_id=self.annotator_id,
            overlap=self.overlap,
            seconds=self.lease_seconds,
        )

    def position(self) -> tuple[int, int, int, int]:
        """Where the scan stands, to put it back if the transaction that moved it fails."""
        return self.floor, self._random_pos, self._ranked_pos, self._step

    def restore(self, position: tuple[int, int, int, int]) -> None:
        self.floor, self._random_pos, self._ranked_pos, self._step = position

    def reopen(self, unit_id: int) -> None:
        """A unit became open again (undo): let the scan see it."""
        self.floor = min(self.floor, unit_id - 1)
        self._random_pos = 0
        self._ranked_pos = 0

    def _next_open(self, session: Session) -> int | None:
        if self.order == "random":
            return self._next_random(session)
        if self.order in assist_models.ORDERS:
            return self._next_ranked(session)
        found = next_open_unit(
            session,
            project_id=self.project_id,
            annotator_id=self.annotator_id,
            overlap=self.overlap,
            after=self.floor,
        )
        while found is not None and found in self._mine.units:  # never ordinary work
            self.floor = found
            found = next_open_unit(
                session,
                project_id=self.project_id,
                annotator_id=self.annotator_id,
                overlap=self.overlap,
                after=found,
            )
        if found is None:
            return None
        self.floor = found - 1
        # Usually the first open unit is free; people who start together race for it, and
        # each one who loses looks further on, past the units the others now hold.
        while found is not None and (found in self._mine.units or not self.claim(session, found)):
            found = next_open_unit(
                session,
                project_id=self.project_id,
                annotator_id=self.annotator_id,
                overlap=self.overlap,
                after=found,
                free=True,
            )
        return found

    def _next_random(self, session: Session) -> int | None:
        if self._random_ids is None:
            ids = project_unit_ids(session, self.project_id)
            random.Random(self.seed).shuffle(ids)
            self._random_ids = ids
        found, self._random_pos = self._walk(session, self._random_ids, self._random_pos)
        return found

    def _next_ranked(self, session: Session) -> int | None:
        mark = assist_models.ranking_mark(session, self.project_id)
        if self._ranked_ids is None or mark != self._ranked_mark:  # first, or retrained
            self._ranked_ids = assist_models.ranked_units(session, self.project_id, self.order)
            self._ranked_pos, self._ranked_mark = 0, mark
            if self.explore is None:
                self.explore = assist_models.settings(session, self.project_id).explore
        # Drawn from (seed, step), not from a running generator: a failed save puts the
        # step back, and the same draw comes again.
        explore = random.Random(f"{self.seed}:{self._step}").random() < (self.explore or 0.0)
        self._step += 1
        if not explore:
            found, self._ranked_pos = self._walk(session, self._ranked_ids, self._ranked_pos)
            if found is not None:
                return found
        return self._next_random(session)

    def _walk(self, session: Session, ids: list[int], start: int) -> tuple[int | None, int]:
        """The first unit of `ids[start:]` open for me that I can hold, and where the next
        walk may start (past the units at the front that are closed for good)."""
        pos = start
        while pos < len(ids):
            uid = ids[pos]
            if uid not in self._mine.units and is_open(
                session, unit_id=uid, annotator_id=self.annotator_id, overlap=self.overlap
            ):
                if self.claim(session, uid):
                    return uid, start
                pos += 1  # held by others for now: look again from here next time
                continue
            if pos == start:
                start += 1  # closed for good: never look at it again
            pos += 1
        return None, start

    def _next_skipped(self, session: Session, *, after: int) -> int | None:
        """My next skipped unit after `after` (wrapping round) that I can hold."""
        start = after
        tried: set[int] = set()
        while True:
            uid = next_skipped_unit(
                session, project_id=self.project_id, annotator_id=self.annotator_id, after=after
            )
            if uid is None or uid in tried:
                return None
            if uid in self._mine.units:
                self.check = True
                return uid  # a check I skipped: never held, so always mine to take up
            if self.claim(session, uid):
                return uid
            tried.add(uid)
            after = uid
            if after == start:
                return None


def my_previous_unit(
    session: Session, *, project_id: int, annotator_id: int, unit_id: int
) -> int | None:
    """The unit before `unit_id`, in document order, that I have annotated (any status)."""
    row = session.execute(_MY_PREV, {"p": project_id, "me": annotator_id, "uid": unit_id}).first()
    return row[0] if row else None


def my_next_unit(
    session: Session, *, project_id: int, annotator_id: int, unit_id: int
) -> int | None:
    row = session.execute(_MY_NEXT, {"p": project_id, "me": annotator_id, "uid": unit_id}).first()
    return row[0] if row else None


# --- progress --------------------------------------------------------------------------


# The progress counts' two whole-project queries, per dialect ("sqlite" or "other"). At
# 1,000,000 units: SQLite counts my labels from my annotations when told not to start from
# the unit index (`+u.project_id`: 0.17 s against 0.43), and closed units per unit from the
# covering index (0.35 s at overlap 1, 0.55 s above, against 1.05 s grouping every
# annotation); PostgreSQL's hash aggregate of the grouped forms is its better plan (0.76 s
# against 2.0 s).
_MINE_BY_STATUS = {
    dialect: text(
        "SELECT a.status, count(*) FROM annotation a JOIN unit u ON u.id = a.unit_id "
        f"WHERE a.annotator_id = :me AND {'+' if dialect == 'sqlite' else ''}u.project_id = :p "
        "GROUP BY a.status"
    )
    for dialect in ("sqlite", "other")
}
_NOT_A_CHECK = "u.id NOT IN (SELECT unit_id FROM checkitem WHERE project_id = :p)"
_CLOSED = {
    # CASE, not a boolean aggregate: the same SQL on SQLite and PostgreSQL.
    "other": text(
        "SELECT count(*) FROM (SELECT a.unit_id FROM annotation a "
        f"JOIN unit u ON u.id = a.unit_id WHERE u.project_id = :p AND {_NOT_A_CHECK} "
        "GROUP BY a.unit_id "
        "HAVING max(CASE WHEN a.annotator_id = :me THEN 1 ELSE 0 END) = 1 "
        "OR sum(CASE WHEN a.status = 'done' THEN 1 ELSE 0 END) >= :overlap) AS closed"
    ),
    "sqlite": text(
        f"SELECT count(*) FROM unit u WHERE u.project_id = :p AND {_NOT_A_CHECK} AND "
        f"(EXISTS (SELECT 1 FROM annotation m {SQLITE_HINT} "
        "WHERE m.unit_id = u.id AND m.annotator_id = :me) "
        f"OR (SELECT count(*) FROM annotation d {SQLITE_HINT} "
        "WHERE d.unit_id = u.id AND d.status = 'done') >= :overlap)"
    ),
}
_CLOSED_SQLITE_1 = text(  # overlap 1: one probe per unit
    f"SELECT count(*) FROM unit u WHERE u.project_id = :p AND {_NOT_A_CHECK} AND "
    f"EXISTS (SELECT 1 FROM annotation a {SQLITE_HINT} "
    "WHERE a.unit_id = u.id AND (a.annotator_id = :me OR a.status = 'done'))"
)


@dataclass
class Progress:
    """Counts for the progress bar. `left` includes my skipped units (they come back)."""

    done: int = 0
    left: int = 0
    total: int = 0
    mark: int = 0  # the newest audit event the counts include

    def apply(self, before: str | None, after: str | None) -> None:
        """Keep counts current after one of my annotations changes status."""
        self.done += (after == DONE) - (before == DONE)
        self.left += (after in IN_QUEUE) - (before in IN_QUEUE)


def one_snapshot(session: Session) -> None:
    """Every count `session` makes from now on sees one snapshot (PostgreSQL's REPEATABLE
    READ; a SQLite read transaction is one already). Before the session's first statement:
    my_progress calls it, and so may a caller that needs the connection before the counts."""
    if session.get_bind().dialect.name == "postgresql" and not session.in_transaction():
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def my_progress(
    session: Session, *, project_id: int, annotator_id: int, overlap: int = 1
) -> Progress:
    """Whole-project counts: one pass over the annotations; run it off the UI thread."""
    p = {"p": project_id, "me": annotator_id, "overlap": overlap}
    one_snapshot(session)
    mark = event_mark(session)  # on SQLite the read snapshot starts here
    # Check units are not ordinary work: my answers to them count as done, but they are
    # never "left" (the queue hands them out on top).
    total = session.execute(
        text(
            "SELECT count(*) FROM unit WHERE project_id = :p "
            "AND id NOT IN (SELECT unit_id FROM checkitem WHERE project_id = :p)"
        ),
        p,
    ).scalar_one()
    dialect = "sqlite" if session.get_bind().dialect.name == "sqlite" else "other"
    mine = dict(session.execute(_MINE_BY_STATUS[dialect], p).all())
    one = dialect == "sqlite" and overlap == 1
    closed_sql = _CLOSED_SQLITE_1 if one else _CLOSED[dialect]
    closed = session.execute(closed_sql, p).scalar_one()
    ordinary = total - closed
    return Progress(
        done=mine.get(DONE, 0),
        left=ordinary + mine.get(SKIPPED, 0) + _checks_ahead(session, p, ordinary),
        total=total,
        mark=mark,
    )


def _checks_ahead(session: Session, params: dict[str, int], ordinary: int) -> int:
    """How many check units my queue will likely hand out with the `ordinary` units still
    to do: counted in "left" as every unit I am given is (so a check does not show itself
    by leaving the count alone)."""
    mine = checks.my_checks(session, project_id=params["p"], annotator_id=params["me"])
    if mine.rate <= 0.0 or not ordinary:
        return 0
    return min(len(mine.unseen), round(ordinary * mine.rate / (1.0 - mine.rate)))
