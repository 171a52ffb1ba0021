"""Redraw docs/annotate.svg: the annotate screen on a bundled VOA article, mid-annotation.

    .venv/bin/python docs/screenshot.py [ARTICLE.md]

Textual's SVG export sizes each run of text by its character count, so Chinese (two cells a
character) comes out squeezed; the runs are widened to their cell width afterwards.
"""

from __future__ import annotations

import asyncio
import html
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from rich.cells import cell_len

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "annotate.svg"
_RUN = re.compile(r'(<text [^>]*?)textLength="([\d.]+)"([^>]*>)([^<]*)(</text>)')


def widen_wide_characters(svg: str) -> str:
    def fix(m: re.Match[str]) -> str:
        text = html.unescape(m.group(4))
        if not text or cell_len(text) == len(text):
            return m.group(0)
        width = float(m.group(2)) / len(text) * cell_len(text)
        return f'{m.group(1)}textLength="{width:g}"{m.group(3)}{m.group(4)}{m.group(5)}'

    return _RUN.sub(fix, svg)


async def shoot(article: Path, db: str) -> str:
    from annotator.schema import builtin_schema
    from annotator.store.engine import open_store, session_scope
    from annotator.store.projects import create_project
    from annotator.tui.app import AnnotatorApp
    from annotator.tui.config import UserConfig
    from annotator.tui.launch import load_context

    engine = open_store(db)
    with session_scope(engine) as s:
        create_project(s, "media", builtin_schema("media_bias"))
    engine.dispose()
    subprocess.run(
        [sys.executable, "-m", "annotator", "import", str(article), "-p", "media", "--db", db],
        check=True,
        capture_output=True,
    )
    app = AnnotatorApp(
        load_context(db=db, project="media"), annotator="alice", config=UserConfig(), remember=False
    )
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        for _ in range(3):
            await pilot.press("2", "1", "enter")  # three plain sentences
        await pilot.press("1", "2")  # biased, somewhat factual: the span task opens
        await app.workers.wait_for_complete()
        await pilot.press("right", "right", "right", "space", "shift+right")
        await pilot.pause(0.3)
        return app.export_screenshot(title="annotator annotate")


def main() -> None:
    samples = sorted((ROOT / "annotator" / "samples" / "voa").glob("*.md"))
    article = Path(sys.argv[1]) if len(sys.argv) > 1 else samples[0]
    with tempfile.TemporaryDirectory() as tmp:
        svg = asyncio.run(shoot(article, f"sqlite:///{tmp}/shot.db"))
    OUT.write_text(widen_wide_characters(svg), encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
