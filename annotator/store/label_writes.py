"""Bulk store writes for `labels import`, a batch of records at a time.

Units are looked up by id and by text hash with one query per batch, missing units (and
their documents, one per source) are inserted together, and annotations with their audit
events are inserted or updated many rows at a time. Each batch is one transaction. What
lands in the store is what the annotate screen's `save_annotation` would have written for
the same records one by one: the same rows, the same ``create``/``update``/``skip``/
``flag`` events, and nothing for an annotation that is already as the record says.

New rows go in with ids taken beforehand (`LabelDb.new_ids`), so none is read back; the
audit events are made by the database from the annotations just written (one INSERT ...
SELECT per batch), in file order. The SQL runs on the driver's connection (`label_db`).
On PostgreSQL the lookups may run on a second one, so that a batch is planned while the
server still writes the one before (`LabelWriter.ahead`): the server's checks and indexes
are most of an import's time there.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from annotator.schema.values import STATUSES
from annotator.store.hashes import text_hash
from annotator.store.label_db import LabelDb

_, SKIPPED, FLAGGED = STATUSES
SETTLED = 10_000  # rows written past which statistics are not refreshed (keep_statistics)
# The columns each bulk insert writes, in the order of its rows' values.
UNIT_COLUMNS = ("id", "project_id", "document_id", "position", "kind", "text", "text_hash")
ANNOTATION_COLUMNS = (
    "id",
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
ANNOTATOR_COLUMNS = ("id", "name", "role", "created_at")
DOCUMENT_COLUMNS = (
    "id",
    "project_id",
    "source_path",
    "url",
    "title",
    "outlet",
    "published",
    "lang",
    "content_hash",
    "meta",
    "imported_at",
)
_EVENT_FROM_ANNOTATION = """INSERT INTO annotationevent (annotation_id, unit_id, annotator_id,
 schema_version_id, action, "values", status, comment, at, actor, source)
SELECT a.id, a.unit_id, a.annotator_id, a.schema_version_id, {action}, a."values", a.status,
 a.comment, ?, ?, ? FROM {events} JOIN annotation AS a ON a.id = {aid} ORDER BY {order}"""
_UPDATE = (
    'UPDATE annotation SET "values" = ?, status = ?, schema_version_id = ?, updated_at = ? '
    "WHERE id = ?"
)


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


@dataclass(slots=True)
class Checked:
    """A record whose values passed the schema; `unit_id` None means: make the unit."""

    rec: LabelRecord
    values: dict[str, Any]
    unit_id: int | None = None


@dataclass(slots=True)
class _Written:
    """What one batch writes, as its lookups would find it once committed."""

    texts: dict[str, int] = field(default_factory=dict)  # a new unit's text -> its id
    units: dict[int, tuple[str, str | None]] = field(default_factory=dict)  # -> (text, lang)
    # (unit, annotator) -> (annotation id, values as JSON text, status)
    annotations: dict[tuple[Any, int], tuple[int, str, str]] = field(default_factory=dict)

    def made(self, uid: int, text: str, lang: str | None) -> None:
        self.texts[text] = uid
        self.units[uid] = (text, lang)


class LabelWriter:
    """Writes batches of checked records into one project's store."""

    def __init__(
        self,
        db: LabelDb,
        project_id: int,
        version_id: int,
        source: str,
        *,
        actor: str | None = None,
        event_source: str | None = None,
        reads: LabelDb | None = None,
    ) -> None:
        self.db = db
        # Lookups and new ids go to `reads`: on PostgreSQL a second connection, so that a
        # batch is planned while the one before it is written and committed (see `ahead`).
        self.reads = reads or db
        self.ahead = self.reads is not db
        self.project_id = project_id
        self.version_id = version_id
        self.source = source  # the file's name: new documents are keyed by it
        # The audit trail's who and whence: the person who ran the import (not the annotator
        # whose labels it writes) and the file the values came from.
        self.actor = actor
        self.event_source = event_source
        # source key -> (document id, next position, language)
        self.docs: dict[str, tuple[int, int, str | None]] = {}
        self.annotators: dict[str, int] = {}
        self.documents_created = 0
        self.units_created = 0
        self.rows_written = 0  # units and annotations inserted
        self._analyzed_at: int | None = None
        self._made: set[int] = set()  # units made in this batch: no annotation has them yet
        self._later: list[Callable[[], None]] = []  # see last_writes
        self._hashes: dict[str, str] = {}  # text -> hash, of the texts last looked up
        self._planned = _Written()  # what the batch being planned writes
        self._unseen = _Written()  # what the batch before wrote, if `reads` cannot see it yet

    def keep_statistics(self) -> None:
        """Refresh PostgreSQL's table statistics at the start and whenever this import has
        doubled what it wrote, until they describe `SETTLED` of its rows. It plans lookups
        by them, and with the figures of a table that was nearly empty it scans every unit
        of the project for each batch (seconds per batch at 100k units instead of
        milliseconds). Past that it scales the row counts by the table's size as it grows,
        and the shares (how many rows per text hash or unit) hold for the rest of a file;
        each refresh reads up to 30,000 rows a table (refreshed to the end, they were 4% of
        the server's work at 100k records). SQLite needs nothing."""
        if not self.db.postgres:
            return
        done, at = self.rows_written, self._analyzed_at
        if at is not None and (at >= SETTLED or done < max(2_000, 2 * at)):
            return
        for table in ("unit", "document", "annotation"):
            # A role that does not own the table gets a warning, not an error.
            self.db.run(f"ANALYZE {table}")
        self._analyzed_at = done

    # --- finding units -----------------------------------------------------------------

    def units_by_id(self, ids: set[int]) -> dict[int, tuple[str, str | None]]:
        """Unit id -> (text, document language), for the ids in this project."""
        if not ids:
            return {}
        among, listed = self.reads.listed(sorted(ids), "bigint")
        rows = self.reads.rows(
            f"SELECT id, text, document_id FROM unit WHERE project_id = ? AND id{among}",
            (self.project_id, listed),
        )
        langs = self._langs({doc for _, _, doc in rows})
        found = {uid: (text, langs.get(doc)) for uid, text, doc in rows}
        for uid in ids & self._unseen.units.keys():
            found[uid] = self._unseen.units[uid]
        return found

    def units_by_text(self, texts: set[str]) -> dict[str, tuple[int, str | None]]:
        """Exact text -> (first unit id, document language), for texts in this project."""
        if not texts:
            return {}
        # (kept for make_units: the texts not found here are the units it makes)
        self._hashes = {t: text_hash(t) for t in texts}
        among, listed = self.reads.listed(sorted(set(self._hashes.values())), "text")
        # No join with the documents here: with the statistics of a table that was empty
        # a moment ago, PostgreSQL would plan it as a scan per unit. No ORDER BY either:
        # SQLite would then walk the project's units in id order instead of the hash index.
        rows = sorted(
            self.reads.rows(
                f"SELECT id, text, document_id FROM unit WHERE project_id = ? AND text_hash{among}",
                (self.project_id, listed),
            )
        )
        langs = self._langs({doc for _, _, doc in rows})
        found: dict[str, tuple[int, str | None]] = {}
        for uid, text, doc in rows:
            if text in texts and text not in found:
                found[text] = (uid, langs.get(doc))
        unseen = self._unseen
        for text in texts & unseen.texts.keys():
            uid = unseen.texts[text]
            if text not in found or uid < found[text][0]:  # the first unit, as ORDER BY id
                found[text] = (uid, unseen.units[uid][1])
        return found

    def _langs(self, doc_ids: set[int]) -> dict[int, str | None]:
        if not doc_ids:
            return {}
        among, listed = self.reads.listed(sorted(doc_ids), "bigint")
        return dict(self.reads.rows(f"SELECT id, lang FROM document WHERE id{among}", (listed,)))

    # --- making units ------------------------------------------------------------------

    def make_units(self, items: list[Checked]) -> None:
        """Insert a unit for every distinct text among `items` without one; fills unit_id."""
        self._made = set()
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
        made: dict[str, int] = {}
        rows = []
        project, docs, hashes = self.project_id, self.docs, self._hashes
        for uid, (text, rec) in zip(
            self.reads.new_ids("unit", len(first)), first.items(), strict=True
        ):
            key = keys[text]
            doc_id, position, lang = docs[key]
            docs[key] = (doc_id, position + 1, lang)
            digest = hashes.get(text) or text_hash(text)
            rows.append((uid, project, doc_id, position, rec.kind, text, digest))
            made[text] = uid
            if self.ahead:
                self._planned.made(uid, text, lang)
        self._made = set(made.values())
        self.units_created += len(rows)
        self.rows_written += len(rows)
        for item in items:
            if item.unit_id is None:
                item.unit_id = made[item.rec.text]  # type: ignore[index]
        self._insert("unit", UNIT_COLUMNS, rows)

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
        among, listed = self.reads.listed(sorted(hashes), "text")
        found: dict[str, tuple[int, str | None]] = {
            content_hash: (doc_id, lang)
            for content_hash, doc_id, lang in self.reads.rows(
                "SELECT content_hash, id, lang FROM document "
                f"WHERE project_id = ? AND content_hash{among}",
                (self.project_id, listed),
            )
        }
        if found:
            among, listed = self.reads.listed(sorted(doc for doc, _ in found.values()), "bigint")
            last = dict(
                self.reads.rows(
                    "SELECT document_id, max(position) FROM unit "
                    f"WHERE document_id{among} GROUP BY document_id",
                    (listed,),
                )
            )
            for content_hash, (doc_id, lang) in found.items():
                end = last.get(doc_id)
                self.docs[hashes[content_hash]] = (doc_id, 0 if end is None else end + 1, lang)
        new = [(h, key) for h, key in hashes.items() if h not in found]
        if not new:
            return
        now = self.db.stamp(datetime.now(UTC))
        rows = []
        for doc_id, (content_hash, key) in zip(
            self.reads.new_ids("document", len(new)), new, strict=True
        ):
            doc = wanted[key].document
            rows.append(self._document_row(doc_id, doc, key, content_hash, now))
            self.docs[key] = (doc_id, 0, doc.get("lang"))
        self._insert("document", DOCUMENT_COLUMNS, rows)
        self.documents_created += len(new)

    def _document_row(
        self, doc_id: int, doc: dict[str, Any], key: str, content_hash: str, now: Any
    ) -> tuple[Any, ...]:
        published = doc.get("published")
        if isinstance(published, str):
            try:
                published = datetime.fromisoformat(published.replace("Z", "+00:00"))
            except ValueError:
                published = None
        return (
            doc_id,
            self.project_id,
            self.source,
            doc.get("url"),
            str(doc.get("title") or key)[:500],
            doc.get("outlet"),
            self.db.stamp(published if isinstance(published, datetime) else None),
            doc.get("lang"),
            content_hash,
            self.db.json_text({"labels_import": self.source}),
            now,
        )

    # --- annotations -------------------------------------------------------------------

    def annotator_ids(self, names: Iterable[str]) -> None:
        """Find or make the annotators named (one query to find them) into
        `self.annotators`; new ones in the order named, written with the batch."""
        asked = [name for name in names if name not in self.annotators]
        wanted = {name.strip(): name for name in asked}  # one stripped name per store row
        if not wanted:
            return
        among, listed = self.reads.listed(sorted(wanted), "text")
        query = f"SELECT name, id FROM annotator WHERE name{among}"
        found = dict(self.reads.rows(query, (listed,)))
        missing = [n for n in wanted if n not in found]
        if missing:
            now = self.db.stamp(datetime.now(UTC))
            rows = []
            for aid, name in zip(
                self.reads.new_ids("annotator", len(missing)), missing, strict=True
            ):
                rows.append((aid, name, "annotator", now))
                found[name] = aid
            self._insert("annotator", ANNOTATOR_COLUMNS, rows)
        for name in asked:  # every spelling asked for ("alice" and "alice ") gets the id
            self.annotators[name] = found[name.strip()]

    def store(self, items: list[Checked], report: ImportReport) -> None:
        """Create or update each annotation the records name, with its audit event.

        Records of one unit and annotator in a batch make one annotation: their values
        merged in file order and the last one's status (a file with a row per task, or a
        record repeated, imports as the annotation it describes; importing it again then
        finds that annotation unchanged).

        The audit events are left to `last_writes` (see there).
        """
        if not items:
            return
        self.annotator_ids(dict.fromkeys(item.rec.annotator for item in items))
        ids = self.annotators
        # (unit, annotator) -> (values, status); every unit_id is known by now (make_units)
        merged: dict[tuple[Any, int], tuple[dict[str, Any], str]] = {}
        for item in items:
            pair: tuple[Any, int] = (item.unit_id, ids[item.rec.annotator])
            before = merged.get(pair)
            values = {**before[0], **item.values} if before is not None else item.values
            merged[pair] = (values, item.rec.status)
        stored = self._annotations({uid for uid, _ in merged} - self._made, merged)
        # (annotation id or None for a new one, unit, annotator, values, status, action)
        plan: list[tuple[int | None, int, int, dict[str, Any], str, str]] = []
        for key, (values, status) in merged.items():
            current = stored.get(key)
            if current is not None and current[1] == values and current[2] == status:
                report.unchanged += 1
                continue
            if current is None:
                report.created += 1
                action = "create"
            else:
                report.updated += 1
                action = "update"
            if status == SKIPPED:
                action = "skip"
            elif status == FLAGGED:
                action = "flag"
            plan.append((None if current is None else current[0], *key, values, status, action))
        self._write(plan)

    def _annotations(
        self, unit_ids: set[int], wanted: Collection[tuple[Any, int]]
    ) -> dict[tuple[Any, int], tuple[int, Any, str]]:
        """(unit, annotator) -> (annotation id, values, status), for the pairs `wanted`."""
        if not unit_ids:
            return {}
        among, listed = self.reads.listed(sorted(unit_ids), "bigint")
        found = {}
        for aid, uid, who, values, status in self.reads.rows(
            'SELECT id, unit_id, annotator_id, "values", status FROM annotation '
            f"WHERE unit_id{among}",
            (listed,),
        ):
            if (uid, who) in wanted:
                # psycopg reads a JSON column as its value; sqlite3 gives the text.
                found[uid, who] = (
                    aid,
                    json.loads(values) if isinstance(values, str) else values,
                    status,
                )
        unseen = self._unseen.annotations  # written by the batch before: as it wrote them
        for pair in unseen.keys() & wanted:
            aid, values, status = unseen[pair]
            found[pair] = (aid, json.loads(values), status)  # (as the column reads back)
        return found

    def _write(self, plan: list[tuple[int | None, int, int, dict[str, Any], str, str]]) -> None:
        if not plan:
            return
        db, version = self.db, self.version_id
        stamp = db.stamp(datetime.now(UTC))
        # Each annotation's values encoded once (records with the same values share one
        # dict: the checker's memory).
        encoded: dict[int, str] = {}

        def text_of(values: dict[str, Any]) -> str:
            found = encoded.get(id(values))
            if found is None:
                found = encoded[id(values)] = db.json_text(values)
            return found

        new_ids = iter(self.reads.new_ids("annotation", sum(1 for row in plan if row[0] is None)))
        check_units: frozenset[int] | None = None
        rows, changed, events = [], [], []
        # (kept only for a next batch planned before this one is written: `ahead`)
        planned = self._planned.annotations if self.ahead else None
        for aid, uid, who, values, status, action in plan:
            text = text_of(values)
            if aid is None:
                if check_units is None:
                    # A new label on a check unit is a check answer, as on screen (store.checks).
                    check_units = self._check_units()
                aid = next(new_ids)
                check = uid in check_units
                rows.append((aid, uid, who, version, text, status, None, stamp, stamp, check))
            else:
                changed.append((text, status, version, stamp, aid))
            events.append((aid, action))
            if planned is not None:
                planned[uid, who] = (aid, text, status)
        self._insert("annotation", ANNOTATION_COLUMNS, rows)
        self.rows_written += len(rows)
        if changed:
            self._now_or_later(lambda: db.many(_UPDATE, changed))
        self._later.append(lambda: self._events(events, stamp))

    def _insert(self, table: str, names: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        """Rows in now on SQLite (executemany: a thread that steps row by row waits for
        Python's lock after every row); on PostgreSQL the COPY is one of the last writes
        (the server checks and indexes the rows while the next batch is read)."""
        if rows:
            self._now_or_later(self.db.insertion(table, names, rows))

    def _now_or_later(self, write: Callable[[], None]) -> None:
        if self.db.postgres:
            self._later.append(write)
        else:
            write()

    def last_writes(self) -> Callable[[], None]:
        """The batch's writes left to run before it commits (the audit events, made by the
        database from the annotations just written, one statement; on PostgreSQL the new
        rows too), in order: on this thread, or on another while the next batch is read,
        for the database does their work with Python's lock released."""
        later, self._later = self._later, []
        # The next batch is planned while these run: what it looks up, it finds here.
        written, self._planned = self._planned, _Written()
        self._unseen = written if self.ahead else _Written()

        def run() -> None:
            for write in later:
                write()

        return run

    def _events(self, events: list[tuple[int, str]], stamp: Any) -> None:
        """The audit event of each annotation just written, in order: made by the database
        from the annotation's row, so its values and status are the stored ones."""
        if self.db.postgres:
            sql = _EVENT_FROM_ANNOTATION.format(
                action="e.action",
                events="unnest(?::bigint[], ?::text[]) WITH ORDINALITY AS e(aid, action, n)",
                aid="e.aid",
                order="e.n",
            )
            params: tuple[Any, ...] = ([a for a, _ in events], [act for _, act in events])
        else:
            sql = _EVENT_FROM_ANNOTATION.format(
                # json_extract, not ->>: that operator needs SQLite 3.38 (Ubuntu 22.04 has 3.37)
                action="json_extract(e.value, '$[1]')",
                events="json_each(?) AS e",
                aid="json_extract(e.value, '$[0]')",
                order="e.key",
            )
            params = (json.dumps(events),)
        self.db.run(sql, (stamp, self.actor, self.event_source, *params))

    def _check_units(self) -> frozenset[int]:
        rows = self.reads.rows(
            "SELECT unit_id FROM checkitem WHERE project_id = ?", (self.project_id,)
        )
        return frozenset(row[0] for row in rows)
