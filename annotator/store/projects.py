"""Finding and creating projects. A store holds several; most commands act on one."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from annotator.schema.model import Schema
from annotator.store.engine import Access, StoreError, open_store, session_scope
from annotator.store.models import Project

DEFAULT_PROJECT = "default"


def list_projects(session: Session) -> list[Project]:
    return list(session.exec(select(Project).order_by(col(Project.id))))


def get_project(session: Session, name: str | None = None) -> Project:
    """The named project, or the only one when no name is given."""
    if name is not None:
        project = session.exec(select(Project).where(Project.name == name)).first()
        if project is None:
            known = ", ".join(p.name for p in list_projects(session)) or "none yet"
            raise StoreError(
                f"no project named {name!r} (projects: {known}); create it with `annotator init`"
            )
        return project
    projects = list_projects(session)
    if not projects:
        raise StoreError("no project yet: run `annotator init` first")
    if len(projects) > 1:
        names = ", ".join(p.name for p in projects)
        raise StoreError(f"this store holds several projects ({names}): choose one with --project")
    return projects[0]


def create_project(session: Session, name: str, schema: Schema) -> Project:
    """A new project with `schema` as its first schema version."""
    from annotator.store.schema_versions import record_schema_version

    if session.exec(select(Project).where(Project.name == name)).first() is not None:
        raise StoreError(f"a project named {name!r} already exists")
    project = Project(name=name)
    session.add(project)
    session.flush()
    version = record_schema_version(session, project, schema)
    project.schema_version_id = version.id
    session.add(project)
    session.flush()
    return project


def open_project(
    db: str | None, name: str | None = None, *, access: Access = "write"
) -> tuple[Engine, Project]:
    """The store `db` names (see `open_store` for `access`) and the project `name` in it (the
    only one when None): what every command that works on a project starts with. The project
    comes detached; `session.add` it to a later session to follow its relations."""
    engine = open_store(db, access=access)
    with session_scope(engine) as session:
        project = get_project(session, name)
    return engine, project
