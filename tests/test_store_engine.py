"""The store opens, migrates and behaves the same on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text
from sqlmodel import col, select

from annotator.ingest.model import ParsedDocument, ParsedUnit
from annotator.schema.model import Label, Schema, Task
from annotator.store.documents import add_documents
from annotator.store.engine import StoreError, open_store, resolve_url, session_scope
from annotator.store.migrate import current_revision, head_revision
from annotator.store.models import Document, Unit
from annotator.store.projects import create_project, get_project

SCHEMA = Schema(
    name="tiny",
    tasks=(Task(name="bias", type="single", labels=(Label("biased", "Biased", "1"),)),),
    yaml_text="name: tiny\n",
    content_hash="0" * 64,
)


def _doc(title: str, *sentences: str) -> ParsedDocument:
    units = [ParsedUnit("title", title), *(ParsedUnit("body", s) for s in sentences)]
    return ParsedDocument(title=title, units=units, url=f"https://example.org/{title}")


def test_open_creates_every_table_at_head(db_url):
    engine = open_store(db_url)
    tables = set(inspect(engine).get_table_names())
    assert {
        "project",
        "schemaversion",
        "document",
        "unit",
        "annotator",
        "annotation",
        "annotationevent",
        "adjudication",
    } <= tables
    assert current_revision(engine) == head_revision()
    open_store(db_url)  # a second open is a no-op, not an error
    assert current_revision(engine) == head_revision()


def test_sqlite_pragmas_hold_on_every_connection(sqlite_url):
    engine = open_store(sqlite_url)
    for _ in range(2):
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 5000
        engine.dispose()  # force a brand-new connection next round


def test_foreign_keys_are_enforced(db_url):
    from sqlalchemy.exc import IntegrityError

    engine = open_store(db_url)
    with pytest.raises(IntegrityError), session_scope(engine) as s:
        s.add(Unit(project_id=9, document_id=9, position=0, kind="body", text="x", text_hash="x"))


def test_projects_default_to_the_only_one_and_name_the_choices(db_url):
    engine = open_store(db_url)
    with session_scope(engine) as s:
        with pytest.raises(StoreError, match="annotator init"):
            get_project(s)
        create_project(s, "zh-news", SCHEMA)
        assert get_project(s).name == "zh-news"
        create_project(s, "en-news", SCHEMA)
        with pytest.raises(StoreError, match="--project") as exc:
            get_project(s)
        assert "zh-news" in str(exc.value) and "en-news" in str(exc.value)
        assert get_project(s, "en-news").name == "en-news"
        with pytest.raises(StoreError, match="no project named 'fr'"):
            get_project(s, "fr")
        with pytest.raises(StoreError, match="already exists"):
            create_project(s, "zh-news", SCHEMA)


def test_adding_the_same_documents_twice_changes_nothing(db_url):
    engine = open_store(db_url)
    docs = [_doc("甲", "第一句。", "第二句。"), _doc("乙", "Another one.")]
    with session_scope(engine) as s:
        pid = create_project(s, "p", SCHEMA).id
        first = add_documents(s, pid, docs)
    assert (first.documents, first.units, first.duplicates) == (2, 5, 0)
    with session_scope(engine) as s:
        again = add_documents(s, pid, docs)
        assert (again.documents, again.units, again.duplicates) == (0, 0, 2)
        texts = [u.text for u in s.exec(select(Unit).order_by(col(Unit.id)))]
        assert texts == ["甲", "第一句。", "第二句。", "乙", "Another one."]
        assert len(s.exec(select(Document)).all()) == 2


def test_documents_are_kept_apart_per_project(db_url):
    engine = open_store(db_url)
    doc = _doc("同一篇", "一句话。")
    with session_scope(engine) as s:
        a = create_project(s, "a", SCHEMA).id
        b = create_project(s, "b", SCHEMA).id
        assert add_documents(s, a, [doc]).documents == 1
        assert add_documents(s, b, [doc]).documents == 1  # same text, other project: imported


def test_unit_ids_follow_reading_order(db_url):
    engine = open_store(db_url)
    with session_scope(engine) as s:
        pid = create_project(s, "p", SCHEMA).id
        add_documents(s, pid, [_doc("A", "a1.", "a2."), _doc("B", "b1.")])
        rows = list(s.exec(select(Unit).order_by(col(Unit.id))))
    assert [(u.kind, u.text) for u in rows] == [
        ("title", "A"),
        ("body", "a1."),
        ("body", "a2."),
        ("title", "B"),
        ("body", "b1."),
    ]
    assert [u.position for u in rows] == [0, 1, 2, 0, 1]


def test_resolve_url_prefers_flag_then_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("ANNOTATOR_DB", raising=False)
    assert resolve_url(None) == "sqlite:///annotator.db"
    monkeypatch.setenv("ANNOTATOR_DB", str(tmp_path / "env.db"))
    assert resolve_url(None) == f"sqlite:///{tmp_path / 'env.db'}"
    assert resolve_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"


def test_unreachable_or_bad_stores_give_one_line(tmp_path):
    with pytest.raises(StoreError, match="does not exist"):
        open_store(str(tmp_path / "no" / "such" / "dir" / "a.db"))
    with pytest.raises(StoreError, match=r"127\.0\.0\.1"):
        open_store("postgresql+psycopg://postgres@127.0.0.1:1/none")


def test_the_audit_trail_cannot_be_rewritten(db_url):
    from sqlalchemy.exc import DatabaseError

    from annotator.store.annotators import get_or_create_annotator
    from annotator.store.models import AnnotationEvent

    engine = open_store(db_url)
    with session_scope(engine) as s:
        project = create_project(s, "p", SCHEMA)
        add_documents(s, project.id, [_doc("A", "a1.")])
        unit = s.exec(select(Unit).where(Unit.kind == "body")).one()
        who = get_or_create_annotator(s, "alice")
        s.add(
            AnnotationEvent(
                unit_id=unit.id,
                annotator_id=who.id,
                schema_version_id=project.schema_version_id,
                action="create",
                values={"bias": "biased"},
                status="done",
            )
        )
    for statement in (
        "UPDATE annotationevent SET status = 'skipped'",
        "DELETE FROM annotationevent",
    ):
        with pytest.raises(DatabaseError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
    with session_scope(engine) as s:
        events = s.exec(select(AnnotationEvent)).all()
    assert [(e.action, e.status, e.values) for e in events] == [
        ("create", "done", {"bias": "biased"})
    ]


def test_migrations_match_the_models(sqlite_url):
    # A model change without its Alembic revision would pass on fresh test stores and break
    # every existing one: compare the migrated schema with the models.
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlmodel import SQLModel

    engine = open_store(sqlite_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []


def test_the_fast_up_to_date_check_knows_the_newest_migration():
    from annotator.store.migrate import HEAD

    assert head_revision() == HEAD  # a new migration must also move HEAD


def test_an_import_leaves_the_pooled_connection_with_its_usual_page_cache(sqlite_url, tmp_path):
    # The import writes with a 64 MB cache; a connection handed out afterwards (say, to the
    # annotation screen in `annotator demo`) must not keep holding that much memory.
    from pathlib import Path

    from annotator.ingest.pipeline import import_files

    sample = Path(__file__).resolve().parents[1] / "annotator" / "samples" / "voa"
    engine = open_store(sqlite_url)
    with engine.connect() as conn:
        usual = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    with session_scope(engine) as s:
        pid = create_project(s, "p", SCHEMA).id
    report = import_files(engine, pid, sorted(sample.glob("*.md")))
    assert report.units > 0 and not report.failed
    for _ in range(3):  # whichever pooled connection comes back
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == usual
