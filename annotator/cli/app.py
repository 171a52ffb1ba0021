"""The command surface: one Typer app, each command a thin shell over the layers below.

The TUI is imported only inside the commands that open it, so `annotator import` and
friends start fast (a test checks that textual stays unloaded).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.text import Text

from annotator import __version__
from annotator.cli.agreement import agreement, annotators_app, report
from annotator.cli.annotate import annotate
from annotator.cli.assign import assign
from annotator.cli.exporting import export, labels_app
from annotator.cli.importing import import_
from annotator.cli.options import err, out
from annotator.cli.project import demo, init, status
from annotator.cli.review import dashboard, review
from annotator.cli.schema import schema_app
from annotator.cli.serve import serve, serve_session
from annotator.cli.tokens import annotators_revoke, annotators_token
from annotator.errors import format_user_error

app = typer.Typer(
    name="annotator",
    help="Label news sentences for media bias and stance, from the terminal.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.command()(init)
app.command("import")(import_)
app.command()(annotate)
app.command()(assign)
app.command()(status)
app.command()(export)
app.add_typer(labels_app, name="labels")
app.command()(agreement)
app.command()(report)
annotators_app.command("token")(annotators_token)
annotators_app.command("revoke")(annotators_revoke)
app.add_typer(annotators_app, name="annotators")
app.command()(review)
app.command()(dashboard)
app.command()(serve)
app.command("serve-session", hidden=True)(serve_session)
app.add_typer(schema_app, name="schema")
app.command()(demo)


def _version(value: bool) -> None:
    if value:
        out.print(f"annotator {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    pass


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err.print("Interrupted.")
        sys.exit(130)
    except Exception as exc:  # errors for people: one line, never a traceback
        message = format_user_error(exc)
        if message is None:
            raise
        # soft_wrap: one line however long, so a terminal (or a script) sees it whole.
        err.print(Text(message, style="red"), soft_wrap=True)
        sys.exit(1)
