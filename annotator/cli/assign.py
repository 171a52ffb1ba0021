"""`annotator assign`: the lead gives documents to named annotators, or back to the shared pool."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from annotator.cli.options import DbOption, ProjectOption, out
from annotator.errors import UserError

if TYPE_CHECKING:
    from annotator.store.assignments import AssignResult
    from annotator.store.selection import Selection

CHOOSE = "--doc, --title, --outlet, --published-from/--published-to, --count N or --all"


# --- reading the options ---------------------------------------------------------------


def _names(values: list[str] | None) -> list[str]:
    """Repeatable options that also take comma-separated lists."""
    parts = (v.strip() for item in values or () for v in item.split(","))
    return list(dict.fromkeys(v for v in parts if v))


def parse_ids(values: list[str] | None) -> tuple[tuple[int, int], ...]:
    """'12', '12,15', '10-20' (repeatable) -> inclusive id ranges."""
    ranges: list[tuple[int, int]] = []
    for item in _names(values):
        first, dash, last = item.partition("-")
        try:
            lo, hi = int(first), int(last if dash else first)
        except ValueError:
            raise UserError(f"--doc {item}: give document ids like 12, 12,15 or 10-20") from None
        if lo > hi:
            raise UserError(f"--doc {item}: the range runs backwards (write {hi}-{lo})")
        ranges.append((lo, hi))
    return tuple(ranges)


def parse_day(option: str, text: str, *, end: bool) -> datetime:
    """An ISO date or date-time in UTC. As the end of a range it is inclusive: a bare date
    takes in that whole day. Returned as a bound: start (>=) or, with `end`, limit (<)."""
    text = text.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            value = datetime(day.year, day.month, day.day, tzinfo=UTC)
            return value + timedelta(days=1) if end else value
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise UserError(
            f"{option} {text}: not an ISO date (try 2024-05-01 or 2024-05-01T12:00)"
        ) from None
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return value + timedelta(microseconds=1) if end else value


def build_selection(
    *,
    doc: list[str] | None,
    title: str | None,
    outlet: list[str] | None,
    published_from: str | None,
    published_to: str | None,
    count: int | None,
    everything: bool,
) -> Selection:
    from annotator.store.selection import Selection

    start = parse_day("--published-from", published_from, end=False) if published_from else None
    limit = parse_day("--published-to", published_to, end=True) if published_to else None
    if start is not None and limit is not None and start >= limit:
        raise UserError(f"--published-from {published_from} is after --published-to {published_to}")
    selection = Selection(
        id_ranges=parse_ids(doc),
        title_glob=title or None,
        # Repeated, never comma-split: an outlet's name may hold a comma.
        outlets=tuple(dict.fromkeys(o.strip() for o in outlet or () if o.strip())),
        published_from=start,
        published_before=limit,
        count=count,
        everything=everything,
    )
    if selection.is_empty():
        raise UserError(f"choose the documents: {CHOOSE} (every criterion given must hold)")
    return selection


# --- the command -----------------------------------------------------------------------


def assign(
    to: Annotated[
        list[str] | None,
        typer.Option(
            "--to",
            metavar="NAME",
            help="Give the documents to this annotator (repeat or comma-separate).",
        ),
    ] = None,
    pool: Annotated[
        bool,
        typer.Option(
            "--pool", help="Put the documents back in the shared pool (take them from everyone)."
        ),
    ] = False,
    take_from: Annotated[
        list[str] | None,
        typer.Option(
            "--from",
            metavar="NAME",
            help="With --pool: take the documents from this annotator only (repeatable).",
        ),
    ] = None,
    doc: Annotated[
        list[str] | None,
        typer.Option("--doc", metavar="IDS", help="Document ids: 12, 12,15 or 10-20 (repeatable)."),
    ] = None,
    title: Annotated[
        str | None,
        typer.Option(
            "--title",
            metavar="GLOB",
            help="Title matches this glob (* and ?, any case): '*Biden*'.",
        ),
    ] = None,
    outlet: Annotated[
        list[str] | None,
        typer.Option(
            "--outlet", metavar="NAME", help="Outlet is one of these (any case; repeatable)."
        ),
    ] = None,
    published_from: Annotated[
        str | None,
        typer.Option(
            "--published-from", metavar="DATE", help="Published on or after this ISO date (UTC)."
        ),
    ] = None,
    published_to: Annotated[
        str | None,
        typer.Option(
            "--published-to",
            metavar="DATE",
            help="Published on or before this ISO date (UTC; the whole day).",
        ),
    ] = None,
    count: Annotated[
        int | None,
        typer.Option(
            "--count",
            min=1,
            metavar="N",
            help="The first N matching documents nobody is assigned yet, in document order.",
        ),
    ] = None,
    everything: Annotated[
        bool, typer.Option("--all", help="Every document of the project.")
    ] = False,
    per_doc: Annotated[
        int | None,
        typer.Option(
            "--per-doc",
            min=1,
            metavar="K",
            help="How many of the --to annotators get each document "
            "(default: the schema's overlap, at most all of them).",
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Show what would change (and which documents); write nothing."
        ),
    ] = False,
    project: ProjectOption = None,
    db: DbOption = None,
) -> None:
    """Give documents to named annotators (--to), or put them back in the shared pool (--pool).

    The units of an assigned document go only to the annotators it is assigned to; the
    documents nobody is assigned form the shared pool that everyone draws from. Names must be
    annotators already (`annotator annotators add NAME`).

    Choose the documents with any of --doc, --title, --outlet, --published-from,
    --published-to, --count and --all; every criterion given must hold.

    Each document goes to as many of the --to annotators as the schema's overlap asks
    (--per-doc to change it), dealt out round-robin in document order: with overlap 1 and
    `--to alice --to bob`, alice gets the 1st, 3rd, 5th... document and bob the 2nd, 4th...;
    with overlap 2 and three annotators the pairs rotate (ab, ca, bc). Assigning a document
    again to someone who has it changes nothing.
    """
    from annotator.store.assignments import assign_documents, find_annotators, unassign_documents
    from annotator.store.engine import session_scope
    from annotator.store.projects import open_project
    from annotator.store.schema_versions import current_schema
    from annotator.store.selection import known_outlets, missing_document_ids

    recipients, givers = _names(to), _names(take_from)
    if pool and recipients:
        raise UserError("--to gives documents, --pool takes them back: use one of them")
    if not pool and not recipients:
        raise UserError(
            "say who gets the documents: --to NAME (repeat for several), "
            "or --pool to put them back in the shared pool"
        )
    if givers and not pool:
        raise UserError("--from goes with --pool (take documents back from these annotators)")
    if pool and count is not None:
        raise UserError(
            "--count picks documents nobody holds yet: to take documents back choose them with "
            "--doc, --title, --outlet, --published-from/--published-to or --all"
        )
    if pool and per_doc is not None:
        raise UserError("--per-doc goes with --to")
    selection = build_selection(
        doc=doc,
        title=title,
        outlet=outlet,
        published_from=published_from,
        published_to=published_to,
        count=count,
        everything=everything,
    )

    engine, proj = open_project(db, project, access="write")
    with session_scope(engine) as session:
        session.add(proj)
        assert proj.id is not None
        overlap = current_schema(session, proj).overlap
        people = (
            find_annotators(session, names=recipients or givers) if recipients or givers else []
        )
        singles = [lo for lo, hi in selection.id_ranges if lo == hi]
        missing = missing_document_ids(session, project_id=proj.id, ids=singles)
        if missing:
            shown = ", ".join(map(str, missing[:10])) + (" ..." if len(missing) > 10 else "")
            raise UserError(f"--doc: no document {shown} in project {proj.name!r}")
        ids = [aid for aid, _ in people]
        k: int | None = None
        if pool:
            result = unassign_documents(
                session,
                project_id=proj.id,
                selection=selection,
                annotator_ids=ids or None,
                overlap=overlap,
                dry_run=dry_run,
            )
        else:
            k = per_doc if per_doc is not None else min(overlap, len(ids))
            if k > len(ids):
                named = f"{len(ids)} annotator{'s' * (len(ids) > 1)}"
                raise UserError(f"--per-doc {k}: only {named} named with --to")
            result = assign_documents(
                session,
                project_id=proj.id,
                selection=selection,
                annotator_ids=ids,
                per_document=k,
                overlap=overlap,
                dry_run=dry_run,
            )
        if not result.selected:
            which = "unassigned document" if selection.count is not None else "document"
            hint = ""
            if selection.outlets:
                outlets = known_outlets(session, project_id=proj.id)
                hint = f" (outlets here: {', '.join(outlets) or 'none'})"
            raise UserError(f"no {which} matches the selection{hint}: nothing changed")
    _print(result, pool=pool, named=bool(givers), overlap=overlap, per_doc=k)


# --- the summary -----------------------------------------------------------------------


def _n(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _print(
    result: AssignResult, *, pool: bool, named: bool, overlap: int, per_doc: int | None
) -> None:
    dry = result.dry_run
    if pool:
        what = "held by none of them" if named else "in the shared pool already"
    else:
        what = "theirs already"
    if dry:
        out.print("Dry run: nothing is written.", style="bold")
        out.print(_sample_table(result))
    if not result.documents:
        if result.selected == 1:
            out.print(f"The selected document is {what}: nothing changes.")
        else:
            out.print(f"All {result.selected:,} selected documents are {what}: nothing changes.")
    else:
        if pool:
            verb = "Would take back" if dry else "Took back"
        else:
            verb = "Would assign" if dry else "Assigned"
        how = f", {_n(per_doc, 'annotator')} per document" if per_doc else ""
        out.print(f"{verb} {_n(result.documents, 'document')} ({_n(result.units, 'unit')}){how}:")
        out.print(_change_table(result, pool=pool))
        unchanged = result.selected - result.documents
        if unchanged:
            verb = "is" if unchanged == 1 else "are"
            out.print(
                f"{unchanged:,} of the selected documents {verb} {what}: unchanged.", style="dim"
            )
    pool_figures = f"{_n(result.pool_documents, 'document')}, {_n(result.pool_units, 'unit')}"
    out.print(f"Shared pool{' afterwards' if dry else ''}: {pool_figures}.")
    if result.short:
        out.print(
            Text(
                f"note: the schema asks for {overlap} labels per unit, but "
                f"{_n(result.short, 'document')} {'would have' if dry else 'have'} fewer "
                f"annotators assigned: their units cannot get {overlap} labels "
                "(assign more with --to).",
                style="yellow",
            )
        )


def _change_table(result: AssignResult, *, pool: bool) -> Table:
    sign = "-" if pool else "+"
    table = Table(
        "annotator", "documents", "units", "would hold" if result.dry_run else "holds now"
    )
    for column in table.columns[1:3]:
        column.justify = "right"
    for c in result.changes:
        table.add_row(
            Text(c.name),
            f"{sign}{c.documents:,}" if c.documents else "0",
            f"{sign}{c.units:,}" if c.units else "0",
            f"{_n(c.total_documents, 'document')}, {_n(c.total_units, 'unit')}",
        )
    return table


def _sample_table(result: AssignResult) -> Table:
    shown = len(result.sample)
    title = (
        f"The {_n(shown, 'selected document')}"
        if shown == result.selected
        else f"The first {shown} of {result.selected:,} selected documents"
    )
    table = Table("id", "published", "outlet", "units", "title", title=title, title_justify="left")
    for column in (table.columns[0], table.columns[3]):
        column.justify = "right"
    for d in result.sample:
        table.add_row(
            str(d.id),
            d.published.strftime("%Y-%m-%d") if d.published else "–",
            Text(d.outlet or "–"),
            f"{d.units:,}",
            Text(d.title, overflow="ellipsis", no_wrap=True),
        )
    return table
