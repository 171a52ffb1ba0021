"""`annotator init`, `status` and `demo`: setting up a project and seeing where it stands."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from annotator.cli.options import DbOption, ProjectOption, out

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "voa"


def init(
    name: Annotated[str, typer.Option("--name", "-n", help="Name of the new project.")] = "default",
    schema: Annotated[
        Path | None,
        typer.Option("--schema", "-s", help="YAML label schema (default: media_bias)."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Create a project; the store is created on first use."""
    from annotator.schema import builtin_schema, load_schema
    from annotator.store.engine import open_store, session_scope
    from annotator.store.projects import create_project

    loaded = load_schema(schema) if schema else builtin_schema("media_bias")
    engine = open_store(db)
    with session_scope(engine) as session:
        project = create_project(session, name, loaded)
    where = engine.url.render_as_string(hide_password=True)
    out.print(
        Text(f"Created project {project.name!r} ({loaded.name} {loaded.short_hash}) in {where}")
    )
    out.print("Next: annotator import PATH...", style="dim")


def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    charts: Annotated[
        bool, typer.Option("--dashboard", help="Open the dashboard (charts) in the terminal.")
    ] = False,
    project: ProjectOption = None,
    db: DbOption = None,
) -> None:
    """Show documents, units and annotations per annotator."""
    if charts:
        from annotator.cli.review import dashboard

        dashboard(as_name=None, project=project, db=db)
        return
    from annotator.store.engine import open_store, session_scope
    from annotator.store.projects import get_project
    from annotator.store.stats import current_schema_row, project_summary

    engine = open_store(db)
    with session_scope(engine) as session:
        proj = get_project(session, project)
        counts = project_summary(session, proj.id)
        version = current_schema_row(session, proj.schema_version_id)
    summary = {
        "project": proj.name,
        "schema": {"name": version.name, "hash": version.content_hash} if version else None,
        **counts,
    }
    if as_json:
        out.print_json(json.dumps(summary, ensure_ascii=False))
        return
    schema_text = f"{version.name} ({version.content_hash[:12]})" if version else "none"
    out.print(Text(f"Project {proj.name}  ·  schema {schema_text}"))
    out.print(f"{summary['documents']:,} documents, {summary['units']:,} units")
    if not summary["annotators"]:
        out.print("No annotations yet.", style="dim")
        return
    table = Table("annotator", "done", "skipped", "flagged")
    for who, by_status in summary["annotators"].items():
        table.add_row(
            Text(who), *(f"{by_status.get(k, 0):,}" for k in ("done", "skipped", "flagged"))
        )
    out.print(table)


def demo(
    annotator_name: Annotated[
        str | None, typer.Option("--annotator", "-a", help="Your name as an annotator.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Try it: open the annotator on a bundled VOA sample.

    Creates a project named 'demo' with the media_bias schema, imports the sample articles
    (again is harmless) and opens the annotation screen. The store is ./demo.db unless --db
    (or ANNOTATOR_DB) names one, so the demo never mixes with a real project.
    """
    from annotator.cli.annotate import annotate
    from annotator.cli.importing import run_import
    from annotator.schema import builtin_schema
    from annotator.store.engine import open_store, session_scope
    from annotator.store.projects import create_project, list_projects

    db = db or "demo.db"
    engine = open_store(db)
    with session_scope(engine) as session:
        if not any(p.name == "demo" for p in list_projects(session)):
            create_project(session, "demo", builtin_schema("media_bias"))
    run_import([str(SAMPLE)], project="demo", db=db)
    annotate(annotator=annotator_name, project="demo", db=db)
