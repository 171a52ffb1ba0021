"""The command surface. Each command is a thin shell over the layers below; the TUI is imported
only inside the commands that open it, so `annotator import` and friends start fast."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from annotator import __version__
from annotator.cli_annotate import annotate
from annotator.cli_schema import schema_app
from annotator.errors import UserError, format_user_error
from annotator.ingest.readers import FORMATS, RecordOptions

app = typer.Typer(
    name="annotator",
    help="Label news sentences for media bias and stance, from the terminal.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(schema_app, name="schema")
app.command(help="Open the annotation screen on your next unit.")(annotate)

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar="ANNOTATOR_DB",
        help="Database: a SQLite file path or an SQLAlchemy URL (default ./annotator.db).",
        show_envvar=True,
    ),
]
ProjectOption = Annotated[
    str | None,
    typer.Option("--project", "-p", help="Project name (default: the only project in the store)."),
]


def _version(value: bool) -> None:
    if value:
        out.print(f"annotator {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    pass


@app.command()
def init(
    name: Annotated[str, typer.Option("--name", "-n", help="Name of the new project.")] = "default",
    schema: Annotated[
        Path | None,
        typer.Option("--schema", "-s", help="YAML label schema (default: media_bias)."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Create a project in the store (the store itself is created on first use)."""
    from annotator.schema import builtin_schema, load_schema
    from annotator.store.engine import open_store, session_scope
    from annotator.store.projects import create_project

    loaded = load_schema(schema) if schema else builtin_schema("media_bias")
    engine = open_store(db)
    with session_scope(engine) as session:
        project = create_project(session, name, loaded)
    out.print(
        Text(f"Created project {project.name!r} with schema {loaded.name} ({loaded.short_hash}) ")
        + Text(f"in {engine.url.render_as_string(hide_password=True)}", style="dim")
    )
    out.print("Next: annotator import PATH...", style="dim")


@app.command("import")
def import_(
    paths: Annotated[list[str], typer.Argument(help="Files, folders or glob patterns.")],
    format: Annotated[
        str | None,
        typer.Option("--format", "-f", help=f"Force a format: {', '.join(FORMATS)}."),
    ] = None,
    lang: Annotated[
        str | None, typer.Option("--lang", help="Language of every document (skips detection).")
    ] = None,
    text_field: Annotated[str, typer.Option(help="JSONL/CSV: field with the text.")] = "text",
    id_field: Annotated[
        str | None, typer.Option(help="JSONL/CSV: document id field (groups sentence records).")
    ] = None,
    title_field: Annotated[str | None, typer.Option(help="JSONL/CSV: title field.")] = None,
    url_field: Annotated[str | None, typer.Option(help="JSONL/CSV: URL field.")] = None,
    meta_field: Annotated[
        list[str] | None, typer.Option(help="JSONL/CSV: field kept as metadata (repeatable).")
    ] = None,
    per: Annotated[
        str, typer.Option(help="JSONL/CSV: one record per 'document' or per 'sentence'.")
    ] = "document",
    project: ProjectOption = None,
    db: DbOption = None,
) -> None:
    """Import news articles: feed Markdown, HTML pages, text, JSONL, CSV, RSS/Atom."""
    from annotator.cli_import import run_import

    records = RecordOptions(
        text_field=text_field,
        id_field=id_field,
        title_field=title_field,
        url_field=url_field,
        meta_fields=tuple(meta_field or ()),
        per=per,
    )
    failed = run_import(paths, format=format, lang=lang, records=records, project=project, db=db)
    if failed:
        raise typer.Exit(1)


@app.command()
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    project: ProjectOption = None,
    db: DbOption = None,
) -> None:
    """Show documents, units and annotations per annotator."""
    from annotator.store.engine import open_store, session_scope
    from annotator.store.projects import get_project
    from annotator.store.stats import current_schema_row, project_summary

    engine = open_store(db)
    with session_scope(engine) as session:
        proj = get_project(session, project)
        summary = project_summary(session, proj.id)
        version = current_schema_row(session, proj.schema_version_id)
    summary = {
        "project": proj.name,
        "schema": {"name": version.name, "hash": version.content_hash} if version else None,
        **summary,
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
    for name, counts in summary["annotators"].items():
        table.add_row(
            Text(name), *(f"{counts.get(k, 0):,}" for k in ("done", "skipped", "flagged"))
        )
    out.print(table)


@app.command()
def export(
    format: Annotated[str, typer.Option("--format", "-f", help="Output format: jsonl.")] = "jsonl",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Output file (default: exports/PROJECT-TIME.FORMAT)."),
    ] = None,
    all_units: Annotated[
        bool, typer.Option("--all", help="Every unit, not only the annotated ones.")
    ] = False,
    project: ProjectOption = None,
    db: DbOption = None,
) -> None:
    """Write the project's units and labels to a dataset file."""
    from annotator.export.jsonl import write_jsonl
    from annotator.store.engine import open_store, session_scope
    from annotator.store.projects import get_project
    from annotator.store.stats import current_schema_row

    if format != "jsonl":
        raise UserError(f"--format {format}: unknown format (available: jsonl)")
    engine = open_store(db)
    with session_scope(engine) as session:
        proj = get_project(session, project)
        version = current_schema_row(session, proj.schema_version_id)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    target = output or Path("exports") / f"{proj.name}-{stamp}.{format}"
    schema = {"name": version.name, "hash": version.content_hash} if version else {}
    count = write_jsonl(engine, proj.id, target, schema=schema, include_unannotated=all_units)
    out.print(Text(f"Wrote {count:,} units to {target}"))


@app.command()
def demo(
    annotator_name: Annotated[
        str | None, typer.Option("--annotator", "-a", help="Your name as an annotator.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Set up a project on the bundled VOA sample and open the annotator on it."""
    from annotator.cli_import import run_import
    from annotator.schema import builtin_schema
    from annotator.store.engine import open_store, session_scope
    from annotator.store.projects import create_project, list_projects

    sample = Path(__file__).parent / "samples" / "voa"
    engine = open_store(db)
    with session_scope(engine) as session:
        if not any(p.name == "demo" for p in list_projects(session)):
            create_project(session, "demo", builtin_schema("media_bias"))
    run_import([str(sample)], project="demo", db=db)
    annotate(annotator=annotator_name, project="demo", db=db)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err.print("Interrupted.")
        sys.exit(130)
    except Exception as exc:  # errors for people: one line, never a traceback
        message = format_user_error(exc)
        if message is None:
            raise
        err.print(Text(message, style="red"))
        sys.exit(1)
