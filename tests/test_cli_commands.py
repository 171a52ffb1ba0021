"""The command table in cli/app.py: `annotator --help` lists the commands from it without
loading them, so it must say what each command's own help says."""

from __future__ import annotations

import pytest
from typer.core import TyperCommand
from typer.testing import CliRunner

from annotator.cli.app import COMMANDS, app, load_command


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_each_summary_is_the_commands_own(name):
    entry = COMMANDS[name]
    command = load_command(name, entry)
    own = command.get_short_help_str(1000)
    listed = TyperCommand(name, help=entry.summary).get_short_help_str(1000)
    assert listed == own, f"update the summary of {name!r} in cli/app.py"
    assert command.hidden == entry.hidden and command.name == name


def test_help_lists_every_command_but_the_hidden_one():
    out = CliRunner().invoke(app, ["--help"], prog_name="annotator")
    assert out.exit_code == 0
    listed = [line.split()[0] for line in out.output.split("Commands:")[1].splitlines() if line]
    assert listed == [n for n, e in COMMANDS.items() if not e.hidden]
    assert "Give documents to named annotators (--to)" in out.output


def test_a_typo_gets_a_suggestion():
    out = CliRunner().invoke(app, ["stauts"], prog_name="annotator")
    assert out.exit_code == 2
    assert "No such command 'stauts'. Did you mean 'status'?" in out.output


def test_a_family_lists_its_subcommands():
    out = CliRunner().invoke(app, ["annotators", "--help"], prog_name="annotator")
    assert out.exit_code == 0
    for sub in ("add", "list", "token", "revoke"):
        assert f"  {sub} " in out.output
    assert "--install-completion" not in out.output
