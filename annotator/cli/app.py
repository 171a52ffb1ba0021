"""The command surface: one Typer app, each command a thin shell over the layers below.

The TUI is imported only inside the commands that open it, so `annotator import` and
friends start fast (a test checks that textual stays unloaded).
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable
from typing import Annotated

import typer
from rich.text import Text

from annotator import __version__
from annotator.cli.agreement import agreement, annotators_app, report
from annotator.cli.annotate import annotate
from annotator.cli.assign import assign
from annotator.cli.exporting import export, labels_app
from annotator.cli.importing import import_
from annotator.cli.model import model_app
from annotator.cli.options import err, out
from annotator.cli.project import demo, init, migrate, status
from annotator.cli.review import dashboard, review
from annotator.cli.schema import schema_app
from annotator.cli.serve import serve, serve_session
from annotator.cli.tokens import annotators_revoke, annotators_token
from annotator.errors import (
    EXIT_DATA,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    format_user_error,
    write_crash_log,
)

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
app.add_typer(model_app, name="model")
app.command()(demo)
app.command()(migrate)


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
    """Every command runs inside this one guard: see `annotator.errors` for the exit codes."""
    sys.exit(guarded(app))


def guarded(command: Callable[[], object]) -> int:
    """Run `command` (Click exits by itself: 0, 1, or 2 for usage); turn whatever escapes
    into one line on stderr and an exit code. A bug's traceback goes to a log file, never to
    the terminal, where it would bury the one line that matters."""
    try:
        command()
    except SystemExit as exc:
        return _exit_code(exc)
    except KeyboardInterrupt:
        err.print("Interrupted.")
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `annotator status | head`: the reader left, nothing to say
        _silence_stdout()
        return EXIT_DATA
    except Exception as exc:
        message = format_user_error(exc)
        if message is not None:
            err.print(Text(message, style="red"), soft_wrap=True)
            return EXIT_DATA
        log = write_crash_log(exc)
        if log is None:  # nowhere to write it: the traceback is all there is to report
            traceback.print_exception(exc)
            where = "traceback above"
        else:
            where = f"details in {log}"
        err.print(
            Text(f"internal error ({type(exc).__name__}); {where}; please report it", style="red"),
            soft_wrap=True,
        )
        return EXIT_INTERNAL
    return 0


def _exit_code(exc: SystemExit) -> int:
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code
    err.print(Text(str(exc.code)), soft_wrap=True)
    return EXIT_DATA


def _silence_stdout() -> None:
    # Python flushes stdout at exit and would raise again into the closed pipe.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
