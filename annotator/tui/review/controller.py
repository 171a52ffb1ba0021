"""What the review screen asks of the store, free of Textual (as `tui.controller.Annotating`
is for the annotate screen): the queue, one item's opinions and decisions, deciding and
clearing. An item is a unit, or a document whose document tasks are settled after its
sentences; the screen treats both alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from annotator.analysis.aggregate import Gold
from annotator.store.adjudications import (
    Decision,
    Opinion,
    QueueItem,
    annotator_ids,
    clear_adjudication,
    decisions,
    find_documents,
    opinions,
    review_queue,
    save_adjudication,
)
from annotator.store.document_annotations import document_labels, first_unit_of
from annotator.store.engine import StoreError, session_scope
from annotator.store.labels_query import fetch_labels
from annotator.store.units import load_unit
from annotator.store.views import UnitView
from annotator.tui.launch import StoreContext
from annotator.tui.review.model import Filters, dawid_skene_golds


@dataclass
class Shown:
    """The item on screen: what the store said when it was drawn."""

    view: UnitView  # the unit; for a document item, the article from its first unit
    opinions: list[Opinion]
    decided: dict[str, Decision]


class Reviewing:
    """One lead's review of one project."""

    def __init__(self, context: StoreContext, lead_id: int) -> None:
        self.ctx = context
        self.schema = context.schema
        self.lead_id = lead_id

    def queue(self, filters: Filters) -> list[QueueItem]:
        with session_scope(self.ctx.engine) as s:
            docs = None
            if filters.document:
                docs = find_documents(s, self.ctx.project_id, filters.document)
                if not docs:
                    raise StoreError(f"doc:{filters.document}: no document with that id or title")
            who = annotator_ids(s, filters.who) if filters.who else None
            return review_queue(
                s,
                self.ctx.project_id,
                [t.name for t in self.schema.tasks],
                show=filters.show,
                task=filters.task,
                documents=docs,
                annotators=who,
                document_tasks=[t.name for t in self.schema.document_tasks],
            )

    def load(self, item: QueueItem, *, before: int, after: int) -> Shown:
        with session_scope(self.ctx.engine) as s:
            if item.unit_id is not None:
                view = load_unit(s, item.unit_id, before=before, after=after)
            else:
                assert item.document_id is not None
                first = first_unit_of(s, item.document_id)
                if first is None:
                    raise StoreError(f"document {item.document_id} has no sentences")
                view = load_unit(s, first, before=0, after=before + after)
            return Shown(view, opinions(s, **item.about), decisions(s, **item.about))

    def decide(
        self, item: QueueItem, task: str, value: Any
    ) -> tuple[str | None, dict[str, Decision]]:
        """Commit the decision; (set | change | None when unchanged, the item's decisions)."""
        with session_scope(self.ctx.engine) as s:
            action = save_adjudication(
                s,
                task=task,
                value=value,
                lead_id=self.lead_id,
                schema_version_id=self.ctx.schema_version_id,
                **item.about,
            )
            return action, decisions(s, **item.about)

    def clear(self, item: QueueItem, task: str) -> tuple[bool, dict[str, Decision]]:
        with session_scope(self.ctx.engine) as s:
            cleared = clear_adjudication(s, task=task, lead_id=self.lead_id, **item.about)
            return cleared, decisions(s, **item.about)

    def dawid_skene(self) -> dict[str, dict[int, Gold]]:
        """task -> unit (or document, for a document task) -> Dawid-Skene gold, from the
        annotators alone (slow: run it off the UI). Task names are unique across scopes."""
        with session_scope(self.ctx.engine) as s:
            units = fetch_labels(s, self.ctx.project_id)
            documents = (
                document_labels(s, self.ctx.project_id) if self.schema.document_tasks else None
            )
        units.adjudications = {}
        golds = dawid_skene_golds(self.schema, units)
        if documents is not None:
            documents.adjudications = {}
            golds.update(dawid_skene_golds(self.schema.per_document(), documents))
        return golds
