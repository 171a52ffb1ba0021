"""A project for the check-item tests: one single-choice task, documents of sentences, two
annotators and a lead (no tests of its own)."""

from __future__ import annotations

from sqlmodel import Session

from annotator.ingest.model import ParsedDocument, ParsedUnit
from annotator.schema import builtin_schema
from annotator.store.annotators import get_or_create_annotator
from annotator.store.documents import add_documents
from annotator.store.engine import open_store, session_scope
from annotator.store.models import Unit
from annotator.store.projects import create_project
from annotator.tui.launch import StoreContext


def check_store(url: str, *, units: int = 12, per_doc: int = 4) -> StoreContext:
    """`units` sentences (`per_doc` to a document) under the bias_quick schema; alice, bob
    and the lead lina exist. Returns the context the annotate screen would get."""
    engine = open_store(url)
    schema = builtin_schema("bias_quick")
    docs = [
        ParsedDocument(
            title=f"Story {d}",
            units=[
                ParsedUnit("body", f"Sentence {d}-{i} about the budget vote.")
                for i in range(min(per_doc, units - d * per_doc))
            ],
            source_path=f"{d}.md",
            lang="en",
        )
        for d in range((units + per_doc - 1) // per_doc)
    ]
    with Session(engine, expire_on_commit=False) as s:
        proj = create_project(s, "news", schema)
        add_documents(s, proj.id, docs)
        s.commit()
        pid, sv = proj.id, proj.schema_version_id
    with session_scope(engine) as s:
        for name in ("alice", "bob"):
            get_or_create_annotator(s, name)
        get_or_create_annotator(s, "lina", role="lead")
    assert pid is not None and sv is not None
    return StoreContext(engine, pid, "news", schema, sv)


def unit_ids(ctx: StoreContext) -> list[int]:
    with session_scope(ctx.engine) as s:
        rows = s.exec(  # type: ignore[call-overload]
            Unit.__table__.select().where(Unit.project_id == ctx.project_id).order_by(Unit.id)
        )
        return [r.id for r in rows]


def person(ctx: StoreContext, name: str) -> int:
    with session_scope(ctx.engine) as s:
        return get_or_create_annotator(s, name).id
