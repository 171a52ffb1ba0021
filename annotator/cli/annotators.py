"""`annotator annotators add|list|token|revoke`: the people of a store, their roles and
their sign-in tokens for `annotator serve`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from annotator.cli.options import DbOption, out
from annotator.cli.tokens import annotators_revoke, annotators_token, print_token
from annotator.wording import a_or_an

annotators_app = typer.Typer(
    help="Add annotators with their role (annotator or lead), list them, give sign-in tokens.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@annotators_app.command("add")
def annotators_add(
    name: Annotated[str, typer.Argument(help="The annotator's name.")],
    role: Annotated[str, typer.Option("--role", help="annotator or lead.")] = "annotator",
    token: Annotated[
        bool,
        typer.Option("--token", help="Also issue a sign-in token for `annotator serve`."),
    ] = False,
    db: DbOption = None,
) -> None:
    """Add an annotator, or change an existing one's role."""
    from annotator.store.engine import open_store, session_scope
    from annotator.store.labels_query import set_role
    from annotator.store.tokens import issue_token

    # Like init, this may set a store up: annotators belong to the store, not to a project,
    # and a lead may name the team before the first project exists.
    engine = open_store(db)
    with session_scope(engine) as session:
        person, changed = set_role(session, name, role)
        shown = person.name
        secret = issue_token(session, name=shown) if token else None
    what = f"{shown} is {a_or_an(role)}" if changed else f"{shown} was already {a_or_an(role)}"
    out.print(Text(what))
    if secret is not None:
        print_token(shown, secret)


@annotators_app.command("list")
def annotators_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    db: DbOption = None,
) -> None:
    """Annotators with their role, how many units each has done, skipped and flagged, and
    whether they have a sign-in token for `annotator serve`."""
    import json
    from dataclasses import asdict

    from annotator.store.engine import open_store, session_scope
    from annotator.store.labels_query import list_annotators

    engine = open_store(db, access="read")
    with session_scope(engine) as session:
        rows = list_annotators(session)
    if as_json:
        out.print_json(json.dumps([asdict(r) for r in rows], ensure_ascii=False))
        return
    if not rows:
        out.print("No annotators yet: annotator annotators add NAME --role lead", style="dim")
        return
    table = Table("annotator", "role", "done", "skipped", "flagged", "sign-in token")
    for r in rows:
        table.add_row(
            Text(r.name),
            Text(r.role),
            f"{r.done:,}",
            f"{r.skipped:,}",
            f"{r.flagged:,}",
            "yes" if r.token else "–",
        )
    out.print(table)


annotators_app.command("token")(annotators_token)
annotators_app.command("revoke")(annotators_revoke)
