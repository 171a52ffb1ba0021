"""`annotator annotate`: open the annotation screen. Textual is imported only in here, when used."""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

import typer

from annotator.cli.options import DbOption, ProjectOption

if TYPE_CHECKING:
    from annotator.store.first_look import StartScan
    from annotator.tui.app import AnnotatorApp
    from annotator.tui.launch import StoreContext


def annotate(
    annotator: Annotated[
        str | None,
        typer.Option(
            "--annotator",
            "-a",
            help="Your name as an annotator (asked, and remembered, if absent).",
        ),
    ] = None,
    project: ProjectOption = None,
    db: DbOption = None,
    order: Annotated[
        str,
        typer.Option(
            "--order",
            help="Queue order: sequential (document order), random, uncertain (what the "
            "project's model is least sure of first) or balanced (likely rare labels first); "
            "the last two mix in random units (`annotator model settings --random-share`).",
        ),
    ] = "sequential",
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed", help="Seed for the random orders and shares (default: one per annotator)."
        ),
    ] = None,
    lease_minutes: Annotated[
        float,
        typer.Option(
            "--lease-minutes",
            min=0.1,
            help="How long the sentence on your screen stays yours without a key pressed "
            "(others get it after that).",
        ),
    ] = 5.0,
) -> None:
    """Open the annotation screen on your next unit."""
    # Start-up makes few garbage cycles but many objects (modules, Textual's styles): the
    # collector's passes over them were a tenth of the time to the first unit. The screen
    # turns it on again once the first unit is drawn (or the start screen, once shown).
    gc.disable()
    from annotator.tui.type_ahead import held_keys  # keys typed while it loads count

    try:
        with held_keys():
            _annotate(annotator, project, db, order, seed, lease_minutes)
    finally:
        gc.enable()


def _annotate(
    annotator: str | None,
    project: str | None,
    db: str | None,
    order: str,
    seed: int | None,
    lease_minutes: float,
) -> None:
    scan = None
    if annotator and annotator.strip() and order == "sequential":
        # The project, the queue's floor on a cold start and the first unit, looked for
        # through sqlite3 while the rest loads (see store/first_look).
        from annotator.store.first_look import StartScan

        scan = StartScan(db, project, annotator)
    from annotator.errors import UserError
    from annotator.store.queue_sql import ORDERS

    if order not in ORDERS:
        raise UserError(f"--order {order}: use {', '.join(ORDERS[:-1])} or {ORDERS[-1]}")
    from annotator.tui.config import load_config

    config = load_config()
    opening = scan.opening() if scan is not None else None
    lease_seconds = lease_minutes * 60

    def new_app(context: StoreContext | None, **kw: Any) -> AnnotatorApp:
        from annotator.tui.app import AnnotatorApp  # textual: only now

        return AnnotatorApp(
            context,
            annotator=annotator,
            order=order,
            seed=seed,
            config=config,
            lease_seconds=lease_seconds,
            **kw,
        )

    if scan is not None and opening is not None:
        # A quick start: the first unit is drawn before the store layer loads.
        from annotator.tui.app import QuickStart
        from annotator.tui.launch import schema_hints

        hints = schema_hints(opening.schema, opening.folder)  # a missing file: one line
        app = new_app(None, hints=hints, quick=QuickStart(scan, db, project))
        try:
            app.run_or_raise()
        finally:
            app.let_go_of_unused_session()
    else:
        app = _usual_start(
            new_app,
            scan,
            db=db,
            project=project,
            annotator=annotator,
            order=order,
            seed=seed,
            lease_seconds=lease_seconds,
        )
    if app.error_message:
        raise UserError(app.error_message)


def _usual_start(
    new_app: Callable[..., AnnotatorApp],
    scan: StartScan | None,
    *,
    db: str | None,
    project: str | None,
    annotator: str | None,
    order: str,
    seed: int | None,
    lease_seconds: float,
) -> AnnotatorApp:
    """The store, project and schema loaded before the app (PostgreSQL, the start screen,
    the orders other than sequential), the session begun early if the name is known."""
    from annotator.tui.launch import load_context, load_hints

    context = load_context(db=db, project=project)
    hints = load_hints(context)  # the schema's lexicon: a missing file stops here, in a line
    from annotator.cli.model import note_suggestions

    note_suggestions(context.engine, context.project_id)
    if order != "sequential" and order != "random":
        from annotator.cli.model import note_unranked

        note_unranked(context.engine, context.project_id, order)
    early = None
    try:
        if annotator:
            # The first unit is looked for in a thread while Textual loads (see early_start);
            # whatever ends the command from here (ctrl+c while loading too) lets it go.
            from annotator.tui.early_start import EarlyStart

            early = EarlyStart(
                context,
                annotator,
                order=order,
                seed=seed,
                lease_seconds=lease_seconds,
                cold=scan.floor if scan is not None else None,
            )
        app = new_app(context, hints=hints, early=early)
        app.run_or_raise()
    finally:
        if early is not None:
            early.discard()
    return app
