"""Real VOA articles (and an English one of our own) on the annotate screen: layout tests."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from annotator.schema import builtin_schema
from annotator.store.annotators import get_or_create_annotator
from annotator.store.engine import open_store, session_scope
from annotator.store.models import Annotation, Document, Project, SchemaVersion, Unit
from annotator.tui.launch import StoreContext

VOA = json.loads((Path(__file__).parents[1] / "fixtures/tui/voa_units.json").read_text("utf-8"))


ENGLISH = {
    "title": "City council weighs a late-night noise rule after months of complaints "
    "from residents near the riverside bars",
    "units": [
        "City council weighs a late-night noise rule",
        "The council met on Monday to discuss a rule that would limit amplified music "
        "after 11 p.m. in the riverside district.",
        "Residents have filed more than 300 complaints since March, according to city records.",
        "Bar owners say the rule would cost jobs, while neighbours say they cannot sleep.",
        "A vote is expected next month.",
        "The council will hold a public hearing first, on a date to be set.",
    ],
}


SCHEMA = builtin_schema("media_bias")


def voa_store(tmp_path, doc: dict, *, done: int, opinions: bool = False) -> StoreContext:
    """`doc` in a media_bias project; alice has labelled its first `done` units (so her
    queue opens on the next). `opinions`: alice and bob disagree on that next unit, for a
    lead (lina) to review."""
    engine = open_store(f"sqlite:///{tmp_path / 'snap.db'}")
    with session_scope(engine) as s:
        proj = Project(name="voa")
        s.add(proj)
        s.flush()
        sv = SchemaVersion(project_id=proj.id, name=SCHEMA.name, yaml_text="", content_hash="h")
        s.add(sv)
        s.flush()
        proj.schema_version_id = sv.id
        document = Document(
            project_id=proj.id,
            title=doc["title"],
            outlet="美国之音",
            published=datetime(2020, 12, 25, tzinfo=UTC),
            content_hash="voa",
        )
        s.add(document)
        s.flush()
        ids = []
        for pos, body in enumerate(doc["units"]):
            unit = Unit(
                project_id=proj.id,
                document_id=document.id,
                position=pos,
                kind="title" if pos == 0 else "body",
                text=body,
                text_hash=str(pos),
            )
            s.add(unit)
            s.flush()
            ids.append(unit.id)
        alice = get_or_create_annotator(s, "alice").id
        plain = {"bias": "non_biased", "opinion": "entirely_factual"}
        for uid in ids[:done]:
            s.add(
                Annotation(unit_id=uid, annotator_id=alice, schema_version_id=sv.id, values=plain)
            )
        if opinions:
            bob = get_or_create_annotator(s, "bob").id
            get_or_create_annotator(s, "lina", "lead")
            s.add(
                Annotation(
                    unit_id=ids[done], annotator_id=alice, schema_version_id=sv.id, values=plain
                )
            )
            s.add(
                Annotation(
                    unit_id=ids[done],
                    annotator_id=bob,
                    schema_version_id=sv.id,
                    values={
                        "bias": "biased",
                        "opinion": "somewhat_factual_but_opinionated",
                        "bias_type": ["epistemological"],
                        "note": "“希望”一词是推测",
                    },
                )
            )
        return StoreContext(engine, proj.id, proj.name, SCHEMA, sv.id)
