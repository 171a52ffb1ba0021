"""Layers import one way (see ../shared/DESIGN.md): each package's forbidden imports, checked
on the source, so a stray import fails here before it tangles the code."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "annotator"
UPPER = ("annotator.cli", "annotator.tui")

FORBIDDEN = {
    "schema": (
        "textual",
        "sqlmodel",
        "sqlalchemy",
        "annotator.store",
        "annotator.ingest",
        "annotator.export",
        "annotator.analysis",
        *UPPER,
    ),
    "store": (
        "textual",
        "annotator.ingest",
        "annotator.labels",
        "annotator.export",
        "annotator.analysis",
        "annotator.report",
        *UPPER,
    ),
    "analysis": (
        "textual",
        "sqlmodel",
        "sqlalchemy",
        "annotator.store",
        "annotator.ingest",
        "annotator.export",
        *UPPER,
    ),
    "ingest": ("textual", "annotator.export", *UPPER),
    "export": ("textual", "annotator.ingest", *UPPER),
    "labels": ("textual", "annotator.export", "annotator.report", *UPPER),
    "report": ("textual", "sqlmodel", "sqlalchemy", "annotator.store", *UPPER),
    "tui": ("annotator.cli",),
    # Layer 3, beside ingest and export: learns from the store's labels (schema, store,
    # analysis below it); only the TUI and the CLI above may use it.
    "assist": (
        "textual",
        "annotator.ingest",
        "annotator.export",
        "annotator.labels",
        "annotator.report",
        *UPPER,
    ),
}
# Packages below assist must never import it.
for _lower in ("schema", "store", "analysis", "ingest", "export", "labels", "report"):
    FORBIDDEN[_lower] = (*FORBIDDEN[_lower], "annotator.assist")


# The modules at the very bottom, below every package: they import no layer (and no
# database or UI library), so any layer may import them.
BOTTOM = {
    "errors.py": ("annotator", "textual", "sqlmodel", "rich", "typer"),
    "wording.py": ("annotator", "textual", "sqlmodel", "sqlalchemy", "rich", "typer"),
    "tokens.py": ("annotator", "textual", "sqlmodel", "sqlalchemy", "rich", "typer"),
    "heap.py": ("annotator", "textual", "sqlmodel", "sqlalchemy", "rich", "typer"),
}


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_respects_its_layer(package):
    offences = []
    for path in sorted((PACKAGE / package).rglob("*.py")):
        for name in imported_modules(path):
            for banned in FORBIDDEN[package]:
                if name == banned or name.startswith(banned + "."):
                    offences.append(f"{path.relative_to(PACKAGE.parent)} imports {name}")
    assert offences == []


@pytest.mark.parametrize("name", sorted(BOTTOM))
def test_the_bottom_modules_import_no_layer(name):
    found = imported_modules(PACKAGE / name)
    banned = BOTTOM[name]
    assert not {m for m in found for b in banned if m == b or m.startswith(b + ".")}


def test_every_package_has_its_rules():
    # A new package must say what it may not import before it can grow tangles.
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert packages - {"cli", "samples"} <= set(FORBIDDEN)


def test_cli_modules_load_textual_only_inside_commands():
    # Top-level statements only: commands import the TUI lazily, inside their functions.
    for path in sorted((PACKAGE / "cli").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top = set()
        for node in tree.body:
            if isinstance(node, ast.Import):
                top.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                top.add(node.module)
        assert not {m for m in top if m.startswith(("textual", "annotator.tui"))}, path.name


def _python(code: str) -> subprocess.CompletedProcess:
    """`code` run by a fresh interpreter (what it imports is its own), which must succeed."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out


def test_help_loads_no_command_module():
    # `annotator --help` lists the commands from the table in cli/app.py: it starts fast
    # because no command's module (nor the store, Rich or the readers) is imported for it.
    code = (
        "import sys\n"
        "from annotator.cli.app import app\n"
        "try:\n"
        "    app(['--help'], prog_name='annotator')\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('sqlalchemy', 'sqlmodel', 'rich', 'yaml', 'numpy', 'textual')\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in heavy]\n"
        "loaded += [m for m in sys.modules if m.startswith('annotator.')\n"
        "           and m not in ('annotator.cli', 'annotator.cli.app')]\n"
        "print(sorted(loaded), file=sys.stderr)\n"
    )
    out = _python(code)
    assert "Commands:" in out.stdout
    assert out.stderr.strip() == "[]"


def test_the_command_line_starts_without_textual_jieba_or_scikit_learn():
    code = (
        "import sys, annotator.cli; "
        "print(sorted(m for m in ('textual', 'jieba', 'sklearn') if m in sys.modules))"
    )
    out = _python(code)
    assert out.stdout.strip() == "[]"


def test_the_annotate_screen_loads_without_the_database_layer():
    # A start draws the first unit (read through sqlite3) before SQLAlchemy, SQLModel and the
    # models load, about 0.3 s of the time to it: the app, the screen and its widgets, the
    # palette and the first look must not pull them in (store errors are matched through
    # `store.errors.db_failure`, the session's type only for the type checker).
    code = (
        "import sys\n"
        "import annotator.tui.app, annotator.tui.screens.annotate, annotator.store.first_look\n"
        "heavy = ('sqlalchemy', 'sqlmodel', 'pydantic', 'annotator.store.models')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    out = _python(code)
    assert out.stdout.strip() == "[]"


def test_sql_is_written_only_in_the_store():
    # Queries and statements live in annotator/store/ (one place to read them, to index for
    # them and to port them): no other package builds SQL from SQLAlchemy's or SQLModel's
    # query constructs, nor sends SQL text to a connection, nor imports the libraries whole.
    builders = {"text", "select", "insert", "update", "delete", "func"}
    offences = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if (PACKAGE / "store") in path.parents:
            continue
        where = path.relative_to(PACKAGE.parent)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                ("sqlalchemy", "sqlmodel")
            ):
                used = builders & {alias.name for alias in node.names}
                if used:
                    offences.append(f"{where}: imports {sorted(used)}")
            elif isinstance(node, ast.Import):
                whole = [
                    a.name for a in node.names if a.name.split(".")[0] in ("sqlalchemy", "sqlmodel")
                ]
                if whole:
                    offences.append(f"{where}: imports {whole}")
            elif isinstance(node, ast.Attribute) and node.attr == "exec_driver_sql":
                offences.append(f"{where}:{node.lineno}: sends SQL text")
    assert offences == []
