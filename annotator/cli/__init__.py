"""The `annotator` command (see app.py); one module per command family."""

from annotator.cli.app import app, main

__all__ = ["app", "main"]
