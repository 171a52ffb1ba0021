"""`annotator agreement` and `annotator report`.

Who is asking: the command line is a lead's tool, but annotators share the store, so
per-annotator figures (the annotator table, pairwise matrices, --annotators) are shown when
the store has no lead yet (a researcher alone, or imported data) or when ``--as NAME`` names a
lead. Anyone else gets the task-level figures only: annotators stay blind to each other's
work. This keeps people from seeing what they should not by accident; it is not access
control (whoever can open the database file can read it; on PostgreSQL use its roles).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from annotator.cli.options import DbOption, ProjectOption, out
from annotator.errors import UserError

if TYPE_CHECKING:
    from annotator.analysis.agreement import AgreementReport, TaskAgreement
    from annotator.analysis.checks import CheckReport
    from annotator.analysis.coding import LabelTable
    from annotator.analysis.coefficients import Figure
    from annotator.schema.model import Schema

AsOption = Annotated[
    str | None,
    typer.Option(
        "--as",
        envvar="ANNOTATOR_AS",
        help="Who is asking: per-annotator figures need a lead once the store has one.",
        show_envvar=True,
    ),
]
LevelOption = Annotated[
    str | None,
    typer.Option(
        "--level", help="nominal, ordinal, interval or ratio (default: each task's schema level)."
    ),
]


@dataclass
class Loaded:
    project: str
    schema_name: str
    schema_hash: str
    report: AgreementReport
    lead_view: bool
    summary: dict[str, Any]
    why_hidden: str = ""
    documents: AgreementReport | None = None  # the document tasks, over documents
    checks: CheckReport | None = None  # accuracy on check items (None: the project has none)
    check_answers: int = 0  # answers to check items, left out of the figures above


def load_checks(
    session: Any,
    project_id: int,
    schema: Any,
    *,
    annotators: list[str] | None = None,
    tasks: list[str] | None = None,
) -> tuple[CheckReport | None, int]:
    """Accuracy per annotator on the project's check items (None when it has none, or when
    `tasks` names only article tasks), and how many answers to them the ordinary figures
    leave out. `annotators` and `tasks` narrow it as they narrow the figures."""
    from annotator.analysis.checks import score_checks
    from annotator.store.checks import check_data

    data = check_data(session, project_id)
    types = {t.name: t.type for t in schema.tasks if not tasks or t.name in tasks}
    if not data.known or not types:
        return None, data.left_out
    answers = data.answers
    if annotators:
        answers = [a for a in answers if a[0] in annotators]
    return score_checks(types, data.known, answers, settings=data.settings), data.left_out


def _split(items: list[str] | None) -> list[str]:
    return [p.strip() for item in items or () for p in item.split(",") if p.strip()]


def _load(
    *,
    db: str | None,
    project: str | None,
    as_name: str | None,
    level: str | None = None,
    tasks: list[str] | None = None,
    annotators: list[str] | None = None,
    summary: bool = False,
) -> Loaded:
    """The report (and with `summary`, the counts `annotator report` shows besides)."""
    from annotator.schema.tasks import AGREEMENT_LEVELS as LEVELS

    if level is not None and level not in LEVELS:
        raise UserError(f"--level {level}: use one of {', '.join(LEVELS)}")
    if not summary:
        from annotator.store.agreement_direct import open_agreement

        try:
            direct = open_agreement(db, project, as_name)
        except LookupError as exc:
            raise UserError(f"--as {exc}") from None
        if direct is not None:
            # Its labels are being read meanwhile: the analysis code (numpy) loads beside.
            import annotator.analysis.agreement  # noqa: F401

            return _figures(
                direct.project,
                direct.schema,
                direct.labels(),
                direct.lead_view,
                direct.why_hidden,
                level=level,
                tasks=tasks,
                annotators=annotators,
                check_answers=direct.check_answers(),
            )
    return _load_store(
        db=db,
        project=project,
        as_name=as_name,
        level=level,
        tasks=tasks,
        annotators=annotators,
        summary=summary,
    )


def _load_store(
    *,
    db: str | None,
    project: str | None,
    as_name: str | None,
    level: str | None,
    tasks: list[str] | None,
    annotators: list[str] | None,
    summary: bool,
) -> Loaded:
    """`_load` through the store layer (SQLAlchemy): PostgreSQL, check items, document
    tasks, `annotator report`, and the store's own messages."""
    from annotator.store.document_annotations import document_labels
    from annotator.store.engine import session_scope
    from annotator.store.labels_query import fetch_labels
    from annotator.store.labels_query import lead_view as may_see_annotators
    from annotator.store.projects import open_project
    from annotator.store.schema_versions import current_schema

    engine, proj = open_project(db, project, access="read")
    with session_scope(engine) as session:
        schema = current_schema(session, proj)
        assert proj.id is not None
        table = fetch_labels(session, proj.id, lists=False)
        per_document = document_labels(session, proj.id) if schema.document_tasks else None
        check_report, check_answers = load_checks(
            session, proj.id, schema, annotators=annotators, tasks=tasks
        )
        counts: dict[str, Any] = {}
        if summary:  # `annotator report`: the counts (and the team queries' modules) too
            from annotator.store.stats import project_summary

            counts = project_summary(session, proj.id)
        try:
            lead_view, why = may_see_annotators(session, as_name)
        except LookupError as exc:
            raise UserError(f"--as {exc}") from None
    loaded = _figures(
        proj.name,
        schema,
        table,
        lead_view,
        why,
        level=level,
        tasks=tasks,
        annotators=annotators,
        per_document=per_document,
        summary=counts,
    )
    loaded.checks, loaded.check_answers = check_report, check_answers
    return loaded


def _figures(
    project: str,
    schema: Schema,
    table: LabelTable,
    lead_view: bool,
    why: str,
    *,
    level: str | None,
    tasks: list[str] | None,
    annotators: list[str] | None,
    per_document: Any = None,
    summary: dict[str, Any] | None = None,
    check_answers: int = 0,
) -> Loaded:
    """The figures of what `_load` read."""
    from annotator.analysis.agreement import compute_agreement

    if annotators and not lead_view:
        raise UserError(f"--annotators: {why}")
    on_documents = {t.name for t in schema.document_tasks}
    unknown = [t for t in tasks or () if t not in on_documents and schema.task(t) is None]
    if unknown:
        names = [t.name for t in (*schema.tasks, *schema.document_tasks)]
        raise UserError(
            f"no task {', '.join(unknown)} in schema {schema.name} (tasks: {', '.join(names)})"
        )
    asked = [t for t in tasks or () if t not in on_documents]
    asked_of_documents = [t for t in tasks or () if t in on_documents]
    # Only document tasks asked for: the sentence figures cover no task.
    of_units = schema if asked or not tasks else replace(schema, tasks=())
    try:
        report = compute_agreement(
            of_units, table, level=level, annotators=annotators or None, tasks=asked or None
        )
    except ValueError as exc:
        raise UserError(str(exc)) from None
    documents = None
    if per_document is not None and (asked_of_documents or not tasks):
        with contextlib.suppress(ValueError):  # e.g. --annotators who answered no article
            documents = compute_agreement(
                schema.per_document(),
                per_document,
                level=level,
                annotators=annotators or None,
                tasks=asked_of_documents or None,
            )
    counts = summary or {}
    loaded = Loaded(project, schema.name, schema.content_hash, report, lead_view, counts, why)
    loaded.documents = documents
    loaded.check_answers = check_answers
    return loaded


# --- rendering -------------------------------------------------------------------------


def fmt(fig: Figure | None, digits: int = 3) -> str:
    if fig is None or fig.value is None:
        return "–"
    return f"{fig.value:.{digits}f}"


def _units(fig: Figure | None) -> str:
    return f"{fig.units:,}" if fig is not None and fig.units else "–"


def _task_table(tasks: list[TaskAgreement]) -> Table:
    table = Table(title="Agreement per task", title_justify="left")
    for name in ("task", "level", "units", "annotators", "alpha", "Fleiss κ", "% agree"):
        table.add_column(name, justify="left" if name in ("task", "level") else "right")
    for t in tasks:
        main = t.f1 if t.type == "span" else t.alpha
        label = "token F1" if t.type == "span" else t.level
        table.add_row(
            Text(t.name),
            Text(label),
            _units(main),
            str(main.annotators if main is not None else len(t.annotators)),
            fmt(main),
            fmt(t.fleiss),
            f"{t.percent.value:.1%}" if t.percent and t.percent.value is not None else "–",
        )
    return table


def _per_label_table(t: TaskAgreement) -> Table:
    table = Table(title=f"{t.name}: binary alpha per label", title_justify="left")
    for name in ("label", "chosen", "units", "alpha"):
        table.add_column(name, justify="left" if name == "label" else "right")
    for label, fig in t.per_label.items():
        table.add_row(Text(label), f"{t.distribution.get(label, 0):,}", _units(fig), fmt(fig))
    return table


def _pair_table(t: TaskAgreement, title: str, pairs: list[list[Figure | None]]) -> Table:
    table = Table(title=f"{t.name}: {title}", title_justify="left")
    table.add_column("")
    for name in t.annotators:
        table.add_column(Text(name), justify="right")
    for name, row in zip(t.annotators, pairs, strict=True):
        table.add_row(Text(name), *(fmt(f, 2) if f is not None else "·" for f in row))
    return table


def _annotator_table(report: AgreementReport) -> Table:
    table = Table(title="Per annotator", title_justify="left")
    table.add_column("annotator")
    table.add_column("role")
    for name in ("done", "skipped", "flagged", "median s", "with majority (units)", "DS accuracy"):
        table.add_column(name, justify="right")
    for a in report.annotators:
        overall = a.overall
        table.add_row(
            Text(a.name),
            Text(a.role),
            f"{a.done:,}",
            f"{a.skipped:,}",
            f"{a.flagged:,}",
            f"{a.median_seconds:.1f}" if a.median_seconds is not None else "–",
            f"{overall.value:.1%} ({overall.units:,})" if overall.value is not None else "–",
            f"{a.estimated_accuracy:.1%}" if a.estimated_accuracy is not None else "–",
        )
    return table


def _check_table(checks: CheckReport) -> Table:
    table = Table(title="Accuracy on check items", title_justify="left")
    table.add_column("annotator")
    for name in ("checks", "task", "scored", "correct", "accuracy"):
        table.add_column(name, justify="left" if name == "task" else "right")
    below = checks.below()
    for p in checks.people:
        rows = (
            [
                ("all", p.answered, p.correct, p.accuracy),
                *((t, s.answered, s.correct, s.accuracy) for t, s in p.tasks.items()),
            ]
            if len(p.tasks) > 1
            else [(t, s.answered, s.correct, s.accuracy) for t, s in p.tasks.items()]
        )
        for i, (task, n, correct, accuracy) in enumerate(rows):
            table.add_row(
                Text(p.annotator if i == 0 else "", style="bold yellow" if p in below else ""),
                f"{p.checks:,}" if i == 0 else "",
                Text(task),
                f"{n:,}",
                f"{correct:,}",
                f"{accuracy:.1%}" if accuracy is not None else "–",
            )
    return table


def _print_checks(loaded: Loaded) -> None:
    checks = loaded.checks
    if loaded.check_answers:
        out.print(
            Text(
                f"Answers to check items ({loaded.check_answers:,}) are left out of the figures "
                "above: they are scored against the known answers.",
                style="dim",
            )
        )
    if checks is None or not loaded.lead_view:
        return
    out.print(
        Text(
            f"Check items: {checks.items:,}, mixed in at {checks.rate:.0%} of each queue"
            + (f"; warning below {checks.warn_below:.0%}" if checks.warn_below is not None else "")
        )
    )
    if not checks.people:
        out.print("No answers to check items yet.", style="dim")
        return
    out.print(_check_table(checks))
    for line in checks.warnings():
        out.print(Text(f"warning: {line}", style="bold yellow"))


def agreement(
    task: Annotated[
        list[str] | None,
        typer.Option("--task", "-t", help="Only these tasks (comma-separated or repeated)."),
    ] = None,
    level: LevelOption = None,
    annotators: Annotated[
        list[str] | None,
        typer.Option("--annotators", help="Only these annotators (comma-separated or repeated)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    as_name: AsOption = None,
    project: ProjectOption = None,
    db: DbOption = None,
) -> None:
    """Measure inter-annotator agreement per task.

    Krippendorff's alpha, Fleiss' and Cohen's kappa, percent agreement, token F1 for spans;
    work and agreement with the majority per annotator (for leads).
    """
    import json

    loaded = _load(
        db=db,
        project=project,
        as_name=as_name,
        level=level,
        tasks=_split(task),
        annotators=_split(annotators),
    )
    report = loaded.report
    if as_json:
        data = {"project": loaded.project, **report.to_dict(per_annotator=loaded.lead_view)}
        data["per_annotator"] = loaded.lead_view
        if loaded.documents is not None:
            data["documents"] = loaded.documents.to_dict(per_annotator=loaded.lead_view)
        data["check_answers_left_out"] = loaded.check_answers
        if loaded.checks is not None and loaded.lead_view:
            data["checks"] = loaded.checks.as_json()
        out.print_json(json.dumps(data, ensure_ascii=False))
        return
    out.print(
        Text(
            f"Project {loaded.project}  ·  schema {loaded.schema_name} "
            f"({loaded.schema_hash[:12]})  ·  {report.annotated_units:,} of "
            f"{report.total_units:,} units labelled"
        )
    )
    if not report.annotated_units and not (loaded.documents and loaded.documents.annotated_units):
        out.print("No labels yet: nothing to measure.", style="dim")
        _print_checks(loaded)
        return
    if report.tasks:
        _print_tasks(report, loaded)
    if loaded.documents is not None:
        docs = loaded.documents
        out.print(
            Text(
                f"Per article (document tasks): {docs.annotated_units:,} of "
                f"{docs.total_units:,} documents answered"
            )
        )
        if docs.annotated_units:
            _print_tasks(docs, loaded)
    _print_checks(loaded)


def _print_tasks(report: AgreementReport, loaded: Loaded) -> None:
    out.print(_task_table(report.tasks))
    for line in (n for t in report.tasks for n in t.notes()):
        out.print(Text(line, style="dim"))
    for t in report.tasks:
        if t.per_label:
            out.print(_per_label_table(t))
    if not loaded.lead_view:
        out.print(Text(loaded.why_hidden, style="dim"))
        return
    for t in report.tasks:
        if t.cohen and len(t.annotators) > 1:
            out.print(_pair_table(t, "Cohen's kappa per pair", t.cohen))
        if t.f1_pairs and len(t.annotators) > 1:
            out.print(_pair_table(t, "token F1 per pair", t.f1_pairs))
    out.print(_annotator_table(report))


def report(
    output: Annotated[Path, typer.Option("--output", "-o", help="The HTML file to write.")],
    level: LevelOption = None,
    as_name: AsOption = None,
    project: ProjectOption = None,
    db: DbOption = None,
) -> None:
    """Write the project's progress and agreement as one HTML page.

    Self-contained: inline CSS and SVG charts, no scripts, nothing loaded from the network.
    """
    from annotator.report.html import render_report

    if output.suffix.lower() not in (".html", ".htm"):
        raise UserError(f"{output}: give an .html file")
    if not output.parent.is_dir():
        raise UserError(f"{output}: folder {output.parent} does not exist")
    loaded = _load(db=db, project=project, as_name=as_name, level=level, summary=True)
    page = render_report(
        project=loaded.project,
        schema=f"{loaded.schema_name} ({loaded.schema_hash[:12]})",
        summary=loaded.summary,
        report=loaded.report,
        per_annotator=loaded.lead_view,
        hidden_note=loaded.why_hidden,
        documents=loaded.documents,
        checks=loaded.checks,
        check_answers=loaded.check_answers,
    )
    tmp = output.with_name(output.name + ".part")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(output)
    out.print(Text(f"Wrote {output} ({len(page.encode()) / 1024:,.0f} KiB)"))
