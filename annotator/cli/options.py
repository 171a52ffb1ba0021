"""Options every command shares, and the two consoles (results to stdout, problems to stderr)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar="ANNOTATOR_DB",
        help="Database: a SQLite file path or an SQLAlchemy URL (default ./annotator.db).",
        show_envvar=True,
    ),
]
ProjectOption = Annotated[
    str | None,
    typer.Option("--project", "-p", help="Project name (default: the only project in the store)."),
]

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)
