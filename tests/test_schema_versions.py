"""Schema versions: recorded once per text, changes refused when they would orphan labels."""

from __future__ import annotations

import pytest
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, SQLModel, create_engine, select
from typer.testing import CliRunner

from annotator.cli.schema import schema_app
from annotator.schema import parse_schema
from annotator.store.engine import StoreError
from annotator.store.models import (
    Adjudication,
    Annotation,
    Annotator,
    Document,
    Project,
    SchemaVersion,
    Unit,
)
from annotator.store.schema_versions import (
    SchemaChangeRefused,
    current_schema,
    list_schema_versions,
    orphaned_labels,
    record_schema_version,
    schema_version,
    set_schema,
)

V1 = """\
name: study
targets: [中国, 美国]
tasks:
  - {name: bias, type: single, labels: [biased, non_biased, unsure]}
  - {name: topics, type: multi, labels: [economy, war]}
  - {name: stance, type: stance}
  - {name: words, type: span}
  - {name: note, type: text}
"""


@pytest.fixture
def session():
    engine = create_engine(
        "sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool
    )
    SQLModel.metadata.create_all(engine)
    with Session(engine) as s:
        yield s
    engine.dispose()


def make_project(session: Session, text: str = V1) -> Project:
    project = Project(name="p")
    session.add(project)
    session.flush()
    version = record_schema_version(session, project, parse_schema(text))
    project.schema_version_id = version.id
    session.add(project)
    session.flush()
    return project


def annotate(session: Session, project: Project, *values_per_unit: dict) -> None:
    doc = Document(project_id=project.id, content_hash=f"d{project.id}")
    annotator = Annotator(name=f"ann{project.id}")
    session.add_all([doc, annotator])
    session.flush()
    for position, values in enumerate(values_per_unit):
        unit = Unit(
            project_id=project.id,
            document_id=doc.id,
            position=position,
            kind="body",
            text="t",
            text_hash=f"h{position}",
        )
        session.add(unit)
        session.flush()
        session.add(
            Annotation(
                unit_id=unit.id,
                annotator_id=annotator.id,
                schema_version_id=project.schema_version_id,
                values=values,
            )
        )
    session.flush()


def test_record_reuses_the_row_for_the_same_text(session):
    project = make_project(session)
    first = session.get(SchemaVersion, project.schema_version_id)
    again = record_schema_version(session, project, parse_schema(V1))
    assert again.id == first.id
    other = record_schema_version(session, project, parse_schema(V1 + "description: v2\n"))
    assert other.id != first.id
    assert [v.id for v in list_schema_versions(session, project.id)] == [first.id, other.id]
    assert first.yaml_text == V1
    assert first.name == "study"
    # Recording does not switch the project.
    assert project.schema_version_id == first.id


def test_current_schema_reads_back_the_stored_text(session):
    project = make_project(session)
    current = current_schema(session, project)
    assert current.content_hash == parse_schema(V1).content_hash
    assert current.task("bias").values == ("biased", "non_biased", "unsure")


def test_current_schema_without_a_version_says_what_to_do(session):
    project = Project(name="bare")
    session.add(project)
    session.flush()
    with pytest.raises(
        StoreError, match=r"project 'bare' has no schema yet: run `annotator schema"
    ):
        current_schema(session, project)


def test_no_orphans_when_tasks_and_values_are_only_added_or_reworded(session):
    project = make_project(session)
    annotate(
        session,
        project,
        {"bias": "biased", "topics": ["war"], "stance": {"中国": "favor"}, "note": "x"},
    )
    grown = V1.replace("unsure]", "unsure, other]").replace(
        "  - {name: note, type: text}",
        "  - {name: note, type: text, prompt: 备注}\n  - {name: extra, type: text}",
    )
    assert orphaned_labels(session, project.id, parse_schema(grown)) == []


def test_orphans_name_each_removed_task_value_and_target_with_counts(session):
    project = make_project(session)
    annotate(
        session,
        project,
        {"bias": "unsure", "topics": ["war", "economy"], "stance": {"美国": "against"}},
        {"bias": "unsure", "topics": ["war"], "note": "hmm", "words": [{"start": 0, "end": 1}]},
        {"bias": "biased", "topics": [], "note": ""},  # empty values use nothing
    )
    new = parse_schema(
        "name: study\n"
        "targets: [中国]\n"
        "tasks:\n"
        "  - {name: bias, type: single, labels: [biased, non_biased]}\n"
        "  - {name: topics, type: multi, labels: [economy]}\n"
        "  - {name: stance, type: stance}\n"
        "  - {name: words, type: span}\n"
    )
    assert orphaned_labels(session, project.id, new) == [
        "value 'unsure' of task 'bias' removed but used by 2 annotations",
        "task 'note' removed but 1 annotation uses it",
        "target '美国' of task 'stance' removed but used by 1 annotation",
        "value 'war' of task 'topics' removed but used by 2 annotations",
    ]


def test_a_type_change_that_breaks_stored_values_is_an_orphan(session):
    project = make_project(session)
    annotate(session, project, {"bias": "biased"}, {"bias": "non_biased"})
    as_multi = V1.replace("{name: bias, type: single", "{name: bias, type: multi")
    as_scale = V1.replace("{name: bias, type: single", "{name: bias, type: scale")
    assert orphaned_labels(session, project.id, parse_schema(as_multi)) == [
        "task 'bias' changes type from single to multi but 2 annotations hold single values"
    ]
    assert orphaned_labels(session, project.id, parse_schema(as_scale)) == []


def test_adjudications_count_too(session):
    project = make_project(session)
    annotate(session, project, {"bias": "biased"})
    unit = session.exec(select(Unit)).first()
    lead = session.exec(select(Annotator)).first()
    session.add(Adjudication(unit_id=unit.id, task="note", value="gold", annotator_id=lead.id))
    session.flush()
    no_note = V1.replace("  - {name: note, type: text}\n", "")
    assert orphaned_labels(session, project.id, parse_schema(no_note)) == [
        "task 'note' removed but 1 adjudication uses it"
    ]


def test_other_projects_labels_do_not_count(session):
    project = make_project(session)
    other = Project(name="other")
    session.add(other)
    session.flush()
    other.schema_version_id = record_schema_version(session, other, parse_schema(V1)).id
    annotate(session, other, {"bias": "unsure"})
    smaller = V1.replace(", unsure]", "]")
    assert orphaned_labels(session, project.id, parse_schema(smaller)) == []
    assert orphaned_labels(session, other.id, parse_schema(smaller)) != []


def test_set_schema_refuses_then_forces_and_old_labels_stay_readable(session):
    project = make_project(session)
    old_version = project.schema_version_id
    annotate(session, project, {"bias": "unsure", "note": "keep me"})
    smaller = parse_schema(
        V1.replace(", unsure]", "]").replace("  - {name: note, type: text}\n", "")
    )

    with pytest.raises(SchemaChangeRefused) as info:
        set_schema(session, project, smaller)
    assert info.value.orphans == [
        "value 'unsure' of task 'bias' removed but used by 1 annotation",
        "task 'note' removed but 1 annotation uses it",
    ]
    assert "use --force" in str(info.value)
    assert project.schema_version_id == old_version
    assert len(list_schema_versions(session, project.id)) == 1

    change = set_schema(session, project, smaller, force=True)
    assert change.changed
    assert change.orphans == info.value.orphans
    assert project.schema_version_id == change.version.id != old_version
    assert current_schema(session, project).task("note") is None
    # The annotation still points at its version, whose text still holds the removed task.
    annotation = session.exec(select(Annotation)).one()
    assert annotation.schema_version_id == old_version
    assert schema_version(session, annotation.schema_version_id).task("note").type == "text"


def test_set_schema_to_the_same_text_changes_nothing(session):
    project = make_project(session)
    change = set_schema(session, project, parse_schema(V1))
    assert not change.changed
    assert change.version.id == project.schema_version_id


def test_set_schema_back_to_an_earlier_version_reuses_its_row(session):
    project = make_project(session)
    first = project.schema_version_id
    set_schema(session, project, parse_schema(V1 + "overlap: 2\n"))
    back = set_schema(session, project, parse_schema(V1))
    assert back.changed and back.version.id == first
    assert len(list_schema_versions(session, project.id)) == 2


# -- the command -------------------------------------------------------------------------------


@pytest.fixture
def store(db_url):
    """A migrated store (SQLite; PostgreSQL when configured): project on V1, one `unsure` label."""
    from annotator.store.engine import open_store, session_scope
    from annotator.store.projects import create_project

    url = db_url
    engine = open_store(url)
    with session_scope(engine) as s:
        project = create_project(s, "study", parse_schema(V1))
        annotate(s, project, {"bias": "unsure"})
    engine.dispose()
    return url


def write(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_cli_set_refuses_an_orphaning_change_without_force(store, tmp_path):
    smaller = write(tmp_path, "smaller.yaml", V1.replace(", unsure]", "]"))
    result = CliRunner().invoke(schema_app, ["set", smaller, "--db", store])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{smaller}: value 'unsure' of task 'bias' removed but used by 1 annotation",
        "error: the new schema would orphan existing labels (1 problem); "
        "use --force to change it anyway",
    ]
    versions = CliRunner().invoke(schema_app, ["versions", "--db", store])
    assert versions.exit_code == 0
    assert len(versions.stdout.splitlines()) == 1


def test_cli_set_with_force_switches_and_keeps_the_old_version(store, tmp_path):
    smaller = write(tmp_path, "smaller.yaml", V1.replace(", unsure]", "]"))
    result = CliRunner().invoke(schema_app, ["set", smaller, "--force", "--db", store])
    assert result.exit_code == 0, result.output
    new_hash = parse_schema(V1.replace(", unsure]", "]")).short_hash
    assert result.stdout == f"Project 'study' now uses schema study ({new_hash}), version 2.\n"
    assert "warning: value 'unsure' of task 'bias' removed but used by 1 annotation" in (
        result.stderr
    )
    lines = CliRunner().invoke(schema_app, ["versions", "--db", store]).stdout.splitlines()
    assert [line[:6] for line in lines] == ["     1", "*    2"]


def test_cli_set_a_compatible_schema_and_then_the_same_one_again(store, tmp_path):
    grown = write(tmp_path, "grown.yaml", V1.replace("unsure]", "unsure, other]"))
    first = CliRunner().invoke(schema_app, ["set", grown, "--project", "study", "--db", store])
    assert first.exit_code == 0
    assert "now uses schema study" in first.stdout
    again = CliRunner().invoke(schema_app, ["set", grown, "--db", store])
    assert again.exit_code == 0
    assert "already uses study" in again.stdout


def test_cli_set_an_invalid_file_prints_its_problems(store, tmp_path):
    bad = write(tmp_path, "bad.yaml", "name: x\ntasks:\n  - {name: bias, type: singel}\n")
    result = CliRunner().invoke(schema_app, ["set", bad, "--db", store])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{bad}:3:24: task type 'singel' is not one of")


def test_cli_set_unknown_project_is_one_line(store, tmp_path):
    good = write(tmp_path, "good.yaml", V1)
    result = CliRunner().invoke(schema_app, ["set", good, "--project", "nope", "--db", store])
    assert result.exit_code == 1
    assert isinstance(result.exception, StoreError)  # main() prints it as one line
    assert "no project named 'nope'" in str(result.exception)
