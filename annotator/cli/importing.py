"""`annotator import`: progress bar while files are read, then a summary table."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal, cast

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from annotator.cli.options import DbOption, ProjectOption, err, out
from annotator.errors import UserError
from annotator.ingest.detect import FORMATS
from annotator.ingest.model import IngestError

if TYPE_CHECKING:
    from annotator.ingest.parse import FileResult
    from annotator.ingest.records import RecordOptions
    from annotator.ingest.storing import DocumentWriter


def run_import(
    paths: list[str],
    *,
    format: str | None = None,
    lang: str | None = None,
    records: RecordOptions | None = None,
    project: str | None = None,
    db: str | None = None,
    outlets: Path | None = None,
    outlet_rules: Path | None = None,
) -> int:
    """Import `paths` into the project; returns the number of files that failed."""
    # The readers load here, not with the CLI: other commands start faster.
    from annotator.ingest.outlets import load_outlets
    from annotator.ingest.parse import ParseOptions, start_parsing
    from annotator.ingest.sources import iter_sources

    if format is not None and format not in FORMATS:
        raise UserError(f"--format {format}: unknown format (choose one of {', '.join(FORMATS)})")
    try:
        outlet_names = load_outlets(outlets) if outlets is not None else None
    except IngestError as exc:
        raise UserError(str(exc)) from None
    files: list[Path] = []
    missing: list[IngestError] = []
    for item in iter_sources(paths):
        if isinstance(item, Path):
            files.append(item)
        else:
            missing.append(item)
    options = ParseOptions(
        format=format,
        lang=lang,
        records=records,
        outlet_rules=str(outlet_rules) if outlet_rules is not None else None,
    )
    progress = Progress(
        TextColumn("Importing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("files"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )
    shown: set[Path] = set()

    def on_file(result: FileResult) -> None:
        if result.error is not None:
            shown.add(result.path)
            progress.console.print(Text(result.error, style="red"))
        progress.advance(task)

    # The workers start reading now, and the store opens meanwhile; a store or project that
    # is not there stops them.
    with start_parsing(files, options) as parsing, _writer(db, project) as writer:
        from annotator.ingest.storing import store_results

        for problem in missing:
            err.print(Text(str(problem), style="red"))
        with progress:
            task = progress.add_task("import", total=len(files))
            report = store_results(
                writer, parsing, parsing.files, on_file=on_file, outlets=outlet_names
            )
    for path, refused in report.failed:
        if path not in shown:  # refused by the store after it was read
            err.print(Text(refused, style="red"))

    table = Table(title="Import summary", title_justify="left", show_header=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("files read", f"{report.files - len(report.failed):,}")
    table.add_row("documents added", f"{report.documents:,}")
    table.add_row("units added", f"{report.units:,}")
    if report.outlets_renamed:
        table.add_row("outlets named by domain", f"{report.outlets_renamed:,}")
    for reason, count in sorted(report.skipped.items()):
        table.add_row(f"documents skipped: {reason}", f"{count:,}")
    failed = len(report.failed) + len(missing)
    if failed:
        table.add_row(Text("files failed", style="red"), Text(f"{failed:,}", style="red"))
    out.print(table)
    if failed:
        err.print(Text(f"{failed} file(s) not imported; see above.", style="red"))
    return failed


@contextmanager
def _writer(db: str | None, project: str | None) -> Iterator[DocumentWriter]:
    """What writes the documents: sqlite3 alone on a plain SQLite store (SQLAlchemy and the
    models, half a second of CPU on a core the workers need, are not loaded), else the full
    path, which opens any store and says what is wrong with one."""
    from annotator.store.import_direct import open_import

    direct = open_import(db, project)
    if direct is not None:
        with direct:
            yield direct
        return
    from annotator.ingest.pipeline import session_writer
    from annotator.store.projects import open_project

    engine, proj = open_project(db, project, access="write")
    assert proj.id is not None
    yield session_writer(engine, proj.id)


def import_(
    paths: Annotated[
        list[str], typer.Argument(help="Files, folders or glob patterns.", metavar="PATH")
    ],
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
    outlets: Annotated[
        Path | None,
        typer.Option(
            "--outlets",
            help="YAML lines `domain: outlet name` extending the built-in table that names "
            "each outlet once (re-applied to every document of the project).",
        ),
    ] = None,
    outlet_rules: Annotated[
        Path | None,
        typer.Option(
            "--outlet-rules",
            metavar="DIR",
            help="A folder of your own outlet rule files (*.yaml: what is not article text on a "
            "site, where its captions are), read after the built-in ones; instead of "
            "$ANNOTATOR_OUTLET_RULES.",
        ),
    ] = None,
    project: ProjectOption = None,
    db: DbOption = None,
) -> None:
    """Import news articles from files, folders or glob patterns.

    Formats: feed Markdown (bare and Jekyll), HTML pages, plain text, JSONL, CSV, RSS/Atom;
    detected per file unless --format is given. Re-importing a file changes nothing.
    """
    from annotator.ingest.records import RecordOptions

    records = RecordOptions(
        text_field=text_field,
        id_field=id_field,
        title_field=title_field,
        url_field=url_field,
        meta_fields=tuple(meta_field or ()),
        per=cast(Literal["document", "sentence"], per),  # RecordOptions checks it
    )
    failed = run_import(
        paths,
        format=format,
        lang=lang,
        records=records,
        project=project,
        db=db,
        outlets=outlets,
        outlet_rules=outlet_rules,
    )
    if failed:
        raise typer.Exit(1)
