"""The command surface: one Typer app, each command a thin shell over the layers below.

Commands load lazily: the table below names each command's module, and a command's module
(with what it imports: the store, the readers, numpy, the TUI) loads only when that command
runs or shows its own help. `annotator --help` lists the commands from the table's summaries
(a test checks they match the docstrings), so it starts with little more than Typer loaded.
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from annotator import __version__


@dataclass(frozen=True)
class Entry:
    module: str  # under annotator.cli
    attr: str  # a command function, or a Typer app for a family of subcommands
    summary: str  # the docstring's first paragraph (the Typer app's help for a family)
    hidden: bool = False


# In the order `annotator --help` lists them.
COMMANDS: dict[str, Entry] = {
    "init": Entry("project", "init", "Create a project; the store is created on first use."),
    "import": Entry(
        "importing", "import_", "Import news articles from files, folders or glob patterns."
    ),
    "annotate": Entry("annotate", "annotate", "Open the annotation screen on your next unit."),
    "assign": Entry(
        "assign",
        "assign",
        "Give documents to named annotators (--to), or put them back in the shared pool (--pool).",
    ),
    "status": Entry("project", "status", "Show documents, units and annotations per annotator."),
    "export": Entry("exporting", "export", "Write the project's units and labels as a dataset."),
    "agreement": Entry("agreement", "agreement", "Measure inter-annotator agreement per task."),
    "report": Entry(
        "agreement", "report", "Write the project's progress and agreement as one HTML page."
    ),
    "review": Entry("review", "review", "Settle disagreements between annotators (leads only)."),
    "dashboard": Entry(
        "review", "dashboard", "Charts of progress, labels and agreement over time."
    ),
    "serve": Entry(
        "serve",
        "serve",
        "Serve the annotation screens to web browsers, behind a personal sign-in token.",
    ),
    "serve-session": Entry(
        "serve",
        "serve_session",
        "One browser session of `annotator serve` (it starts these; not for people).",
        hidden=True,
    ),
    "demo": Entry("project", "demo", "Try it: open the annotator on a bundled VOA sample."),
    "migrate": Entry(
        "project",
        "migrate",
        "Upgrade an existing store to this annotator's tables (a backup first is wise).",
    ),
    "labels": Entry(
        "exporting",
        "labels_app",
        "Import labels made elsewhere, for agreement or a second round.",
    ),
    "annotators": Entry(
        "annotators",
        "annotators_app",
        "Add annotators with their role (annotator or lead), list them, give sign-in tokens.",
    ),
    "model": Entry(
        "model",
        "model_app",
        "A model per task that learns from the project's own labels (offline): suggestions "
        "and the uncertain/balanced queue orders; and a lexicon of loaded words from span labels.",
    ),
    "checks": Entry(
        "checks",
        "checks_app",
        "Check items: units with a known answer, mixed into every annotator's queue at a set "
        "rate; accuracy on them is in `agreement`, the dashboard and the report.",
    ),
    "schema": Entry(
        "schema", "schema_app", "Check YAML label schemas and change the schema of a project."
    ),
}


def load_command(name: str, entry: Entry) -> Any:
    """The Click command for `name`, its module imported now."""
    target = getattr(importlib.import_module(f"annotator.cli.{entry.module}"), entry.attr)
    command: Any  # click's Command, as typer vendors it
    if isinstance(target, typer.Typer):
        command = typer.main.get_group(target)
    else:
        single = typer.Typer(rich_markup_mode=None, add_completion=False)
        single.command(name, hidden=entry.hidden)(target)
        command = typer.main.get_command(single)
    command.name = name
    return command


class LazyGroup(TyperGroup):
    """A group whose commands are imported when one is run (or asked for its help)."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            self.commands[cmd_name] = load_command(cmd_name, COMMANDS[cmd_name])
        return self.commands.get(cmd_name)

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        # Typer suggests from the commands loaded so far, which here is none of them.
        name = args[0] if args else ""
        if name and name not in COMMANDS and not name.startswith("-") and self.suggest_commands:
            from difflib import get_close_matches

            matches = get_close_matches(name, list(COMMANDS))
            if matches and not ctx.resilient_parsing:
                ctx.fail(f"No such command {name!r}. Did you mean {', '.join(map(repr, matches))}?")
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        # As Typer lists them, but from the table: listing loads no command's module.
        shown = [(name, e.summary) for name, e in COMMANDS.items() if not e.hidden]
        limit = formatter.width - 6 - max(len(name) for name, _ in shown)
        rows = [(n, TyperCommand(n, help=s).get_short_help_str(limit)) for n, s in shown]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


app = typer.Typer(
    name="annotator",
    cls=LazyGroup,
    help="Label news sentences for media bias and stance, from the terminal.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"annotator {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    pass


def main() -> None:
    """Every command runs inside one guard: see `annotator.cli.failures` for the exit codes."""
    from annotator.cli.failures import guarded

    sys.exit(guarded(app))
