"""`annotator review` / `annotator dashboard` refuse clearly before any screen opens."""

from __future__ import annotations

import subprocess
import sys

import pytest
import typer
from sqlalchemy import text
from typer.testing import CliRunner

from annotator.cli.review import dashboard, review
from annotator.errors import format_user_error
from annotator.store.annotators import get_or_create_annotator
from annotator.store.engine import session_scope
from tests.support.review import make_store


def run(*args: str) -> str:
    """The one line a person would see (the CLI prints UserError/StoreError like this)."""
    app = typer.Typer()
    app.command()(review)
    app.command()(dashboard)
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code != 0
    return format_user_error(result.exception) or repr(result.exception)


YAML = """name: media
tasks:
  - name: bias
    type: single
    labels:
      - {value: biased, key: "1"}
      - {value: non_biased, key: "2"}
"""


@pytest.fixture
def db(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    engine, *_ = make_store(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE schemaversion SET yaml_text = :y"), {"y": YAML})
    return url


def test_only_a_lead_opens_review(db):
    assert "alice is not a lead" in run("review", "--annotator", "alice", "--db", db)
    assert "no annotator called 'zed'" in run("review", "-a", "zed", "--db", db)
    assert "--annotator LEAD" in run("review", "--db", db)


def test_review_checks_its_options(db):
    assert "--show some: use one of" in run("review", "-a", "lina", "--show", "some", "--db", db)
    assert "--task tone: no such task" in run("review", "-a", "lina", "-t", "tone", "--db", db)


def test_a_store_without_a_lead_says_how_to_make_one(tmp_path):
    from annotator.store.engine import open_store
    from annotator.store.models import Project, SchemaVersion

    url = f"sqlite:///{tmp_path / 'nolead.db'}"
    with session_scope(open_store(url)) as s:
        proj = Project(name="p")
        s.add(proj)
        s.flush()
        sv = SchemaVersion(project_id=proj.id, name="s", yaml_text=YAML, content_hash="h")
        s.add(sv)
        s.flush()
        proj.schema_version_id = sv.id
        get_or_create_annotator(s, "alice")
    line = run("review", "--db", url)
    assert "annotator annotators add NAME --role lead" in line
    assert "annotator annotators add NAME --role lead" in run("review", "-a", "alice", "--db", url)


def test_dashboard_checks_who_is_asking(db):
    assert "--as zed: no annotator" in run("dashboard", "--as", "zed", "--db", db)


def test_the_commands_load_no_textual():
    code = (
        "import sys, annotator.cli.review as r; "
        "print(any(m == 'textual' or m.startswith('textual.') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
