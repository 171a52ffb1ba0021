"""Streaming the store as export rows: one per unit, with its document and annotations.

Units are read in id order in pages; each page's annotations and documents come in one
query each, so memory stays flat and there are no per-unit queries.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from annotator.store.models import (
    Adjudication,
    Annotation,
    Annotator,
    Document,
    SchemaVersion,
    Unit,
)

PAGE = 5_000


def _iso(dt) -> str | None:
    return dt.isoformat().replace("+00:00", "Z") if dt is not None else None


# SQLite fast path: raw rows, no ORM objects or type processing. SQLAlchemy stores datetimes
# there as naive UTC text 'YYYY-MM-DD HH:MM:SS.ffffff' and JSON as text.
_SQLITE_ANNOTATIONS = (
    'SELECT unit_id, annotator_id, "values", status, comment, seconds, schema_version_id, '
    "created_at, updated_at FROM annotation WHERE unit_id BETWEEN ? AND ? ORDER BY unit_id, id"
)


def _sqlite_iso(raw: str | None) -> str | None:
    if raw is None:
        return None
    raw = raw.replace(" ", "T", 1)
    if raw.endswith(".000000"):
        raw = raw[:-7]
    return raw + "Z"


def _annotations(
    session: Session, ids: list[int], annotators: dict, versions: dict
) -> dict[int, list[dict[str, Any]]]:
    by_unit: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if session.get_bind().dialect.name == "sqlite":
        wanted = set(ids)
        loads = json.loads
        raw = session.connection().connection.dbapi_connection
        assert raw is not None
        rows = raw.execute(_SQLITE_ANNOTATIONS, (ids[0], ids[-1])).fetchall()
        for uid, who, values, status, comment, seconds, version, created, updated in rows:
            if uid not in wanted:  # a unit of another project inside the id range
                continue
            by_unit[uid].append(
                {
                    "annotator": annotators.get(who),
                    "values": loads(values) if values else {},
                    "status": status,
                    "comment": comment,
                    "seconds": seconds,
                    "schema_hash": versions.get(version),
                    "created_at": _sqlite_iso(created),
                    "updated_at": _sqlite_iso(updated),
                }
            )
        return by_unit
    for a in session.execute(
        select(Annotation).where(Annotation.unit_id.in_(ids)).order_by(Annotation.id)
    ).scalars():
        by_unit[a.unit_id].append(
            {
                "annotator": annotators.get(a.annotator_id),
                "values": a.values,
                "status": a.status,
                "comment": a.comment,
                "seconds": a.seconds,
                "schema_hash": versions.get(a.schema_version_id),
                "created_at": _iso(a.created_at),
                "updated_at": _iso(a.updated_at),
            }
        )
    return by_unit


def iter_unit_rows(
    engine: Engine,
    project_id: int,
    *,
    include_unannotated: bool = False,
    with_tokens: bool = False,
) -> Iterator[dict[str, Any]]:
    """One dict per unit; `with_tokens` adds the unit's cached word tokens (or None)."""
    with Session(engine) as session:
        annotators = dict(session.execute(select(Annotator.id, Annotator.name)).all())
        versions = dict(
            session.execute(
                select(SchemaVersion.id, SchemaVersion.content_hash).where(
                    SchemaVersion.project_id == project_id
                )
            ).all()
        )
        docs: dict[int, dict[str, Any]] = {}
        last_id = 0
        while True:
            columns = [Unit.id, Unit.document_id, Unit.position, Unit.kind, Unit.text]
            if with_tokens:
                columns.append(Unit.tokens)  # type: ignore[arg-type]
            query = select(*columns).where(Unit.project_id == project_id, Unit.id > last_id)
            if not include_unannotated:
                query = query.where(
                    select(Annotation.id).where(Annotation.unit_id == Unit.id).exists()
                )
            units = session.execute(query.order_by(Unit.id).limit(PAGE)).all()
            if not units:
                return
            last_id = units[-1].id
            ids = [u.id for u in units]
            by_unit = _annotations(session, ids, annotators, versions)
            gold: dict[int, dict[str, Any]] = defaultdict(dict)
            for adj in session.execute(
                select(Adjudication).where(Adjudication.unit_id.in_(ids))
            ).scalars():
                gold[adj.unit_id][adj.task] = adj.value
            missing = {u.document_id for u in units} - docs.keys()
            if missing:
                if len(docs) > 10 * PAGE:  # documents come in order: forget old ones
                    docs.clear()
                for d in session.execute(
                    select(Document).where(Document.id.in_(missing))
                ).scalars():
                    docs[d.id] = {
                        "id": d.id,
                        "title": d.title,
                        "url": d.url,
                        "outlet": d.outlet,
                        "published": _iso(d.published),
                        "lang": d.lang,
                        "source_path": d.source_path,
                    }
            for u in units:
                row: dict[str, Any] = {
                    "unit_id": u.id,
                    "text": u.text,
                    "kind": u.kind,
                    "position": u.position,
                    "document": docs[u.document_id],
                    "annotations": by_unit.get(u.id, []),
                }
                if with_tokens:
                    row["tokens"] = u.tokens
                if u.id in gold:
                    row["gold"] = gold[u.id]
                yield row
            session.expunge_all()
