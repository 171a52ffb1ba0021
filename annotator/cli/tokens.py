"""`annotator annotators token|revoke`: personal sign-in tokens for `annotator serve`.

A token is printed once, alone on stdout (so `TOKEN=$(annotator annotators token NAME)` works);
the note that it is shown only once goes to stderr. The store keeps only its SHA-256.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.text import Text

from annotator.cli.options import DbOption, err, out


def print_token(name: str, token: str) -> None:
    # The line says it first: whoever sees the token now is the only one who ever will.
    err.print(Text(f"Sign-in token for {name}, shown only this once (the store keeps a hash):"))
    out.print(Text(token), soft_wrap=True)


def annotators_token(
    name: Annotated[str, typer.Argument(help="The annotator's name.")],
    db: DbOption = None,
) -> None:
    """Issue a personal sign-in token for `annotator serve` (a new one replaces the old)."""
    from annotator.store.engine import open_store, session_scope
    from annotator.store.tokens import issue_token

    engine = open_store(db, access="write")
    with session_scope(engine) as session:
        token = issue_token(session, name=name)
    print_token(name.strip(), token)


def annotators_revoke(
    name: Annotated[str, typer.Argument(help="The annotator's name.")],
    db: DbOption = None,
) -> None:
    """Revoke an annotator's sign-in token: they can no longer sign in to `annotator serve`."""
    from annotator.store.engine import open_store, session_scope
    from annotator.store.tokens import revoke_token

    engine = open_store(db, access="write")
    with session_scope(engine) as session:
        revoked = revoke_token(session, name=name)
    who = name.strip()
    if revoked:
        out.print(Text(f"{who}'s sign-in token is revoked; an open browser session ends soon."))
    else:
        out.print(Text(f"{who} had no sign-in token."))
