"""`annotator init`, `status` and `demo`: setting up a project and seeing where it stands."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from annotator.cli.options import DbOption, ProjectOption, out
from annotator.wording import plural

if TYPE_CHECKING:
    from annotator.store.status_direct import StatusFigures

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
    from annotator.store.engine import open_store, session_scope, store_name
    from annotator.store.projects import create_project

    loaded = load_schema(schema) if schema else builtin_schema("media_bias")
    engine = open_store(db)
    with session_scope(engine) as session:
        project = create_project(session, name, loaded)
    where = store_name(engine)
    out.print(
        Text(f"Created project {project.name!r} ({loaded.name} {loaded.short_hash}) in {where}")
    )
    out.print("Next: annotator import PATH...", style="dim")


def migrate(db: DbOption = None) -> None:
    """Upgrade an existing store to this annotator's tables (a backup first is wise).

    Reading commands never change a store; writing ones upgrade it as they open it.
    """
    from annotator.store.engine import open_store, store_name
    from annotator.store.migrate import HEAD, current_revision

    engine = open_store(db, access="write")
    where = store_name(engine)
    out.print(Text(f"{where} is at revision {current_revision(engine) or HEAD}"))


def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    charts: Annotated[
        bool, typer.Option("--dashboard", help="Open the dashboard (charts) in the terminal.")
    ] = False,
    project: ProjectOption = None,
    db: DbOption = None,
) -> None:
    """Show documents, units and annotations per annotator.

    Once the lead assigns documents (`annotator assign`) or people are annotating, also what
    is assigned to each annotator (documents, units), the units on their screen now (leased)
    and the shared pool (the documents nobody is assigned).
    """
    if charts:
        from annotator.cli.review import dashboard

        dashboard(as_name=None, project=project, db=db)
        return
    from annotator.store.status_figures import TeamRow

    found = _status_figures(db, project)
    counts, team, version = found.counts, found.team, found.schema
    people: dict[str, dict[str, Any]] = {}
    for name in sorted(set(counts["annotators"]) | set(team.annotators)):
        row = team.annotators.get(name, TeamRow())
        people[name] = {
            **counts["annotators"].get(name, {"done": 0, "skipped": 0, "flagged": 0}),
            "assigned": {"documents": row.assigned_documents, "units": row.assigned_units},
            "leased": row.leased,
        }
    summary = {
        "project": found.project,
        "schema": {"name": version[0], "hash": version[1]} if version else None,
        **counts,
        "annotators": people,
        "pool": {"documents": team.pool_documents, "units": team.pool_units},
    }
    if as_json:
        out.print_json(json.dumps(summary, ensure_ascii=False))
        return
    schema_text = f"{version[0]} ({version[1][:12]})" if version else "none"
    out.print(Text(f"Project {found.project}  ·  schema {schema_text}"))
    out.print(f"{plural(summary['documents'], 'document')}, {plural(summary['units'], 'unit')}")
    if not people:
        out.print("No annotations yet.", style="dim")
        return
    # The team columns only once there is a team: a researcher alone sees the short table.
    teamwork = team.pool_documents < summary["documents"] or any(
        row.leased for row in team.annotators.values()
    )
    columns = ["annotator", "done", "skipped", "flagged"]
    if teamwork:
        columns[1:1] = ["assigned\ndocuments", "assigned\nunits"]
        columns.append("leased")
    table = Table(*columns)
    for column in table.columns[1:]:
        column.justify = "right"
    for who, figures in people.items():
        cells = [f"{figures[k]:,}" for k in ("done", "skipped", "flagged")]
        if teamwork:
            held = figures["assigned"]
            cells[0:0] = [f"{held[k]:,}" if held["documents"] else "–" for k in held]
            cells.append(f"{figures['leased']:,}")
        table.add_row(Text(who), *cells)
    out.print(table)
    if teamwork:
        docs, units = team.pool_documents, team.pool_units
        out.print(
            f"Shared pool (documents nobody is assigned): {docs:,} document{'s' * (docs != 1)}, "
            f"{units:,} unit{'s' * (units != 1)}"
        )


def _status_figures(db: str | None, project: str | None) -> StatusFigures:
    """The figures `status` shows: through sqlite3 alone when the store allows (start-up is
    most of the wait there), else through the store layer, which says what is wrong."""
    from annotator.store.status_direct import StatusFigures, read_status

    quick = read_status(db, project)
    if quick is not None:
        return quick
    from annotator.store.engine import session_scope
    from annotator.store.projects import open_project
    from annotator.store.stats import current_schema_row, project_summary, team_status

    engine, proj = open_project(db, project, access="read")
    with session_scope(engine) as session:
        assert proj.id is not None
        counts = project_summary(session, proj.id)
        team = team_status(session, project_id=proj.id)
        version = current_schema_row(session, proj.schema_version_id)
    schema = (version.name, version.content_hash) if version else None
    return StatusFigures(proj.name, schema, counts, team)


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
    from annotator.tui.type_ahead import held_keys

    db = db or "demo.db"
    with held_keys():  # a name typed while the sample is imported reaches the start screen
        engine = open_store(db)
        with session_scope(engine) as session:
            if not any(p.name == "demo" for p in list_projects(session)):
                create_project(session, "demo", builtin_schema("media_bias"))
        run_import([str(SAMPLE)], project="demo", db=db)
        annotate(annotator=annotator_name, project="demo", db=db)
