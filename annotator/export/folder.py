"""Folder exports (hf, conll): built in a temporary folder beside the target, then renamed.

A crash leaves the previous folder (or nothing) at the target, never a half-written one.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from annotator.export.atomic import cannot_write


@contextmanager
def atomic_folder(target: Path) -> Iterator[Path]:
    target = Path(target)
    if target.exists() and not target.is_dir():
        raise FileExistsError(17, "exists and is not a folder", str(target))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent))
    except OSError as exc:
        raise cannot_write(target, exc) from exc
    try:
        yield tmp
        if target.exists():
            old = target.with_name(f".{target.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            target.rename(old)
            tmp.rename(target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(target)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(exc, OSError):
            raise cannot_write(target, exc) from exc
        raise
