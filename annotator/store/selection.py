"""Which documents of a project a command acts on: ids, a title glob, outlets, a publication
date range, the first N nobody holds. Each selection is a statement to use as a subquery, so
choosing 100k documents costs one query plan, never a list of ids in Python."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, Subquery, between, exists, func, or_, select
from sqlmodel import Session

from annotator.store.models import Assignment, Document, Unit

_DOC = Document.__table__  # type: ignore[attr-defined]
_UNIT = Unit.__table__  # type: ignore[attr-defined]
_ASG = Assignment.__table__  # type: ignore[attr-defined]
SAMPLE_SIZE = 10  # documents a dry run lists


@dataclass(frozen=True)
class Selection:
    """Which documents of a project: every criterion given must hold."""

    id_ranges: tuple[tuple[int, int], ...] = ()  # inclusive (first, last); (7, 7) is one id
    title_glob: str | None = None  # `*` and `?`, case-insensitive
    outlets: tuple[str, ...] = ()  # any of these, case-insensitive
    published_from: datetime | None = None  # on or after
    published_before: datetime | None = None  # strictly before
    count: int | None = None  # the first N matching documents nobody holds, in document order
    everything: bool = False  # no criterion needed: every document of the project

    def is_empty(self) -> bool:
        return not (
            self.id_ranges
            or self.title_glob
            or self.outlets
            or self.published_from
            or self.published_before
            or self.count is not None
            or self.everything
        )


@dataclass(frozen=True)
class DocumentBrief:
    id: int
    title: str
    outlet: str | None
    published: datetime | None
    units: int


def units_of(document_id: ColumnElement[int]) -> ColumnElement[int]:
    """The document's unit count: a range count on the (document_id, position) index."""
    return select(func.count()).where(_UNIT.c.document_id == document_id).scalar_subquery()


# --- the selection -----------------------------------------------------------------------


def glob_to_like(glob: str) -> str:
    """`*` and `?` become LIKE's `%` and `_`; LIKE's own wildcards are escaped with `\\`."""
    out = []
    for ch in glob:
        if ch in "\\%_":
            out.append("\\" + ch)
        else:
            out.append({"*": "%", "?": "_"}.get(ch, ch))
    return "".join(out)


def criteria(project_id: int, sel: Selection) -> list[ColumnElement[bool]]:
    d = _DOC.c
    conds: list[ColumnElement[bool]] = [d.project_id == project_id]
    if sel.id_ranges:
        # Ranges stay ranges (BETWEEN), so `--doc 1-100000` is not a list of 100k parameters.
        conds.append(or_(*(between(d.id, lo, hi) for lo, hi in sel.id_ranges)))
    if sel.title_glob:
        # ILIKE on PostgreSQL, lower() LIKE lower() on SQLite: the same matches on both.
        conds.append(d.title.ilike(glob_to_like(sel.title_glob), escape="\\"))
    if sel.outlets:
        conds.append(func.lower(d.outlet).in_([o.lower() for o in sel.outlets]))
    if sel.published_from is not None:
        conds.append(d.published >= sel.published_from)
    if sel.published_before is not None:
        conds.append(d.published < sel.published_before)
    return conds


def selected_documents(project_id: int, sel: Selection) -> Select:
    """The ids of the selected documents, as a statement to use as a subquery."""
    query = select(_DOC.c.id).where(*criteria(project_id, sel))
    if sel.count is not None:
        unheld = ~exists().where(_ASG.c.document_id == _DOC.c.id)
        query = query.where(unheld).order_by(_DOC.c.id).limit(sel.count)
    return query


def missing_document_ids(session: Session, *, project_id: int, ids: Sequence[int]) -> list[int]:
    """The ids among `ids` that are not documents of the project."""
    if not ids:
        return []
    there = set(
        session.execute(
            select(_DOC.c.id).where(_DOC.c.project_id == project_id, _DOC.c.id.in_(ids))
        ).scalars()
    )
    return sorted(set(ids) - there)


def known_outlets(session: Session, *, project_id: int, limit: int = 8) -> list[str]:
    """The project's most common outlets (to suggest when an --outlet matches nothing)."""
    rows = session.execute(
        select(_DOC.c.outlet)
        .where(_DOC.c.project_id == project_id, _DOC.c.outlet.is_not(None))
        .group_by(_DOC.c.outlet)
        .order_by(func.count().desc(), _DOC.c.outlet)
        .limit(limit)
    ).scalars()
    return list(rows)


def sample_documents(session: Session, docs: Subquery) -> list[DocumentBrief]:
    """The first selected documents, with their unit counts (what a dry run lists)."""
    d = _DOC.c
    rows = session.execute(
        select(d.id, d.title, d.outlet, d.published, units_of(d.id))
        .where(d.id.in_(select(docs.c.id)))
        .order_by(d.id)
        .limit(SAMPLE_SIZE)
    ).all()
    return [DocumentBrief(*row) for row in rows]
