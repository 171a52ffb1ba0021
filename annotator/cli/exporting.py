"""`annotator export` (every format) and `annotator labels import`.

To be registered by cli.py: ``app.command()(export)`` and ``app.add_typer(labels_app,
name="labels")``.
"""

from __future__ import annotations

import shlex
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from annotator.analysis.aggregate import GOLD_METHODS
from annotator.cli.options import DbOption, ProjectOption, err, out
from annotator.errors import UserError
from annotator.export.formats import FORMATS, export_format
from annotator.heap import heap_left_alone, no_last_pass_at_exit
from annotator.wording import plural

_FOLDERS = " and ".join(name for name, f in FORMATS.items() if f.folder)


def _command_line() -> str:
    args = sys.argv[1:]
    return " ".join(["annotator", *(shlex.quote(a) for a in args)])


def export(
    format: Annotated[
        str, typer.Option("--format", "-f", help=f"Output format: {', '.join(FORMATS)}.")
    ] = "jsonl",
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help=f"Output file, or folder for {_FOLDERS} (default: exports/PROJECT-TIME...).",
        ),
    ] = None,
    all_units: Annotated[
        bool, typer.Option("--all", help="Every unit, not only the annotated ones.")
    ] = False,
    annotators: Annotated[
        list[str] | None,
        typer.Option("--annotators", help="Only these annotators (comma-separated or repeated)."),
    ] = None,
    tasks: Annotated[
        list[str] | None,
        typer.Option("--tasks", help="Only these tasks (comma-separated or repeated)."),
    ] = None,
    status: Annotated[
        str, typer.Option("--status", help="'done' (default) or 'all' (skipped and flagged too).")
    ] = "done",
    since: Annotated[
        str | None,
        typer.Option("--since", help="Only annotations changed on or after this ISO date."),
    ] = None,
    gold: Annotated[
        bool,
        typer.Option(
            "--gold", help="Add one gold value per unit and task: adjudicated, else majority."
        ),
    ] = False,
    # (Typer has no option that is a flag and takes a value too, hence a second option.)
    gold_method: Annotated[
        str | None,
        typer.Option(
            "--gold-method",
            metavar="majority|dawid-skene|mace|adjudicated-only",
            help="How --gold decides where no lead adjudicated (implies --gold): majority "
            "vote, dawid-skene or mace (each adds a posterior column) or adjudicated-only "
            "(no value).",
        ),
    ] = None,
    split: Annotated[
        str | None,
        typer.Option(
            "--split",
            help="Train/validation/test shares like 80/10/10, grouped by document "
            f"({_FOLDERS} default to 80/10/10).",
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed for --split.")] = 0,
    card: Annotated[
        bool,
        typer.Option("--card", help="Write a dataset card beside the file (always for hf)."),
    ] = False,
    excel_safe: Annotated[
        bool,
        typer.Option(
            "--excel-safe", help="CSV: neutralise cells starting with = + - @ and add a BOM."
        ),
    ] = False,
    license: Annotated[
        str | None,
        typer.Option("--license", help="The dataset's licence for the card, e.g. CC-BY-4.0."),
    ] = None,
    project: ProjectOption = None,
    db: DbOption = None,
) -> None:
    from annotator.export.options import ExportOptions, parse_list, parse_since, parse_split
    from annotator.export.run import open_source

    fmt = export_format(format)
    if gold_method is not None and gold_method not in GOLD_METHODS:
        raise UserError(f"--gold-method {gold_method}: use {', '.join(GOLD_METHODS)}")
    if status not in ("done", "all"):
        raise UserError(f"--status {status}: use 'done' or 'all'")
    who = parse_list(annotators)
    opts = ExportOptions(
        annotators=frozenset(who) if who else None,
        tasks=parse_list(tasks),
        status=status,
        since=parse_since(since) if since else None,
        gold=gold or gold_method is not None,
        gold_method=gold_method or "majority",
        split=parse_split(split) if split else None,
        seed=seed,
        include_unannotated=all_units,
        card=card,
        excel_safe=excel_safe,
        command=_command_line(),
        license=license,
    )
    if fmt.extra == "parquet":
        from annotator.export.arrow import load_pyarrow_alone

        load_pyarrow_alone()  # (first: nothing may have loaded numpy yet, see there)
    source = open_source(db, project, opts)
    try:
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        target = output or Path("exports") / fmt.default_name(f"{source.project_name}-{stamp}")
        # The collector, about 5% of a 100k-label export (more for Parquet), eased while it
        # streams: the heap before it is frozen out of its passes, and the rows in flight are
        # passed over every EXPORT_GC_THRESHOLD new objects. It still runs: gold and splits
        # make a few reference cycles per unit, and memory must stay flat.
        with heap_left_alone(threshold=EXPORT_GC_THRESHOLD):
            result = _export_with_progress(source, format, target, opts)
    finally:
        source.close()
    # Written, on disk and closed: what is left at exit needs no collecting.
    no_last_pass_at_exit()
    line = f"Wrote {plural(result.records, fmt.record)} to {result.target}"
    if (result.splits and opts.split) or fmt.folder:
        line += " (" + ", ".join(f"{k} {v:,}" for k, v in result.splits.items()) + ")"
    out.print(Text(line))
    for note in result.notes:
        out.print(Text(note, style="yellow"))
    if result.documents is not None:
        out.print(
            Text(
                f"Document tasks: {plural(result.document_records, 'answer')} to {result.documents}"
            )
        )
    if result.config is not None:
        out.print(Text(f"Label Studio labeling config: {result.config}", style="dim"))
    if result.card is not None and not fmt.folder:  # a folder's card is its README.md
        out.print(Text(f"Dataset card: {result.card}", style="dim"))


# The command's help, its list of formats from the table.
export.__doc__ = (
    "Write the project's units and labels as a dataset.\n\nFormats: "
    + ", ".join(f"{name} ({f.about})" if f.about else name for name, f in FORMATS.items())
    + ". Files are written whole or not at all."
)


# New objects between two passes of the cycle collector over the youngest (Python's: 700).
EXPORT_GC_THRESHOLD = 20_000


def _export_with_progress(source, fmt: str, target: Path, opts):
    """A Rich progress bar on a terminal (stderr); nothing when piped or in a log."""
    from annotator.export.run import export_source

    if not err.is_terminal:
        return export_source(source, fmt, target, opts)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("Exporting"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("units"),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("export", total=None)
        return export_source(
            source,
            fmt,
            target,
            opts,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )


labels_app = typer.Typer(
    help="Import labels made elsewhere, for agreement or a second round.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


def _pairs(items: list[str] | None, option: str, sep: str = "=") -> list[tuple[str, str]]:
    pairs = []
    for item in items or ():
        key, found, value = item.partition(sep)
        if not found or not key.strip() or not value.strip():
            raise UserError(f"{option} {item}: expected KEY{sep}VALUE")
        pairs.append((key.strip(), value.strip()))
    return pairs


@labels_app.command("import")
def labels_import(
    file: Annotated[Path, typer.Argument(help="JSONL or CSV file of labels.", metavar="FILE")],
    annotator: Annotated[
        str | None,
        typer.Option("--annotator", "-a", help="Annotator for records without one."),
    ] = None,
    text_field: Annotated[str, typer.Option(help="Field with the unit's exact text.")] = "text",
    unit_id_field: Annotated[str, typer.Option(help="Field with our unit id.")] = "unit_id",
    annotator_field: Annotated[str, typer.Option(help="Field with the annotator.")] = "annotator",
    task_field: Annotated[str, typer.Option(help="Field naming the task.")] = "task",
    value_field: Annotated[str, typer.Option(help="Field with the task's value.")] = "value",
    values_field: Annotated[
        str, typer.Option(help="Field with a {task: value} mapping.")
    ] = "values",
    status_field: Annotated[str, typer.Option(help="Field with done/skipped/flagged.")] = "status",
    column: Annotated[
        list[str] | None,
        typer.Option("--column", help="TASK=COLUMN: a column holding a task's value (repeat)."),
    ] = None,
    map_value: Annotated[
        list[str] | None,
        typer.Option("--map", help="TASK:FROM=TO: rename a value as written in the file."),
    ] = None,
    preset: Annotated[
        str | None,
        typer.Option("--preset", help="Column mapping for a known data set: babe (BABE/MBIC)."),
    ] = None,
    delimiter: Annotated[
        str | None, typer.Option(help="CSV delimiter (default: guessed from the header).")
    ] = None,
    as_name: Annotated[
        str | None,
        typer.Option(
            "--as",
            envvar="ANNOTATOR_AS",
            help="Who is importing, for the audit trail (default: your login name).",
            show_envvar=True,
        ),
    ] = None,
    project: ProjectOption = None,
    db: DbOption = None,
) -> None:
    """Import labels: records with text or unit_id, annotator, and task+value or values."""
    from annotator.labels import Columns, babe_columns, import_labels, import_labels_direct

    if not file.is_file():
        raise UserError(f"{file}: no such file")
    if preset not in (None, "babe"):
        raise UserError(f"--preset {preset}: unknown preset (presets: babe)")
    cols = babe_columns(file) if preset == "babe" else Columns()
    cols.text, cols.unit_id, cols.task = text_field, unit_id_field, task_field
    cols.value, cols.values, cols.status = value_field, values_field, status_field
    if preset is None or annotator_field != "annotator":
        cols.annotator = annotator_field
    if annotator:
        cols.default_annotator = annotator
    cols.task_columns.update(dict(_pairs(column, "--column")))
    for key, to in _pairs(map_value, "--map"):
        task, found, source = key.partition(":")
        if not found:
            raise UserError(f"--map {key}={to}: expected TASK:FROM=TO")
        cols.value_map[task, source] = to
    cols.delimiter = delimiter
    report = import_labels_direct(db, project, file, cols, actor=as_name)
    if report is None:  # not a current SQLite store with the project: the store layer says why
        from annotator.store.projects import open_project

        engine, proj = open_project(db, project)
        report = import_labels(engine, proj, file, cols, actor=as_name)
    for line in report.problems[:200]:
        err.print(Text(line), style="yellow", soft_wrap=True)
    if len(report.problems) > 200:
        err.print(f"... and {len(report.problems) - 200:,} more bad records", style="yellow")
    for line in report.warnings[:50]:
        err.print(Text(f"{file.name}: {line}"), style="dim", soft_wrap=True)
    out.print(
        Text(
            f"{plural(report.records, 'record')}: {plural(report.created, 'new label')}, "
            f"{report.updated:,} changed, {report.unchanged:,} unchanged, "
            f"{report.failed:,} bad; {plural(report.units_created, 'new unit')} in "
            f"{plural(report.documents_created, 'new document')}"
            + (
                f"; {plural(report.document_answers, 'new or changed article answer')}"
                if report.document_answers
                else ""
            )
        )
    )
    if report.failed:
        raise typer.Exit(1)
