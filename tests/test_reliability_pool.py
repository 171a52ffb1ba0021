"""After `kill -9` of `annotator import`, its parsing workers exit too (issue 10, item 9):
they watch their parent, since a killed parent never tells them."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.exports import new_project

pytestmark = pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")


def children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):  # a thread that just ended
            found |= {int(c) for c in (task / "children").read_text().split()}
    return found


def running(pid: int) -> bool:
    """Alive and not a zombie (a container's init may never reap an orphan)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    state = next(line for line in status.splitlines() if line.startswith("State:"))
    return "Z" not in state.split()[1]


def test_workers_exit_when_the_import_is_killed(tmp_path):
    db = tmp_path / "a.db"
    new_project(f"sqlite:///{db}")[0].dispose()
    folder = tmp_path / "texts"
    folder.mkdir()
    paragraph = "This is one sentence of the article. " * 40
    for i in range(3_000):
        (folder / f"{i:05}.txt").write_text(f"Title {i}\n\n" + (paragraph + "\n\n") * 8)
    proc = subprocess.Popen(
        [sys.executable, "-m", "annotator", "import", str(folder), "--db", str(db)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        workers: set[int] = set()
        while time.monotonic() < deadline and len(workers) < 2 and proc.poll() is None:
            workers |= children(proc.pid)
            time.sleep(0.05)
        if not workers:
            pytest.skip("the import finished before its workers could be seen")
        time.sleep(0.5)  # let them take work
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(running(w) for w in workers):
        time.sleep(0.1)
    alive = [w for w in workers if running(w)]
    for w in alive:  # leave no stray process behind, whatever the outcome
        os.kill(w, signal.SIGKILL)
    assert alive == []
