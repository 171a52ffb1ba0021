"""What the app needs before it opens: the store, the project and its current schema.

Kept free of Textual so the CLI can report a bad store or project before any screen opens.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from annotator.schema.model import Schema


@dataclass(frozen=True)
class StoreContext:
    engine: Engine
    project_id: int
    project_name: str
    schema: Schema
    schema_version_id: int


def _current_schema(session, project) -> Schema:
    try:
        from annotator.store.schema_versions import current_schema
    except ImportError:  # older store: parse the recorded YAML ourselves
        current_schema = None
    if current_schema is None:
        from annotator.schema.loader import parse_schema
        from annotator.store.engine import StoreError
        from annotator.store.models import SchemaVersion

        row = session.get(SchemaVersion, project.schema_version_id)
        if row is None or not row.yaml_text:
            raise StoreError(f"project {project.name!r} has no schema: run `annotator schema set`")
        return parse_schema(row.yaml_text, f"schema of project {project.name}")
    return current_schema(session, project)


def load_context(*, db: str | None, project: str | None) -> StoreContext:
    from annotator.store.engine import StoreError, open_store, session_scope
    from annotator.store.projects import get_project

    engine = open_store(db)
    with session_scope(engine) as session:
        proj = get_project(session, project)
        schema = _current_schema(session, proj)
        if proj.schema_version_id is None:
            raise StoreError(f"project {proj.name!r} has no schema version")
        assert proj.id is not None
        return StoreContext(
            engine=engine,
            project_id=proj.id,
            project_name=proj.name,
            schema=schema,
            schema_version_id=proj.schema_version_id,
        )
