"""One export from start to end: select rows, plan splits, stream them to a format, card.

`export_project` is what the CLI calls; it is also the library entry point.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from annotator.analysis.aggregate import MODEL_METHODS
from annotator.errors import UserError
from annotator.export.atomic import atomic_write
from annotator.export.card import CardStats, render_card
from annotator.export.card_agreement import AgreementLabels, card_agreement
from annotator.export.card_stream import StreamCard
from annotator.export.gold import GoldRules, gold_rules
from annotator.export.options import FORMATS, SPLIT_NAMES, ExportOptions
from annotator.export.rows import open_stream
from annotator.export.select import select_rows, selected_tasks, stream_filters
from annotator.export.splits import plan_splits_stream
from annotator.schema.model import Schema
from annotator.store.models import Project
from annotator.store.schema_versions import current_schema

DEFAULT_SPLIT = (0.8, 0.1, 0.1)
FOLDER_FORMATS = ("hf", "conll")
# Formats with a writer that builds its output straight from the store stream.
STREAM_FORMATS = ("jsonl", "csv", "parquet")


@dataclass
class ExportResult:
    target: Path
    format: str
    records: int  # lines, rows or tasks written (per format)
    card: Path | None = None
    config: Path | None = None  # Label Studio: the labeling config beside the tasks
    splits: dict[str, int] = field(default_factory=dict)  # units per split
    notes: list[str] = field(default_factory=list)  # what the export left out, and why


def card_path(target: Path, fmt: str) -> Path:
    if fmt in FOLDER_FORMATS:
        return target / "README.md"
    return target.with_name(target.name + ".card.md")


def export_project(
    engine: Engine,
    project: Project,
    fmt: str,
    target: Path,
    opts: ExportOptions,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> ExportResult:
    """`progress(done, total)` hears how many units the writing pass has read so far."""
    if fmt not in FORMATS:
        raise UserError(f"--format {fmt}: unknown format (formats: {', '.join(FORMATS)})")
    assert project.id is not None
    pid: int = project.id
    if fmt in ARROW_FORMATS:
        _need_pyarrow(fmt)
    with Session(engine) as session:
        schema = current_schema(session, project)
    if fmt in FOLDER_FORMATS:
        # Folder formats are datasets with splits and gold by nature.
        opts = replace(opts, gold=True, split=opts.split or DEFAULT_SPLIT)
    task_types = selected_tasks(schema, opts)
    table = None
    if opts.gold and opts.gold_method in MODEL_METHODS:
        from annotator.store.labels_query import fetch_labels

        with Session(engine) as session:
            table = fetch_labels(session, pid)
    rules = gold_rules(schema, task_types, opts.gold_method if opts.gold else "majority", table)
    posteriors = tuple(rules.posterior_tasks(task_types)) if opts.gold else ()
    schema_meta = {"name": schema.name, "hash": schema.content_hash}

    splits = None
    notes: list[str] = []
    split_names: tuple[str, ...] = ()
    if opts.split:
        with open_stream(engine, pid, stream_filters(opts)) as stream:
            splits = plan_splits_stream(stream, task_types, opts.split, opts.seed, rules)
        split_names, notes = kept_splits(SPLIT_NAMES[len(opts.split)], opts.split, splits)
    want_card = opts.card or fmt in FOLDER_FORMATS
    stats = CardStats(task_types, gold=opts.gold)
    labels = AgreementLabels()  # the exported labels, for the card's agreement

    def card(yaml_header: str = "") -> str:
        return render_card(
            stats,
            project=project.name,
            schema_name=schema.name,
            schema_hash=schema.content_hash,
            fmt=fmt,
            opts=opts,
            yaml_header=yaml_header,
            agreement=card_agreement(schema, labels, opts.tasks),
            notes=notes,
            overlap=schema.overlap,
            guidelines=schema.guidelines,
        )

    step = _progress_step(engine, pid, progress)
    if streamable(fmt, opts):
        watch = StreamCard(stats, splits, labels, rules) if want_card else None
        result = _write_stream(
            engine, pid, fmt, target, schema, task_types, opts, splits, watch, rules, step
        )
    else:
        rows = select_rows(
            engine,
            pid,
            schema,
            opts,
            splits=splits,
            watch=labels if want_card else None,
            rules=rules,
            progress=step,
        )
        if want_card:
            rows = stats.watch(rows)
        result = _write(
            fmt, rows, target, schema, task_types, schema_meta, opts, card, split_names, posteriors
        )
    if want_card and fmt not in FOLDER_FORMATS:
        result.card = card_path(target, fmt)
        with atomic_write(result.card, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(card())
    elif fmt in FOLDER_FORMATS:
        result.card = card_path(target, fmt)
    if not result.splits and want_card:
        result.splits = dict(stats.units)
    result.notes = notes
    return result


def kept_splits(
    names: tuple[str, ...], fractions: tuple[float, ...], plan: dict[int, str]
) -> tuple[tuple[str, ...], list[str]]:
    """The splits that received documents (in order), and a line for each left out.

    A split with no rows is left out of the files and the card: `datasets` refuses a
    declared split with no data. A document's units stay in one split, so a project with
    fewer documents than requested splits cannot fill them all."""
    used = set(plan.values())
    kept = tuple(n for n in names if n in used) or names[:1]
    empty = [n for n, f in zip(names, fractions, strict=True) if n not in kept and f > 0]
    notes: list[str] = []
    if empty:
        docs = len(plan)
        wanted = sum(1 for f in fractions if f > 0)
        why = (
            f"the export has {docs} document{'s' if docs != 1 else ''} for {wanted} splits, "
            "and a document's units stay in one split"
            if docs < wanted
            else "no document fell to them at these shares"
        )
        notes.append(f"Split{'s' if len(empty) > 1 else ''} {' and '.join(empty)} left out: {why}.")
    return kept, notes


def _progress_step(
    engine: Engine, pid: int, progress: Callable[[int, int], None] | None
) -> Callable[[int], None] | None:
    """The stream's "n more units" turned into `progress(done, total)`."""
    if progress is None:
        return None
    with open_stream(engine, pid) as stream:
        total = stream.total_units()
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        progress(done, total)

    return step


ARROW_FORMATS = ("parquet", "hf")


def _need_pyarrow(fmt: str) -> None:
    """Parquet (and hf, which is Parquet) needs pyarrow, an extra: say so in one line."""
    import importlib.util

    if importlib.util.find_spec("pyarrow") is None:
        raise UserError(
            f"--format {fmt} needs pyarrow: pip install 'annotator[parquet]' "
            "(or pip install -e '.[parquet]' in a clone)"
        )


def streamable(fmt: str, opts: ExportOptions) -> bool:
    """Whether a stream writer does this export (any options: the table and line formats;
    the others build their records from row dicts)."""
    return fmt in STREAM_FORMATS


def _write_stream(
    engine: Engine,
    project_id: int,
    fmt: str,
    target: Path,
    schema: Schema,
    task_types: dict[str, str],
    opts: ExportOptions,
    splits: dict[int, str] | None,
    watch: StreamCard | None = None,
    rules: GoldRules | None = None,
    progress: Callable[[int], None] | None = None,
) -> ExportResult:
    spans = "span" in task_types.values()
    with open_stream(engine, project_id, stream_filters(opts), with_tokens=spans) as stream:
        stream.watch = watch
        stream.progress = progress
        if fmt == "jsonl":
            from annotator.export.jsonl import write_jsonl_stream

            meta = {"name": schema.name, "hash": schema.content_hash}
            n = write_jsonl_stream(
                stream,
                target,
                schema=meta,
                splits=splits,
                task_types=task_types,
                every_task=opts.tasks is None,
                gold=opts.gold,
                rules=rules,
            )
        elif fmt == "csv":
            from annotator.export.csv_writer import write_csv_stream

            n = write_csv_stream(
                stream,
                target,
                task_types=task_types,
                splits=splits,
                safe=opts.excel_safe,
                gold=opts.gold,
                rules=rules,
            )
        else:
            from annotator.export.parquet import write_parquet_stream

            n = write_parquet_stream(
                stream,
                target,
                task_types=task_types,
                splits=splits,
                metadata=_file_metadata(schema),
                gold=opts.gold,
                rules=rules,
            )
        if watch is not None:
            watch.finish(stream)
    return ExportResult(target, fmt, n)


def _file_metadata(schema: Schema) -> dict[str, str]:
    """Key-value metadata for Parquet files: which schema the labels follow."""
    return {"annotator.schema_name": schema.name, "annotator.schema_hash": schema.content_hash}


def _write(
    fmt, rows, target, schema: Schema, task_types, schema_meta, opts, card, split_names, posteriors
) -> ExportResult:
    split = opts.split is not None
    if fmt == "jsonl":
        from annotator.export.jsonl import write_jsonl_rows

        n = write_jsonl_rows(rows, target, schema=schema_meta)
    elif fmt == "csv":
        from annotator.export.csv_writer import write_csv

        n = write_csv(
            rows,
            target,
            task_types=task_types,
            gold=opts.gold,
            split=split,
            safe=opts.excel_safe,
            posteriors=posteriors,
        )
    elif fmt == "parquet":
        from annotator.export.parquet import write_parquet

        n = write_parquet(
            rows,
            target,
            task_types=task_types,
            gold=opts.gold,
            split=split,
            metadata=_file_metadata(schema),
            posteriors=posteriors,
        )
    elif fmt == "label-studio":
        from annotator.export.label_studio import write_label_studio
        from annotator.export.label_studio_config import config_path, labeling_config

        n = write_label_studio(
            rows, target, task_types=task_types, gold=opts.gold, schema_meta=schema_meta
        )
        config = config_path(target)
        with atomic_write(config, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(labeling_config(schema, list(task_types)))
        return ExportResult(target, fmt, n, config=config)
    elif fmt == "prodigy":
        from annotator.export.prodigy import write_prodigy

        n = write_prodigy(
            rows,
            target,
            schema=schema,
            task_types=task_types,
            gold=opts.gold,
            schema_meta=schema_meta,
        )
    elif fmt == "hf":
        from annotator.export.hf import write_hf

        sizes = write_hf(
            rows,
            target,
            task_types=task_types,
            split_names=split_names,
            metadata=_file_metadata(schema),
            card=card,
            posteriors=posteriors,
        )
        return ExportResult(target, fmt, sum(sizes.values()), splits=sizes)
    else:  # conll
        from annotator.export.conll import write_conll

        sizes = write_conll(rows, target, task_types=task_types, split_names=split_names, card=card)
        return ExportResult(target, fmt, sum(sizes.values()), splits=sizes)
    return ExportResult(target, fmt, n)
