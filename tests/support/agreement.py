"""The agreement commands as an app, and the graded fixtures behind the `graded_store` fixture."""

from __future__ import annotations

from pathlib import Path

import typer

from annotator.cli.agreement import agreement, report
from annotator.cli.annotators import annotators_app

FIXTURES = Path(__file__).parents[1] / "fixtures" / "agreement"


def make_app() -> typer.Typer:
    """The commands as cli.py registers them (a fresh app, so tests do not depend on it)."""
    app = typer.Typer()
    app.command()(agreement)
    app.command()(report)
    app.add_typer(annotators_app, name="annotators")
    return app
