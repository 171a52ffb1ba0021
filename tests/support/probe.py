"""A command run in a fresh interpreter, to see which libraries it loaded (no tests of its
own): the direct SQLite paths promise not to load the store's."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

STORE_LIBRARIES = {"sqlalchemy", "sqlmodel"}


def store_libraries_loaded(argv: list[str], cwd: Path) -> str:
    """'EXIT_CODE [libraries]' of `annotator ARGV` run as the program does (its guard
    included): e.g. '0 []' when it succeeded without SQLAlchemy or SQLModel."""
    probe = (
        "import sys\n"
        "from annotator.cli.failures import guarded\n"
        "from annotator.cli.app import app\n"
        f"sys.argv = ['annotator', *{argv!r}]\n"
        "code = guarded(app)\n"
        f"print(code, sorted({{m.split('.')[0] for m in sys.modules}} & {STORE_LIBRARIES!r}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=cwd
    )
    lines = done.stdout.strip().splitlines()
    return lines[-1] if lines else done.stderr
