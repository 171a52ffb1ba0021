"""A store with two documents of disagreeing labels and a lead, for review tests."""

from __future__ import annotations

import io

from rich.console import Console
from textual.widgets import Static

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

TASKS = ["bias", "opinion", "bias_type"]


def make_store(url: str):
    """Two documents, three units each; alice, bob, chen label them; lina is the lead.

    unit 1: bias disagrees (biased/non_biased/biased), opinion agrees
    unit 2: everyone agrees
    unit 3: bias_type as the same set in a different order (agreement), bob flagged it
    unit 4 (doc B): opinion disagrees; only alice and chen
    unit 5, 6: nobody
    """
    engine = open_store(url)
    with session_scope(engine) as s:
        proj = Project(name="news")
        s.add(proj)
        s.flush()
        sv = SchemaVersion(project_id=proj.id, name="media", yaml_text="", content_hash="h")
        s.add(sv)
        s.flush()
        proj.schema_version_id = sv.id
        units = []
        for d, title in enumerate(["Budget talks stall", "Storm hits coast"]):
            doc = Document(
                project_id=proj.id, title=title, content_hash=str(d), source_path=f"{d}.md"
            )
            s.add(doc)
            s.flush()
            for pos in range(3):
                u = Unit(
                    project_id=proj.id,
                    document_id=doc.id,
                    position=pos,
                    kind="body",
                    text=f"doc {d} sentence {pos}",
                    text_hash=f"{d}-{pos}",
                )
                s.add(u)
                s.flush()
                units.append(u.id)
        people = {n: get_or_create_annotator(s, n).id for n in ("alice", "bob", "chen")}
        lead = get_or_create_annotator(s, "lina", "lead").id

        def label(unit, who, values, status="done", comment=None):
            s.add(
                Annotation(
                    unit_id=units[unit],
                    annotator_id=people[who],
                    schema_version_id=sv.id,
                    values=values,
                    status=status,
                    comment=comment,
                )
            )

        label(0, "alice", {"bias": "biased", "opinion": "op"})
        label(0, "bob", {"bias": "non_biased", "opinion": "op"})
        label(0, "chen", {"bias": "biased", "opinion": "op"})
        for who in ("alice", "bob", "chen"):
            label(1, who, {"bias": "non_biased", "opinion": "fact"})
        label(2, "alice", {"bias": "biased", "bias_type": ["word", "info"]})
        label(2, "chen", {"bias": "biased", "bias_type": ["info", "word"]})
        label(2, "bob", {}, status="flagged", comment="[bold]split badly[/]")
        label(3, "alice", {"bias": "non_biased", "opinion": "fact"})
        label(3, "chen", {"bias": "non_biased", "opinion": "op"})
        pid, svid = proj.id, sv.id
    return engine, pid, svid, units, people, lead


SCHEMA = Schema(
    name="media",
    tasks=(
        Task(
            name="bias",
            type="single",
            labels=(Label("biased", "Biased", "1"), Label("non_biased", "Not biased", "2")),
        ),
        Task(
            name="opinion",
            type="scale",
            agreement="ordinal",
            labels=(Label("fact", "Fact", "1"), Label("op", "Opinion", "2")),
        ),
        Task(
            name="bias_type",
            type="multi",
            labels=(
                Label("word", "Word choice", "1"),
                Label("info", "Informational", "2"),
                Label("epis", "Epistemological", "3"),
            ),
        ),
    ),
)


def static_text(app, selector: str) -> str:
    """What a Static widget on the current screen shows, as plain text at 78 columns."""
    widget = app.screen.query_one(selector, Static)
    console = Console(width=78, record=True, file=io.StringIO(), color_system=None)
    console.print(widget.content)
    return console.export_text()
