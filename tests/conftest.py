"""Fixtures several test modules use: a fresh store on SQLite, and on PostgreSQL when the server
is configured; small stores with units or labels. Builders live in tests/support/."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

PG_ENV = "ANNOTATOR_TEST_PG_URL"
SHARED = Path(__file__).resolve().parents[2] / "shared"


def _pg_schema_url(base: str) -> Iterator[str]:
    """A throwaway PostgreSQL schema, so test runs never see each other's tables."""
    import sqlalchemy as sa

    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{name}"'))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options={quote(f'-csearch_path={name}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()


@pytest.fixture(autouse=True)
def _no_user_config(tmp_path, monkeypatch):
    """No test reads or writes the config file of the person running the suite."""
    monkeypatch.setenv("ANNOTATOR_CONFIG", str(tmp_path / "config.toml"))
    # The command-line guard takes over Python's unraisable-error hook for its process; a test
    # that runs the guard gives it back afterwards.
    monkeypatch.setattr(sys, "unraisablehook", sys.unraisablehook)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> Iterator[str]:
    """A URL to an empty store, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'annotator.db'}"
        return
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(
            f"PostgreSQL tests need {PG_ENV} (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)"
        )
    yield from _pg_schema_url(base)


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'annotator.db'}"


@pytest.fixture
def shared_corpus() -> Path:
    """The real-news corpus next to the repository; tests using it skip where it is absent."""
    corpus = SHARED / "corpus"
    if not corpus.is_dir():
        pytest.skip("../shared/corpus is not present (optional corpus checks)")
    return corpus


# Fuzzing profiles (tests/fuzz): `ci` is the default, a few hundred inputs per target;
# `pytest tests/fuzz --hypothesis-profile=long` runs 10,000 per target.
try:
    from datetime import timedelta

    from hypothesis import HealthCheck, settings
except ImportError:  # pragma: no cover - hypothesis comes with the test extra
    pass
else:
    _FUZZ = {
        # The per-input budget is CPU time (tests/fuzz/conftest.py), which load does not
        # stretch; this wall-clock deadline only catches an input that hangs.
        "deadline": timedelta(seconds=60),
        "suppress_health_check": [
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
            HealthCheck.filter_too_much,
        ],
        "print_blob": True,
    }
    settings.register_profile("long", max_examples=10_000, **_FUZZ)
    settings.register_profile("ci", max_examples=300, **_FUZZ)
    settings.load_profile(os.environ.get("ANNOTATOR_FUZZ_PROFILE", "ci"))


@pytest.fixture
def queue_store(db_url):
    """Two documents of three units each, a second project, and two annotators; on SQLite and
    on PostgreSQL (every queue rule must hold on both): (engine, {project: (id, schema
    version id, unit ids)}, alice's id, bob's id)."""
    from annotator.store.annotators import get_or_create_annotator
    from annotator.store.engine import open_store, session_scope
    from annotator.store.models import Document, Project, SchemaVersion, Unit

    engine = open_store(db_url)
    with session_scope(engine) as s:
        ids = {}
        for pname in ("p", "other"):
            proj = Project(name=pname)
            s.add(proj)
            s.flush()
            sv = SchemaVersion(project_id=proj.id, name="s", yaml_text="", content_hash=pname)
            s.add(sv)
            s.flush()
            proj.schema_version_id = sv.id
            units = []
            for d in range(2):
                doc = Document(project_id=proj.id, title=f"T{d}", content_hash=f"{pname}{d}")
                s.add(doc)
                s.flush()
                for pos in range(3):
                    u = Unit(
                        project_id=proj.id,
                        document_id=doc.id,
                        position=pos,
                        kind="title" if pos == 0 else "body",
                        text=f"{pname} doc{d} unit{pos}",
                        text_hash=f"{pname}{d}{pos}",
                    )
                    s.add(u)
                    s.flush()
                    units.append(u.id)
            ids[pname] = (proj.id, sv.id, units)
        alice = get_or_create_annotator(s, "alice").id
        bob = get_or_create_annotator(s, "bob").id
    return engine, ids, alice, bob


@pytest.fixture
def graded_store(tmp_path) -> str:
    """A SQLite store whose project `grades` holds tests/fixtures/agreement's labels, imported
    through the real label importer; its URL."""
    from sqlalchemy import text

    from annotator.labels import import_labels
    from annotator.schema import load_schema
    from annotator.store.engine import open_store, session_scope
    from annotator.store.projects import create_project
    from tests.support.agreement import FIXTURES

    url = f"sqlite:///{tmp_path / 'a.db'}"
    engine = open_store(url)
    with session_scope(engine) as session:
        project = create_project(session, "grades", load_schema(FIXTURES / "grades.yaml"))
    result = import_labels(engine, project, FIXTURES / "labels.jsonl")
    assert result.problems == []
    with engine.begin() as conn:  # time on item, as the annotate screen records it
        conn.execute(text("UPDATE annotation SET seconds = unit_id * 2.0"))
    return url
