"""PATH arguments -> the files to import: files as given, folders recursively, glob patterns.

An argument that names an existing file or folder is taken literally, so names holding glob
characters (``[生活] 标题.md``, ``为什么?.md``) work; otherwise it is a glob pattern (``**``
allowed). Folders and globs skip hidden files and folders (names starting with '.'), and
folders only yield files with an import extension (see ``detect.EXTENSIONS``) other than
README/LICENSE/MANIFEST-style notes. Files come sorted per argument, each once.

An argument that matches nothing is yielded as an ``IngestError`` (not raised), so the caller
reports it in line with failed files and goes on.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from annotator.ingest.detect import EXTENSIONS
from annotator.ingest.model import IngestError

# Notes that travel with corpora and are not articles.
_NOT_ARTICLES = {"readme", "license", "licence", "manifest", "changelog", "copying", "notice"}


def iter_sources(args: Iterable[str | Path]) -> Iterator[Path | IngestError]:
    seen: set[Path] = set()
    for arg in args:
        found = False
        for path in _expand(str(arg)):
            found = True
            key = path.absolute()
            if key not in seen:
                seen.add(key)
                yield path
        if not found:
            yield IngestError(f"{arg}: no such file or folder, and no file matches it as a pattern")


def _expand(arg: str) -> Iterator[Path]:
    path = Path(arg).expanduser()
    if path.is_dir():
        yield from _walk(path)
        return
    if path.exists() or path.is_symlink():
        yield path  # named explicitly: imported even when hidden or of an odd type
        return
    if not glob.has_magic(arg):
        return
    matches = sorted(glob.glob(os.path.expanduser(arg), recursive=True))
    for match in matches:
        p = Path(match)
        if p.is_dir():
            yield from _walk(p)
        elif p.is_file() and not p.name.startswith("."):
            yield p


def _walk(folder: Path) -> Iterator[Path]:
    found: list[Path] = []
    for root, dirs, files in os.walk(folder, onerror=None):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if name.startswith("."):
                continue
            p = Path(root, name)
            if is_importable(p):
                found.append(p)
    yield from sorted(found)


def is_importable(path: Path) -> bool:
    """Whether a file found in a folder looks like something to import."""
    if path.suffix.lower() not in EXTENSIONS:
        return False
    return path.stem.lower().split(".")[0].split("-")[0].split("_")[0] not in _NOT_ARTICLES
