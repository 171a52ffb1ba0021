"""`annotator review` (a lead settles disagreements) and `annotator dashboard`.

Textual is imported only inside the commands. Review is for leads only; the dashboard shows
per-annotator figures by the rule `annotator agreement` uses (see ``annotator.cli.agreement``):
to a lead named with --as, or to anyone while the store has no lead yet.
"""

from __future__ import annotations

from typing import Annotated

import typer

from annotator.cli.agreement import AsOption
from annotator.cli.options import DbOption, ProjectOption
from annotator.errors import UserError

SHOW_CHOICES = ("disagreements", "flagged", "all")


def review(
    annotator: Annotated[
        str | None,
        typer.Option("--annotator", "-a", envvar="ANNOTATOR_AS", help="You, a lead."),
    ] = None,
    task: Annotated[str | None, typer.Option("--task", "-t", help="Only this task.")] = None,
    document: Annotated[
        str | None,
        typer.Option("--document", "-d", help="Only this document (id or part of its title)."),
    ] = None,
    who: Annotated[
        str | None,
        typer.Option("--who", help="Only units these annotators labelled (comma-separated)."),
    ] = None,
    show: Annotated[
        str, typer.Option("--show", help="disagreements, flagged or all.")
    ] = "disagreements",
    project: ProjectOption = None,
    db: DbOption = None,
) -> None:
    """Settle disagreements between annotators (leads only).

    Each annotator's values side by side with a suggested value; your decision is stored as
    the unit's gold value, with who decided and when.
    """
    from annotator.store.adjudications import lead_id
    from annotator.store.engine import session_scope
    from annotator.tui.launch import load_context
    from annotator.tui.type_ahead import held_keys

    if show not in SHOW_CHOICES:
        raise UserError(f"--show {show}: use one of {', '.join(SHOW_CHOICES)}")
    with held_keys():  # keys typed while it loads reach the screen as typed
        context = load_context(db=db, project=project)
        if task is not None and context.schema.any_task(task) is None:
            names = ", ".join(t.name for t in context.schema.every_task)
            raise UserError(
                f"--task {task}: no such task in schema {context.schema.name} ({names})"
            )
        with session_scope(context.engine) as session:
            if annotator is None:
                from annotator.store.labels_query import has_lead

                if not has_lead(session):
                    raise UserError(
                        "review is for leads and this store has none yet: "
                        "make one with `annotator annotators add NAME --role lead`"
                    )
                raise UserError("review is for leads: say who you are with --annotator LEAD")
            lead = lead_id(session, annotator)
        from annotator.tui.review.app import ReviewApp  # textual: only now
        from annotator.tui.review.model import Filters

        filters = Filters(
            show=show,
            task=task,
            document=document,
            who=tuple(p.strip() for p in (who or "").split(",") if p.strip()),
        )
        ReviewApp(context, lead=annotator.strip(), lead_id=lead, filters=filters).run_or_raise()


def dashboard(
    as_name: AsOption = None,
    project: ProjectOption = None,
    db: DbOption = None,
) -> None:
    """Charts of progress, labels and agreement over time.

    The same view opens from the annotation screen's command palette (ctrl+p).
    """
    from annotator.store.engine import session_scope
    from annotator.store.labels_query import lead_view
    from annotator.tui.launch import load_context
    from annotator.tui.type_ahead import held_keys

    with held_keys():  # keys typed while it loads reach the screen as typed
        context = load_context(db=db, project=project, access="read")
        with session_scope(context.engine) as session:
            try:
                per_annotator, note = lead_view(session, as_name)
            except LookupError as exc:
                raise UserError(f"--as {exc}") from None
        from annotator.tui.dashboard.screen import DashboardApp  # textual: only now

        DashboardApp(context, per_annotator=per_annotator, note=note).run_or_raise()
