"""Answers to the schema's document tasks in `labels import`: records that name a document
(its ``document_id`` in this project, else its ``url``, else its exact ``title``) and no
sentence, as our own ``NAME.documents.jsonl`` / ``.csv`` exports write them.

Documents are few, so each answer is stored on its own (`save_document_answer`, with its
audit event); an answer equal to the one stored is left alone. A document the project does
not have is a bad record: answers about an article nobody imported mean nothing here.
"""

from __future__ import annotations

from sqlmodel import Session

from annotator.labels.check import check_annotator, check_values
from annotator.labels.model import BadRecord, Columns, ImportReport, LabelRecord
from annotator.schema.model import Schema
from annotator.store.annotators import get_or_create_annotator
from annotator.store.document_annotations import (
    documents_matching,
    my_document_answer,
    save_document_answer,
)


class DocumentAnswers:
    """One import's document answers, stored as they come."""

    def __init__(
        self,
        session: Session,
        project_id: int,
        schema_version_id: int,
        schema: Schema,
        cols: Columns,
        *,
        actor: str | None,
        source: str | None,
    ) -> None:
        self.session, self.project_id, self.version_id = session, project_id, schema_version_id
        self.tasks = schema.per_document()
        self.cols, self.actor, self.source = cols, actor, source
        self.annotators: dict[str, int] = {}

    def add(self, where: str, rec: LabelRecord, report: ImportReport) -> None:
        """Store one record's answers, or add one line to the report's problems."""
        report.records += 1
        try:
            check_annotator(rec.annotator)
            document_id = self._document(rec)
            values = check_values(self.tasks, rec.values, self.cols, None, None)
            if rec.status not in ("done", "skipped"):
                raise BadRecord(f"status {rec.status!r}: an article's answers are done or skipped")
            if not values and rec.status == "done":
                raise BadRecord("no answers to the document tasks")
        except BadRecord as exc:
            report.problems.append(f"{where}: {exc}")
            return
        who = self._annotator(rec.annotator)
        mine = my_document_answer(self.session, document_id, who)
        if mine is not None and (mine.values, mine.status) == (values, rec.status):
            report.unchanged += 1
            return
        save_document_answer(
            self.session,
            document_id=document_id,
            annotator_id=who,
            schema_version_id=self.version_id,
            values=values,
            status=rec.status,
            actor=self.actor,
            source=self.source,
        )
        report.document_answers += 1

    def _document(self, rec: LabelRecord) -> int:
        url, title = rec.document.get("url"), rec.document.get("title")
        found = documents_matching(
            self.session, self.project_id, document_id=rec.document_id, url=url, title=title
        )
        if len(found) == 1:
            return found[0]
        named = (
            f"document {rec.document_id}"
            if rec.document_id
            else f"url {url}"
            if url
            else f"title {title!r}"
        )
        if not found:
            raise BadRecord(f"no {named} in this project: import the article first")
        raise BadRecord(f"{named} matches {len(found)} documents: give its url or document_id")

    def _annotator(self, name: str) -> int:
        if name not in self.annotators:
            person = get_or_create_annotator(self.session, name)
            assert person.id is not None
            self.annotators[name] = person.id
        return self.annotators[name]
