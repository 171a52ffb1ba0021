"""Bulk store writes for `labels import`, a batch of records at a time.

Units are looked up by id and by text hash with one query per batch, missing units (and
their documents, one per source) are inserted together, and annotations with their audit
events are inserted or updated many rows at a time. Each batch is one transaction. What
lands in the store is what the annotate screen's `save_annotation` would have written for
the same records one by one: the same rows, the same ``create``/``update``/``skip``/
``flag`` events, and nothing for an annotation that is already as the record says.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy import text as sql
from sqlmodel import Session

from annotator.store import checks
from annotator.store.annotations import FLAGGED, SKIPPED
from annotator.store.bulk import among, db_value, insert_rows
from annotator.store.hashes import text_hash
from annotator.store.models import (
    Annotation,
    AnnotationEvent,
    Annotator,
    Document,
    Unit,
    utcnow,
)

# Core tables: bulk inserts through them skip the ORM's per-row bookkeeping.
UNIT: Table = Unit.__table__  # type: ignore[attr-defined]
DOCUMENT: Table = Document.__table__  # type: ignore[attr-defined]
ANNOTATION: Table = Annotation.__table__  # type: ignore[attr-defined]
EVENT: Table = AnnotationEvent.__table__  # type: ignore[attr-defined]
U, D, A = UNIT.c, DOCUMENT.c, ANNOTATION.c
# The columns each bulk insert writes, in the order of its rows' values.
UNIT_COLUMNS = ("project_id", "document_id", "position", "kind", "text", "text_hash")
ANNOTATION_COLUMNS = (
    "unit_id",
    "annotator_id",
    "schema_version_id",
    "values",
    "status",
    "comment",
    "created_at",
    "updated_at",
    "is_check",
)
EVENT_COLUMNS = (
    "annotation_id",
    "unit_id",
    "annotator_id",
    "schema_version_id",
    "action",
    "values",
    "status",
    "comment",
    "at",
    "actor",
    "source",
)
STORED_ANNOTATION = frozenset({"values", "created_at", "updated_at"})
STORED_EVENT = frozenset({"values", "at"})


class LabelRecord(Protocol):
    """What the writer reads of a record (`labels.model.LabelRecord` is one): the store layer
    sits below `labels` and takes it by shape."""

    annotator: str
    status: str
    text: str | None
    document: dict[str, Any]
    kind: str


class ImportReport(Protocol):
    """The counts the writer keeps (`labels.model.ImportReport` is one)."""

    created: int
    updated: int
    unchanged: int


@dataclass
class Checked:
    """A record whose values passed the schema; `unit_id` None means: make the unit."""

    rec: LabelRecord
    values: dict[str, Any]
    unit_id: int | None = None


class LabelWriter:
    """Writes batches of checked records into one project's store."""

    def __init__(
        self,
        session: Session,
        project_id: int,
        version_id: int,
        source: str,
        *,
        actor: str | None = None,
        event_source: str | None = None,
    ) -> None:
        self.session = session
        self.project_id = project_id
        self.version_id = version_id
        self.source = source  # the file's name: new documents are keyed by it
        # The audit trail's who and whence: the person who ran the import (not the annotator
        # whose labels it writes) and the file the values came from.
        self.actor = actor
        self.event_source = event_source
        self.docs: dict[str, tuple[int, int]] = {}  # source key -> (document id, next position)
        self.annotators: dict[str, int] = {}
        self.documents_created = 0
        self.units_created = 0
        self.rows_written = 0  # units and annotations inserted
        self._analyzed_at: int | None = None

    def keep_statistics(self) -> None:
        """Refresh PostgreSQL's table statistics at the start and whenever this import has
        doubled what it wrote. It plans lookups by them, and with the figures of a table
        that was nearly empty it scans every unit of the project for each batch (seconds
        per batch at 100k units instead of milliseconds). SQLite needs nothing."""
        if self.session.get_bind().dialect.name != "postgresql":
            return
        done = self.rows_written
        if self._analyzed_at is not None and done < max(2_000, 2 * self._analyzed_at):
            return
        for table in ("unit", "document", "annotation"):
            # A role that does not own the table gets a warning, not an error.
            self.session.execute(sql(f"ANALYZE {table}"))
        self._analyzed_at = done

    # --- finding units -----------------------------------------------------------------

    def units_by_id(self, ids: set[int]) -> dict[int, tuple[str, str | None]]:
        """Unit id -> (text, document language), for the ids in this project."""
        if not ids:
            return {}
        rows = self.session.execute(
            select(U.id, U.text, U.document_id).where(
                U.project_id == self.project_id, among(self.session, U.id, sorted(ids))
            )
        ).all()
        langs = self._langs({doc for _, _, doc in rows})
        return {uid: (text, langs.get(doc)) for uid, text, doc in rows}

    def units_by_text(self, texts: set[str]) -> dict[str, tuple[int, str | None]]:
        """Exact text -> (first unit id, document language), for texts in this project."""
        if not texts:
            return {}
        hashes = sorted({text_hash(t) for t in texts})
        # No join with the documents here: with the statistics of a table that was empty
        # a moment ago, PostgreSQL would plan it as a scan per unit. No ORDER BY either:
        # SQLite would then walk the project's units in id order instead of the hash index.
        rows = sorted(
            self.session.execute(
                select(U.id, U.text, U.document_id).where(
                    U.project_id == self.project_id, among(self.session, U.text_hash, hashes)
                )
            ).all(),
            key=_first,
        )
        langs = self._langs({doc for _, _, doc in rows})
        found: dict[str, tuple[int, str | None]] = {}
        for uid, text, doc in rows:
            if text in texts and text not in found:
                found[text] = (uid, langs.get(doc))
        return found

    def _new_unit_ids(self, hashes: list[str], texts: Collection[str]) -> dict[str, int]:
        """Exact text -> id of the units just made for `texts` (no other unit of the project
        had one of these texts: `units_by_text` found none)."""
        rows = self.session.execute(
            select(U.id, U.text).where(
                U.project_id == self.project_id, among(self.session, U.text_hash, hashes)
            )
        ).all()
        return {text: uid for uid, text in rows if text in texts}

    def _langs(self, doc_ids: set[int]) -> dict[int, str | None]:
        if not doc_ids:
            return {}
        rows = self.session.execute(select(D.id, D.lang).where(D.id.in_(sorted(doc_ids))))
        return dict(rows.all())  # type: ignore[arg-type]

    # --- making units ------------------------------------------------------------------

    def make_units(self, items: list[Checked]) -> None:
        """Insert a unit for every distinct text among `items` without one; fills unit_id."""
        first: dict[str, LabelRecord] = {}  # text -> the record that makes its unit
        for item in items:
            if item.unit_id is None and item.rec.text not in first:
                first[item.rec.text] = item.rec  # type: ignore[index]
        if not first:
            return
        keys = {text: self._key(rec) for text, rec in first.items()}
        by_key: dict[str, LabelRecord] = {}  # the first record of a source names its document
        for text, key in keys.items():
            by_key.setdefault(key, first[text])
        self._documents(by_key)
        rows = []
        for text, rec in first.items():
            doc_id, position = self.docs[keys[text]]
            self.docs[keys[text]] = (doc_id, position + 1)
            rows.append((self.project_id, doc_id, position, rec.kind, text, text_hash(text)))
        self._insert(UNIT, UNIT_COLUMNS, rows)
        made = self._new_unit_ids([row[5] for row in rows], first)
        self.units_created += len(rows)
        self.rows_written += len(rows)
        for item in items:
            if item.unit_id is None:
                item.unit_id = made[item.rec.text]  # type: ignore[index]

    def _key(self, rec: LabelRecord) -> str:
        """The source a new unit's document stands for: its URL, else title, else the file."""
        return rec.document.get("url") or rec.document.get("title") or self.source

    def _documents(self, wanted: dict[str, LabelRecord]) -> None:
        """Find or make the documents for source keys not seen yet (one query each way)."""
        wanted = {k: rec for k, rec in wanted.items() if k not in self.docs}
        if not wanted:
            return
        hashes = {
            hashlib.sha256(f"labels-import\x00{key}".encode()).hexdigest(): key for key in wanted
        }
        found = self._documents_by_hash(list(hashes))
        if found:
            last = dict(
                self.session.execute(
                    select(U.document_id, func.max(U.position))
                    .where(U.document_id.in_(sorted(found.values())))
                    .group_by(U.document_id)
                ).all()
            )
            for content_hash, doc_id in found.items():
                end = last.get(doc_id)
                self.docs[hashes[content_hash]] = (doc_id, 0 if end is None else end + 1)
        new = [(h, key) for h, key in hashes.items() if h not in found]
        if not new:
            return
        rows = [_document_row(wanted[key].document, key, h, self) for h, key in new]
        self._insert(DOCUMENT, list(rows[0]), [tuple(row.values()) for row in rows])
        for content_hash, doc_id in self._documents_by_hash([h for h, _ in new]).items():
            self.docs[hashes[content_hash]] = (doc_id, 0)
        self.documents_created += len(new)

    def _documents_by_hash(self, hashes: list[str]) -> dict[str, int]:
        rows = self.session.execute(
            select(D.content_hash, D.id).where(
                D.project_id == self.project_id,
                D.content_hash.in_(sorted(hashes)),
            )
        )
        return dict(rows.all())  # type: ignore[arg-type]

    # --- annotations -------------------------------------------------------------------

    def annotator_ids(self, names: set[str]) -> None:
        """Find or make the annotators named (one query each way) into `self.annotators`."""
        asked = [name for name in names if name not in self.annotators]
        wanted = {name.strip(): name for name in asked}  # one stripped name per store row
        if not wanted:
            return
        table: Table = Annotator.__table__  # type: ignore[attr-defined]
        query = select(table.c.name, table.c.id).where(table.c.name.in_(sorted(wanted)))
        found = dict(self.session.execute(query).all())
        missing = [n for n in wanted if n not in found]
        if missing:
            now = utcnow()
            rows = [{"name": n, "role": "annotator", "created_at": now} for n in missing]
            self.session.execute(insert(table), rows)
            found = dict(self.session.execute(query).all())
        for name in asked:  # every spelling asked for ("alice" and "alice ") gets the id
            self.annotators[name] = found[name.strip()]

    def store(self, items: list[Checked], report: ImportReport) -> None:
        """Create or update each annotation the records name, with its audit event.

        Records of one unit and annotator in a batch make one annotation: their values
        merged in file order and the last one's status (a file with a row per task, or a
        record repeated, imports as the annotation it describes; importing it again then
        finds that annotation unchanged).
        """
        if not items:
            return
        self.annotator_ids({item.rec.annotator for item in items})
        merged: dict[tuple, tuple[dict[str, Any], str]] = {}
        for item in items:
            key = (item.unit_id, self.annotators[item.rec.annotator])
            before = merged.get(key)
            values = {**before[0], **item.values} if before is not None else item.values
            merged[key] = (values, item.rec.status)
        # (unit, annotator) -> [annotation id or None, values, status, comment, changed]
        state: dict[tuple, list[Any]] = {}
        for aid, uid, who, values, status, comment in self.session.execute(
            select(
                A.id,
                A.unit_id,
                A.annotator_id,
                A["values"],  # (A.values is the collection's method)
                A.status,
                A.comment,
            ).where(among(self.session, A.unit_id, sorted({k[0] for k in merged})))
        ).all():
            if (uid, who) in merged:
                state[uid, who] = [aid, values, status, comment, False]
        events: list[tuple[tuple, str, str, str | None]] = []
        for key, (values, status) in merged.items():
            current = state.get(key)
            if current is not None and current[1] == values and current[2] == status:
                report.unchanged += 1
                continue
            if current is None:
                state[key] = current = [None, values, status, None, True]
                report.created += 1
                action = "create"
            else:
                current[1:5] = [values, status, current[3], True]
                report.updated += 1
                action = "update"
            if status == SKIPPED:
                action = "skip"
            elif status == FLAGGED:
                action = "flag"
            events.append((key, action, status, current[3]))
        self._write(state, events)

    def _insert(
        self,
        table: Table,
        names: tuple[str, ...] | list[str],
        rows: list[tuple[Any, ...]],
        *,
        stored: frozenset[str] = frozenset(),
    ) -> None:
        insert_rows(self.session, table, names, rows, stored=stored)

    def _write(self, state: dict[tuple, list[Any]], events: list) -> None:
        now = utcnow()
        stamp = db_value(self.session, A.created_at, now)
        new = [key for key, s in state.items() if s[0] is None]
        # Each annotation's values encoded once, for its row and its audit event (records
        # with the same values share one dict: the checker's memory).
        encoded: dict[int, Any] = {}

        def stored(values: dict[str, Any]) -> Any:
            found = encoded.get(id(values))
            if found is None:
                found = encoded[id(values)] = db_value(self.session, A["values"], values)
            return found

        version = self.version_id
        if new:
            # A new label on a check unit is a check answer, as on screen (store.checks).
            check_units = checks.unit_ids(self.session, self.project_id)
            # No RETURNING (SQLite would then insert row by row): one query for the new ids.
            rows = []
            for uid, who in new:
                _, values, status, _, _ = state[uid, who]
                check = uid in check_units
                rows.append((uid, who, version, stored(values), status, None, stamp, stamp, check))
            self._insert(ANNOTATION, ANNOTATION_COLUMNS, rows, stored=STORED_ANNOTATION)
            self.rows_written += len(new)
            fresh = set(new)
            for aid, uid, who in self.session.execute(
                select(A.id, A.unit_id, A.annotator_id).where(
                    among(self.session, A.unit_id, sorted({uid for uid, _ in new}))
                )
            ).all():
                if (uid, who) in fresh:
                    current = state[uid, who]
                    current[0] = aid
                    current[4] = False
        changed = [s for s in state.values() if s[4]]
        if changed:
            self.session.execute(
                update(Annotation),
                [
                    {
                        "id": aid,
                        "values": values,
                        "status": status,
                        "schema_version_id": version,
                        "updated_at": now,
                    }
                    for aid, values, status, _, _ in changed
                ],
            )
        if events:
            actor, source = self.actor, self.event_source
            self._insert(
                EVENT,
                EVENT_COLUMNS,
                [
                    (
                        state[key][0],
                        key[0],
                        key[1],
                        version,
                        action,
                        stored(state[key][1]),
                        status,
                        comment,
                        stamp,
                        actor,
                        source,
                    )
                    for key, action, status, comment in events
                ],
                stored=STORED_EVENT,
            )


def _first(row: tuple) -> Any:
    return row[0]


def _document_row(doc: dict[str, Any], key: str, content_hash: str, w: LabelWriter) -> dict:
    published = doc.get("published")
    if isinstance(published, str):
        try:
            published = datetime.fromisoformat(published.replace("Z", "+00:00"))
        except ValueError:
            published = None
    return {
        "project_id": w.project_id,
        "source_path": w.source,
        "url": doc.get("url"),
        "title": str(doc.get("title") or key)[:500],
        "outlet": doc.get("outlet"),
        "published": published if isinstance(published, datetime) else None,
        "lang": doc.get("lang"),
        "content_hash": content_hash,
        "meta": {"labels_import": w.source},
        "imported_at": utcnow(),  # given, so the rows go by COPY on PostgreSQL
    }
