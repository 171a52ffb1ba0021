"""`fetch_labels` on SQLite and PostgreSQL: plain columns, adjudications decoded once."""

from __future__ import annotations

from pathlib import Path

from annotator.labels import import_labels
from annotator.schema import load_schema
from annotator.store.engine import open_store, session_scope
from annotator.store.labels_query import fetch_labels, set_role
from annotator.store.models import Adjudication, Annotator
from annotator.store.projects import create_project

FIXTURES = Path(__file__).parent / "fixtures" / "agreement"


def test_fetch_labels_gives_plain_columns_and_adjudications(db_url):
    engine = open_store(db_url)
    with session_scope(engine) as session:
        project = create_project(session, "grades", load_schema(FIXTURES / "grades.yaml"))
    import_labels(engine, project, FIXTURES / "labels.jsonl")
    with session_scope(engine) as session:
        lead, _ = set_role(session, "lena", "lead")
        session.add(Adjudication(unit_id=1, task="bias", value="biased", annotator_id=lead.id))
        session.add(Adjudication(unit_id=2, task="kinds", value=["loaded"], annotator_id=lead.id))
    with session_scope(engine) as session:
        data = fetch_labels(session, project.id)
        assert session.get(Annotator, lead.id).role == "lead"
    assert data.annotators == ["ana", "ben", "chen", "dora"]  # lena has no labels
    assert len(data.unit) == 43 and data.status.count("skipped") == 1
    assert data.adjudications == {"bias": {1: "biased"}, "kinds": {2: ["loaded"]}}
    assert data.by_unit("grade")[1] == {"ana": "1", "ben": "1", "dora": "1"}
    assert data.total_units == 12
