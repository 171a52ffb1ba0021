"""`annotator checks add|import|list|remove|settings`: units with known answers, mixed into
every annotator's queue to measure their accuracy (see ``annotator.store.checks``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from annotator.cli.options import DbOption, ProjectOption, err, out
from annotator.errors import UserError
from annotator.wording import plural

checks_app = typer.Typer(
    help="Check items: units with a known answer, mixed into every annotator's queue at a set "
    "rate; accuracy on them is in `agreement`, the dashboard and the report.",
    no_args_is_help=True,
    rich_markup_mode=None,  # plain help like the other groups: docstrings keep no stray breaks
)

AsOption = Annotated[
    str | None,
    typer.Option(
        "--as",
        envvar="ANNOTATOR_AS",
        help="Who adds them, kept with each check (default: your login name).",
        show_envvar=True,
    ),
]


def _who(as_name: str | None) -> str:
    from annotator.labels import importing_user

    return (as_name or importing_user())[:200]


def _split(items: list[str] | None) -> list[str]:
    return [p.strip() for item in items or () for p in item.split(",") if p.strip()]


def _schema(session: Any, proj: Any) -> Any:
    from annotator.store.schema_versions import current_schema

    return current_schema(session, proj)


@checks_app.command("add")
def add(
    from_adjudicated: Annotated[
        bool,
        typer.Option(
            "--from-adjudicated",
            help="Take units the lead has decided in `review`: their decisions are the answers.",
        ),
    ] = False,
    task: Annotated[
        list[str] | None,
        typer.Option(
            "--task",
            "-t",
            help="Only units decided on all these tasks, with these as the answer (default: "
            "every decided unit, with the tasks decided on it).",
        ),
    ] = None,
    count: Annotated[
        int | None, typer.Option("--count", "-n", help="At most this many (in unit order).")
    ] = None,
    as_name: AsOption = None,
    project: ProjectOption = None,
    db: DbOption = None,
) -> None:
    """Make adjudicated units check items (the lead's decisions are their known answers)."""
    from annotator.store import checks
    from annotator.store.engine import session_scope
    from annotator.store.projects import open_project

    if not from_adjudicated:
        raise UserError("say where the checks come from: --from-adjudicated (or `checks import`)")
    if count is not None and count < 1:
        raise UserError(f"--count {count}: give a number of units, 1 or more")
    engine, proj = open_project(db, project, access="write")
    assert proj.id is not None
    with session_scope(engine) as s:
        schema = _schema(s, proj)
        tasks = _split(task)
        unknown = [t for t in tasks if schema.task(t) is None]
        if unknown:
            names = ", ".join(t.name for t in schema.tasks)
            raise UserError(f"--task {', '.join(unknown)}: not in schema {schema.name} ({names})")
        decided = checks.adjudicated_tasks(s, proj.id)
        every = bool(tasks)
        tasks = tasks or [t.name for t in schema.tasks if t.name in decided]
        if not tasks:
            raise UserError("no unit has been decided in `annotator review` yet: nothing to add")
        found = checks.adjudicated(s, proj.id, tasks, every=every)
        if count is not None:
            found = found[:count]
        added, _ = checks.add_checks(
            s, proj.id, found, source=checks.ADJUDICATED, created_by=_who(as_name)
        )
        total = len(checks.unit_ids(s, proj.id))
    out.print(
        Text(
            f"Added {plural(added, 'check item')} from decided units ({', '.join(tasks)}); "
            f"the project has {plural(total, 'check item')}."
        )
    )
    if not added:
        err.print(
            "note: every decided unit "
            + (f"with a decision on each of {', '.join(tasks)} " if every else "")
            + "is a check already",
            style="yellow",
        )


@checks_app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="JSONL or CSV file of checks.", metavar="FILE")],
    as_name: AsOption = None,
    project: ProjectOption = None,
    db: DbOption = None,
) -> None:
    """Import check items: records naming a unit (unit_id, document_id + position, or its
    exact text) with the known answer (values {task: value}, task + value, or a column per
    task). Bad records get a line each; the rest are imported."""
    from annotator.labels.checks_file import read_checks
    from annotator.store import checks
    from annotator.store.engine import session_scope
    from annotator.store.projects import open_project

    if not file.is_file():
        raise UserError(f"{file}: no such file")
    engine, proj = open_project(db, project, access="write")
    assert proj.id is not None
    with session_scope(engine) as s:
        got = read_checks(s, proj.id, _schema(s, proj), file)
        added, kept = checks.add_checks(
            s,
            proj.id,
            got.items,
            source=checks.IMPORTED,
            created_by=_who(as_name),
            origin=str(file.resolve()),
        )
    for line in got.problems[:200]:
        err.print(Text(line), style="yellow", soft_wrap=True)
    if len(got.problems) > 200:
        err.print(f"... and {len(got.problems) - 200:,} more bad records", style="yellow")
    for line in got.warnings[:50]:
        err.print(Text(line), style="dim", soft_wrap=True)
    out.print(
        Text(
            f"{plural(got.records, 'record')}: {plural(added, 'new check item')}, "
            f"{kept:,} already checks (left as they were), {len(got.problems):,} bad"
        )
    )
    if got.problems:
        raise typer.Exit(1)


@checks_app.command("list")
def list_(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    project: ProjectOption = None,
    db: DbOption = None,
) -> None:
    """The project's check items: unit, known answer, where it came from, answers so far."""
    from annotator.store import checks
    from annotator.store.engine import session_scope
    from annotator.store.projects import open_project

    engine, proj = open_project(db, project, access="read")
    assert proj.id is not None
    with session_scope(engine) as s:
        rows = checks.list_checks(s, proj.id)
        now = checks.settings(s, proj.id)
    if as_json:
        data = {
            "project": proj.name,
            "rate": now.rate,
            "warn_below": now.warn_below,
            "checks": [
                {
                    "unit_id": r.unit_id,
                    "document_id": r.document_id,
                    "position": r.position,
                    "text": r.text,
                    "values": r.values,
                    "source": r.source,
                    "created_by": r.created_by,
                    "created_at": r.created_at.isoformat(timespec="seconds"),
                    "answers": r.answers,
                }
                for r in rows
            ],
        }
        out.print_json(json.dumps(data, ensure_ascii=False))
        return
    out.print(Text(_settings_line(proj.name, now, len(rows))))
    if not rows:
        out.print(
            "No check items yet: `annotator checks add --from-adjudicated` or "
            "`checks import FILE`.",
            style="dim",
        )
        return
    table = Table("unit", "text", "known answer", "source", "answers")
    for r in rows:
        table.add_row(
            str(r.unit_id),
            Text(r.text[:40] + ("…" if len(r.text) > 40 else "")),
            Text(
                "; ".join(f"{t}: {json.dumps(v, ensure_ascii=False)}" for t, v in r.values.items())
            ),
            Text(r.source),
            f"{r.answers:,}",
        )
    out.print(table)


@checks_app.command("remove")
def remove(
    units: Annotated[
        list[int] | None, typer.Argument(help="Unit ids of the checks to remove.", metavar="UNIT")
    ] = None,
    remove_all: Annotated[bool, typer.Option("--all", help="Remove every check item.")] = False,
    project: ProjectOption = None,
    db: DbOption = None,
) -> None:
    """Make check items ordinary units again. Answers already given stay marked as check
    answers (they were given as checks): they are no longer scored, and never labels."""
    from annotator.store import checks
    from annotator.store.engine import session_scope
    from annotator.store.projects import open_project

    if bool(units) == remove_all:
        raise UserError("name the check units to remove (unit ids), or give --all")
    engine, proj = open_project(db, project, access="write")
    assert proj.id is not None
    with session_scope(engine) as s:
        gone = checks.remove_checks(s, proj.id, None if remove_all else units)
        left = len(checks.unit_ids(s, proj.id))
    missing = 0 if remove_all else len(set(units or ())) - gone
    out.print(Text(f"Removed {plural(gone, 'check item')}; {left:,} left."))
    if missing:
        raise UserError(
            f"{plural(missing, 'unit')} named {'was' if missing == 1 else 'were'} not a check"
        )


def _settings_line(project: str, now: Any, items: int | None = None) -> str:
    warn = f"warning below {now.warn_below:.0%}" if now.warn_below is not None else "no warning"
    count = f"{plural(items, 'check item')}, " if items is not None else ""
    return f"Project {project}: {count}checks are {now.rate:.0%} of each queue, {warn}"


@checks_app.command("settings")
def settings(
    rate: Annotated[
        float | None,
        typer.Option(
            "--rate",
            help="Share of the units handed out that are checks, 0 to below 1 (default 0.05; "
            "0 stops handing them out).",
        ),
    ] = None,
    warn_below: Annotated[
        float | None,
        typer.Option(
            "--warn-below",
            help="Warn the lead (agreement, dashboard, report) about annotators whose accuracy "
            "on checks is below this, 0 to 1.",
        ),
    ] = None,
    no_warning: Annotated[
        bool, typer.Option("--no-warning", help="Never warn (the default).")
    ] = False,
    project: ProjectOption = None,
    db: DbOption = None,
) -> None:
    """Show or change the project's check settings (in the store: the whole team gets them)."""
    from annotator.store import checks
    from annotator.store.engine import StoreError, session_scope
    from annotator.store.projects import open_project

    if no_warning and warn_below is not None:
        raise UserError("give --warn-below or --no-warning, not both")
    changing = rate is not None or warn_below is not None or no_warning
    engine, proj = open_project(db, project, access="write" if changing else "read")
    assert proj.id is not None
    with session_scope(engine) as s:
        try:
            now = (
                checks.change_settings(
                    s, proj.id, rate=rate, warn_below=warn_below, no_warning=no_warning
                )
                if changing
                else checks.settings(s, proj.id)
            )
        except StoreError as exc:
            raise UserError(str(exc)) from None
    out.print(Text(_settings_line(proj.name, now)))
