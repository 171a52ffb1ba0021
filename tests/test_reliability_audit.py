"""`labels import` says in the audit trail who imported and from which file (issue 10, item 13)."""

from __future__ import annotations

import getpass
import json

from sqlmodel import Session, select

from annotator.cli.app import app
from annotator.cli.failures import guarded
from annotator.store.models import AnnotationEvent, Annotator
from tests.support.exports import new_project


def run(argv: list[str]) -> int:
    return guarded(lambda: app(argv, prog_name="annotator"))


def events(engine) -> list[tuple[str, str, str | None, str | None]]:
    with Session(engine) as s:
        rows = s.exec(
            select(
                Annotator.name,
                AnnotationEvent.action,
                AnnotationEvent.actor,
                AnnotationEvent.source,
            )
            .join(Annotator, Annotator.id == AnnotationEvent.annotator_id)
            .order_by(AnnotationEvent.id)
        ).all()
    return [tuple(r) for r in rows]


def test_an_import_that_rewrites_someones_labels_names_who_did_it(tmp_path):
    db = str(tmp_path / "a.db")
    engine, _ = new_project(f"sqlite:///{db}")
    first, second = tmp_path / "alice.jsonl", tmp_path / "fix.jsonl"
    record = {"text": "Rain fell.", "annotator": "alice", "task": "bias", "value": "biased"}
    first.write_text(json.dumps(record) + "\n")
    second.write_text(json.dumps({**record, "value": "non_biased"}) + "\n")
    assert run(["labels", "import", str(first), "--db", db]) == 0
    assert run(["labels", "import", str(second), "--as", "lead-bo", "--db", db]) == 0
    assert events(engine) == [
        ("alice", "create", getpass.getuser(), str(first.resolve())),
        ("alice", "update", "lead-bo", str(second.resolve())),
    ]
