"""`annotator schema ...`: check schema files, change a project's schema, list its versions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from annotator.cli.options import DbOption, ProjectOption

schema_app = typer.Typer(
    help="Check YAML label schemas and change the schema of a project.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def _echo(line: str, err: bool = False) -> None:
    typer.echo(line, err=err)  # plain text: file names and YAML content are never markup


@schema_app.command()
def check(
    files: Annotated[list[Path], typer.Argument(help="Schema files to check.", metavar="FILE")],
) -> None:
    """Validate schema files: prints `FILE: ok (...)` or one `FILE:LINE:COL: problem` per line."""
    from annotator.schema.errors import SchemaError
    from annotator.schema.loader import load_schema

    failed = False
    for path in files:
        try:
            schema = load_schema(path)
        except SchemaError as exc:
            failed = True
            for problem in exc.problems:
                _echo(str(problem))
            continue
        tasks = len(schema.tasks)
        plural = "s" if tasks != 1 else ""
        _echo(f"{path}: ok ({schema.name}, {tasks} task{plural}, {schema.short_hash})")
    if failed:
        raise typer.Exit(1)


@schema_app.command("set")
def set_(
    file: Annotated[Path, typer.Argument(help="The new schema file.", metavar="FILE")],
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Change it even if existing labels use tasks or values it drops."
        ),
    ] = False,
    project: ProjectOption = None,
    db: DbOption = None,
) -> None:
    """Make FILE the project's schema. Refuses a change that would orphan labels unless --force."""
    from annotator.schema.errors import SchemaError
    from annotator.schema.loader import load_schema
    from annotator.store.engine import session_scope
    from annotator.store.projects import open_project
    from annotator.store.schema_versions import SchemaChangeRefused, set_schema

    try:
        schema = load_schema(file)
    except SchemaError as exc:
        for problem in exc.problems:
            _echo(str(problem), err=True)
        raise typer.Exit(1) from None
    engine, proj = open_project(db, project, access="write")
    try:
        with session_scope(engine) as session:
            session.add(proj)
            change = set_schema(session, proj, schema, force=force)
            name, version_id = proj.name, change.version.id
    except SchemaChangeRefused as exc:
        for line in exc.orphans:
            _echo(f"{file}: {line}", err=True)
        _echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    if not change.changed:
        _echo(
            f"Project {name!r} already uses {schema.name} ({schema.short_hash}); nothing changed."
        )
        return
    for line in change.orphans:
        _echo(f"warning: {line}; those labels stay readable under their old version", err=True)
    _echo(
        f"Project {name!r} now uses schema {schema.name} ({schema.short_hash}), "
        f"version {version_id}."
    )


@schema_app.command("versions")
def versions(project: ProjectOption = None, db: DbOption = None) -> None:
    """List the schema versions a project has used; the current one is marked with *."""
    from annotator.store.engine import session_scope
    from annotator.store.projects import open_project
    from annotator.store.schema_versions import list_schema_versions

    engine, proj = open_project(db, project, access="read")
    try:
        with session_scope(engine) as session:
            rows = [
                (v.id == proj.schema_version_id, v.id, v.name, v.content_hash[:12], v.created_at)
                for v in list_schema_versions(session, proj.id)  # type: ignore[arg-type]
            ]
    finally:
        engine.dispose()
    for current, vid, name, short, created in rows:
        mark = "*" if current else " "
        _echo(f"{mark} {vid:>4}  {name}  {short}  {created:%Y-%m-%d %H:%M}")
