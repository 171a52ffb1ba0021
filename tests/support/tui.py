"""The annotate screen's test builders: schemas, a small store, an app, what the screen shows."""

from __future__ import annotations

from sqlmodel import select

from annotator.schema.model import Label, Schema, Task
from annotator.store.annotators import get_or_create_annotator
from annotator.store.engine import open_store, session_scope
from annotator.store.models import (
    Annotation,
    Document,
    Project,
    SchemaVersion,
    Unit,
)
from annotator.tui.app import AnnotatorApp
from annotator.tui.config import UserConfig
from annotator.tui.controller import Annotating
from annotator.tui.launch import StoreContext

BIAS = Task(
    name="bias",
    type="single",
    prompt="Is this sentence biased?",
    labels=(Label("biased", "Biased", "1"), Label("non_biased", "Not biased", "2")),
)


BIAS_QUICK = Schema(name="bias_quick", tasks=(BIAS,), context_before=1, context_after=1)


MEDIA_BIAS = Schema(
    name="media_bias",
    tasks=(
        BIAS,
        Task(
            name="opinion",
            type="scale",
            agreement="ordinal",
            labels=(
                Label("entirely_factual", "Factual", "1"),
                Label("somewhat_factual_but_opinionated", "Somewhat", "2"),
                Label("expresses_writers_opinion", "Opinion", "3"),
            ),
        ),
        Task(name="biased_words", type="span", required=False, show_if={"bias": ("biased",)}),
        Task(
            name="bias_type",
            type="multi",
            show_if={"bias": ("biased",)},
            labels=(
                Label("word_choice", "Word choice", "1"),
                Label("epistemological", "Epistemological", "2"),
                Label("informational", "Informational", "3"),
            ),
        ),
        Task(name="note", type="text", required=False),
    ),
    guidelines="# Guidelines\n\nLabel **bias** first.",
)


STANCE = Schema(
    name="stance",
    targets=("China", "USA"),
    tasks=(
        Task(
            name="stance",
            type="stance",
            labels=(
                Label("favor", "Favor", "1"),
                Label("against", "Against", "2"),
                Label("neutral", "Neutral", "3"),
            ),
        ),
    ),
)


TEXTS = [
    "Officials said the plan would cut costs.",
    "Critics slammed the reckless scheme.",
    "The vote is set for Tuesday.",
    "Turnout was high.",
]


def make_store(
    tmp_path, schema: Schema, docs: list[list[str]] | None = None, url: str | None = None
) -> StoreContext:
    """A project with `docs` (default: one document of TEXTS) in a new store (`url`, else a
    SQLite file in `tmp_path`)."""
    engine = open_store(url or f"sqlite:///{tmp_path / 'ui.db'}")
    docs = docs or [TEXTS]
    with session_scope(engine) as s:
        proj = Project(name="news")
        s.add(proj)
        s.flush()
        sv = SchemaVersion(
            project_id=proj.id,
            name=schema.name,
            yaml_text=schema.yaml_text,  # "" for a schema made in Python (no CLI reads it)
            content_hash=schema.content_hash or "h",
        )
        s.add(sv)
        s.flush()
        proj.schema_version_id = sv.id
        for d, texts in enumerate(docs):
            doc = Document(
                project_id=proj.id, title=f"Budget story {d}", outlet="VOA", content_hash=str(d)
            )
            s.add(doc)
            s.flush()
            for pos, body in enumerate(texts):
                s.add(
                    Unit(
                        project_id=proj.id,
                        document_id=doc.id,
                        position=pos,
                        kind="body",
                        text=body,
                        text_hash=f"{d}-{pos}",
                    )
                )
        return StoreContext(engine, proj.id, proj.name, schema, sv.id)


def make_app(ctx: StoreContext, name: str | None = "alice", **kw) -> AnnotatorApp:
    return AnnotatorApp(ctx, annotator=name, config=UserConfig(), remember=False, **kw)


def stored(ctx: StoreContext) -> dict[str, tuple[str, dict]]:
    """unit text -> (status, values) of every annotation in the store."""
    with session_scope(ctx.engine) as s:
        rows = s.exec(select(Annotation, Unit).where(Annotation.unit_id == Unit.id)).all()
        return {u.text: (a.status, a.values) for a, u in rows}


def screen_text(app) -> str:
    from annotator.tui.widgets.unit_view import UnitBox

    return app.screen.query_one(UnitBox).current_text()


def panel(app, name):
    return app.screen.query_one(f"#task-{name}")


def sessions_for(ctx, *names, **kw) -> list[Annotating]:
    out = []
    for name in names:
        with session_scope(ctx.engine) as s:
            who = get_or_create_annotator(s, name).id
        out.append(Annotating(ctx, annotator_id=who, annotator_name=name, **kw))
    return out
