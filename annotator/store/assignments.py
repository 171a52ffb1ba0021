"""Documents the lead gives to named annotators, and takes back into the shared pool.

A document with assignments goes only to the people it is assigned to; one without is in the
shared pool everyone draws from (the queue applies that rule; this module only records it).

Each change is a fixed handful of set-based statements whatever the size of the selection:
the selection is a subquery, the plan (which document goes to whom) a query over it, the
write one ``INSERT ... SELECT`` or ``DELETE ... WHERE IN``, and the summary grouped counts.
Every figure is computed before the write, from the plan, so a dry run reports exactly what
the real run does and then simply does not write.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import (
    ColumnElement,
    Insert,
    Select,
    Subquery,
    case,
    delete,
    exists,
    false,
    func,
    insert,
    literal,
    literal_column,
    select,
    true,
    union_all,
)
from sqlmodel import Session

from annotator.store.engine import StoreError
from annotator.store.models import Annotator, Assignment, Document, Unit, utcnow
from annotator.store.positions import forget_floors
from annotator.store.selection import (
    DocumentBrief,
    Selection,
    sample_documents,
    selected_documents,
    units_of,
)

_DOC = Document.__table__  # type: ignore[attr-defined]
_UNIT = Unit.__table__  # type: ignore[attr-defined]
_ASG = Assignment.__table__  # type: ignore[attr-defined]
_WHO = Annotator.__table__  # type: ignore[attr-defined]


@dataclass
class Change:
    """What one annotator gains (or gives back), and holds once the change is made."""

    name: str
    documents: int = 0
    units: int = 0
    total_documents: int = 0
    total_units: int = 0


@dataclass
class AssignResult:
    selected: int = 0  # documents the selection matched
    documents: int = 0  # of those, the documents whose assignments change
    units: int = 0  # and their units
    changes: list[Change] = field(default_factory=list)  # per annotator
    short: int = 0  # selected documents left with some assignees, but fewer than the overlap
    pool_documents: int = 0  # the shared pool once the change is made
    pool_units: int = 0
    sample: list[DocumentBrief] = field(default_factory=list)  # the first selected documents
    dry_run: bool = False


# --- who ---------------------------------------------------------------------------------


def find_annotators(session: Session, *, names: Sequence[str]) -> list[tuple[int, str]]:
    """(id, name) for each name, in the order given; each must be an annotator already."""
    wanted = list(dict.fromkeys(n.strip() for n in names if n.strip()))
    if not wanted:
        raise StoreError("no annotator named: give one or more with --to NAME")
    found = dict(
        session.execute(select(_WHO.c.name, _WHO.c.id).where(_WHO.c.name.in_(wanted))).all()
    )
    missing = [n for n in wanted if n not in found]
    if missing:
        if len(missing) == 1:
            add = f"annotator annotators add {shlex.quote(missing[0])}"
            raise StoreError(f"no annotator named {missing[0]!r}: add them first with `{add}`")
        who = ", ".join(map(repr, missing))
        raise StoreError(
            f"no annotators named {who}: add each with `annotator annotators add NAME`"
        )
    return [(found[n], n) for n in wanted]


def _int(value: int) -> ColumnElement[int]:
    # Our own integers, inlined: PostgreSQL cannot infer the type of a bare parameter in
    # CASE ... THEN or in arithmetic on both sides.
    return literal_column(str(int(value)))


def _plan(docs: Subquery, annotator_ids: Sequence[int], per_document: int) -> Subquery:
    """(document_id, annotator_id) rows: each document goes to `per_document` annotators.

    Round-robin in document order: the r-th document (from 0) goes to the annotators in
    slots r*k .. r*k+k-1 (mod n). With k=1: alice, bob, alice, bob...; with n=3 and k=2 the
    pairs rotate (ab, ca, bc); everyone gets the same number of documents, give or take one.
    """
    n, k = len(annotator_ids), min(per_document, len(annotator_ids))
    who = _WHO.c
    if k >= n:  # everyone gets every document: no ranking needed
        return (
            select(docs.c.id.label("document_id"), who.id.label("annotator_id"))
            .select_from(docs.join(_WHO, true()))
            .where(who.id.in_(annotator_ids))
            .subquery("plan")
        )
    ranked = select(
        docs.c.id, (func.row_number().over(order_by=docs.c.id) - 1).label("r")
    ).subquery("ranked")
    slot = case({aid: _int(i) for i, aid in enumerate(annotator_ids)}, value=who.id)
    first = (ranked.c.r * _int(k)) % _int(n)
    chosen = (slot + _int(n) - first) % _int(n) < _int(k)
    return (
        select(ranked.c.id.label("document_id"), who.id.label("annotator_id"))
        .select_from(ranked.join(_WHO, true()))
        .where(who.id.in_(annotator_ids), chosen)
        .subquery("plan")
    )


def _absent(rows: Subquery) -> ColumnElement[bool]:
    """The row's (document, annotator) pair is not assigned yet."""
    return ~exists().where(
        _ASG.c.document_id == rows.c.document_id, _ASG.c.annotator_id == rows.c.annotator_id
    )


# --- figures the summaries share ---------------------------------------------------------


@dataclass
class _Documents:
    documents: int  # distinct documents in the rows
    units: int
    pooled_documents: int  # of those, documents for which `pooled` holds
    pooled_units: int


def _documents(
    session: Session, rows: Subquery, pooled: Callable[[ColumnElement[int]], ColumnElement[bool]]
) -> _Documents:
    """The distinct documents of (document_id, annotator_id) `rows` and their units, and how
    many of them enter or leave the pool (`pooled`: a condition on a document id).

    One pass: each document is counted once in a grouped inner query (which neither store
    folds into the outer aggregate), so its units are counted once too.
    """
    ids = select(rows.c.document_id.label("id")).group_by(rows.c.document_id).subquery("ids")
    flag = case((pooled(ids.c.id), 1), else_=0)
    per_doc = select(ids.c.id, units_of(ids.c.id).label("units"), flag.label("pooled")).subquery(
        "per_doc"
    )
    docs, units, pooled_docs, pooled_units = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(per_doc.c.units), 0),
            func.coalesce(func.sum(per_doc.c.pooled), 0),
            func.coalesce(func.sum(per_doc.c.pooled * per_doc.c.units), 0),
        )
    ).one()
    return _Documents(docs, int(units), int(pooled_docs), int(pooled_units))


def _per_annotator(session: Session, rows: Subquery) -> dict[int, tuple[int, int]]:
    """annotator id -> (documents, units) in (document_id, annotator_id) rows, which are
    distinct pairs (so a row is a document)."""
    query = select(
        rows.c.annotator_id, func.count(), func.sum(units_of(rows.c.document_id))
    ).group_by(rows.c.annotator_id)
    # int(): PostgreSQL sums bigints as numeric (Decimal).
    return {aid: (d, int(u or 0)) for aid, d, u in session.execute(query)}


def _short_of(session: Session, holders: Subquery, overlap: int) -> int:
    """Documents in `holders` (a document_id per assignee) with fewer rows than `overlap`."""
    if overlap <= 1:
        return 0
    short = (
        select(holders.c.document_id)
        .group_by(holders.c.document_id)
        .having(func.count() < overlap)
        .subquery("short")
    )
    return session.execute(select(func.count()).select_from(short)).scalar_one()


def _names(session: Session, ids: Sequence[int]) -> dict[int, str]:
    return dict(session.execute(select(_WHO.c.id, _WHO.c.name).where(_WHO.c.id.in_(ids))).all())


def _new_result(session: Session, project_id: int, docs: Subquery, dry_run: bool) -> AssignResult:
    """The figures before any change: the selection's size, the pool, a dry run's sample."""
    result = AssignResult(dry_run=dry_run)
    result.selected = session.execute(select(func.count()).select_from(docs)).scalar_one()
    result.pool_documents, result.pool_units = pool_size(session, project_id=project_id)
    if dry_run:
        result.sample = sample_documents(session, docs)
    return result


def _insert(session: Session, columns: list[str], rows: Select) -> Insert:
    # Another lead assigning the same documents at the same moment: theirs stands, instead
    # of a unique-constraint error.
    dialect = session.get_bind().dialect.name
    keys = ["document_id", "annotator_id"]
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return (
            pg_insert(_ASG).from_select(columns, rows).on_conflict_do_nothing(index_elements=keys)
        )
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return (
            sqlite_insert(_ASG)
            .from_select(columns, rows)
            .on_conflict_do_nothing(index_elements=keys)
        )
    return insert(_ASG).from_select(columns, rows)


# --- changes -----------------------------------------------------------------------------


def assign_documents(
    session: Session,
    *,
    project_id: int,
    selection: Selection,
    annotator_ids: Sequence[int],
    per_document: int,
    overlap: int = 1,
    dry_run: bool = False,
) -> AssignResult:
    """Give the selected documents to the annotators, each document to `per_document` of
    them (round-robin in document order), and report the change per annotator.

    Giving someone a document they hold already changes nothing. `overlap` (the schema's)
    only feeds ``short``: documents whose assignees cannot give each unit that many labels.
    With `dry_run` nothing is written. The caller owns the transaction.
    """
    if not annotator_ids:
        raise StoreError("nobody to assign to: give one or more annotators with --to NAME")
    if per_document < 1:
        raise StoreError("each document needs at least one annotator")
    docs = selected_documents(project_id, selection).subquery("docs")
    plan = _plan(docs, annotator_ids, per_document)
    new = select(plan.c.document_id, plan.c.annotator_id).where(_absent(plan)).subquery("new")

    result = _new_result(session, project_id, docs, dry_run)
    # Documents nobody holds yet leave the pool.
    figures = _documents(session, new, lambda doc: ~exists().where(_ASG.c.document_id == doc))
    result.documents, result.units = figures.documents, figures.units
    result.pool_documents -= figures.pooled_documents
    result.pool_units -= figures.pooled_units
    gained = _per_annotator(session, new)
    before = assigned_counts(session, project_id=project_id, annotator_ids=annotator_ids)
    holders = union_all(
        select(_ASG.c.document_id).where(_ASG.c.document_id.in_(select(docs.c.id))),
        select(new.c.document_id),
    ).subquery("holders")
    result.short = _short_of(session, holders, overlap)

    names = _names(session, annotator_ids)
    for aid in annotator_ids:
        d, u = gained.get(aid, (0, 0))
        had_d, had_u = before.get(aid, (0, 0))
        result.changes.append(Change(names[aid], d, u, had_d + d, had_u + u))

    if not dry_run:
        # The plan again, inside the INSERT: both stores read the whole SELECT before writing
        # (SQLite through a temporary table, as it reads the table it writes), so `--count`
        # picks the same documents the figures above were computed from.
        stamp = literal(utcnow(), _ASG.c.created_at.type)
        rows = select(
            literal(project_id, _ASG.c.project_id.type),
            plan.c.document_id,
            plan.c.annotator_id,
            stamp,
        ).where(_absent(plan))
        session.execute(
            _insert(session, ["project_id", "document_id", "annotator_id", "created_at"], rows)
        )
        # A remembered queue floor may have passed units that are now someone's own.
        forget_floors(session, project_id=project_id)
    return result


def unassign_documents(
    session: Session,
    *,
    project_id: int,
    selection: Selection,
    annotator_ids: Sequence[int] | None = None,
    overlap: int = 1,
    dry_run: bool = False,
) -> AssignResult:
    """Take the selected documents back from the annotators (from everyone with None).

    A document nobody holds any more is back in the shared pool. With `dry_run` nothing is
    written. The caller owns the transaction.
    """
    docs = selected_documents(project_id, selection).subquery("docs")
    in_selection = _ASG.c.document_id.in_(select(docs.c.id))
    named = _ASG.c.annotator_id.in_(annotator_ids) if annotator_ids is not None else true()
    gone = (
        select(_ASG.c.document_id, _ASG.c.annotator_id)
        .where(_ASG.c.project_id == project_id, in_selection, named)
        .subquery("gone")
    )
    result = _new_result(session, project_id, docs, dry_run)
    # Documents none of whose other assignees stay go back to the pool.
    if annotator_ids is None:
        figures = _documents(session, gone, lambda doc: true())
    else:
        figures = _documents(
            session,
            gone,
            lambda doc: (
                ~exists().where(
                    _ASG.c.document_id == doc, _ASG.c.annotator_id.not_in(annotator_ids)
                )
            ),
        )
    result.documents, result.units = figures.documents, figures.units
    result.pool_documents += figures.pooled_documents
    result.pool_units += figures.pooled_units
    lost = _per_annotator(session, gone)
    who = list(annotator_ids) if annotator_ids is not None else sorted(lost)
    before = assigned_counts(session, project_id=project_id, annotator_ids=who)
    staying = (
        select(_ASG.c.document_id).where(in_selection, ~named)
        if annotator_ids is not None
        else select(_ASG.c.document_id).where(false())
    ).subquery("holders")
    result.short = _short_of(session, staying, overlap)

    names = _names(session, who)
    for aid in sorted(who, key=lambda a: names[a]) if annotator_ids is None else who:
        d, u = lost.get(aid, (0, 0))
        had_d, had_u = before.get(aid, (0, 0))
        result.changes.append(Change(names[aid], d, u, had_d - d, had_u - u))

    if not dry_run:
        session.execute(delete(_ASG).where(_ASG.c.project_id == project_id, in_selection, named))
        # A remembered queue floor may have passed units that are back in the pool now.
        forget_floors(session, project_id=project_id)
    return result


# --- counts ------------------------------------------------------------------------------


def assigned_counts(
    session: Session, *, project_id: int, annotator_ids: Sequence[int] | None = None
) -> dict[int, tuple[int, int]]:
    """annotator id -> (documents, units) assigned to them in the project: one grouped pass
    over the assignments, each counting its document's units on the unit index."""
    held = select(_ASG.c.document_id, _ASG.c.annotator_id).where(_ASG.c.project_id == project_id)
    if annotator_ids is not None:
        held = held.where(_ASG.c.annotator_id.in_(annotator_ids))
    return _per_annotator(session, held.subquery("held"))


def pool_size(session: Session, *, project_id: int) -> tuple[int, int]:
    """Documents nobody is assigned, and their units: the shared pool.

    One pass over the project's documents, probing the assignment index and counting the
    units of the unheld ones on the unit index; a project without assignments (a team that
    only shares the pool) takes the two plain counts instead.
    """
    project = _DOC.c.project_id == project_id
    if session.execute(select(_ASG.c.id).where(_ASG.c.project_id == project_id).limit(1)).first():
        unheld = ~exists().where(_ASG.c.document_id == _DOC.c.id)
        docs, units = session.execute(
            select(func.count(), func.coalesce(func.sum(units_of(_DOC.c.id)), 0)).where(
                project, unheld
            )
        ).one()
        return docs, int(units)
    docs, units = session.execute(
        select(
            select(func.count()).select_from(_DOC).where(project).scalar_subquery(),
            select(func.count())
            .select_from(_UNIT)
            .where(_UNIT.c.project_id == project_id)
            .scalar_subquery(),
        )
    ).one()
    return docs, units
