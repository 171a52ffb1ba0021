"""A real full disk: a small tmpfs holds the SQLite store while labels are given, and an
export's target.

`annotate` labels until the disk is full: the message line must say so (one message, naming a
way on), the process must stay up, every label the screen confirmed must be in the store, and
once space is freed the retry the screen offers must save. An export to a full disk must end
with one line, a non-zero exit and no file. Mounting needs root; where it is refused the part
says why and the same annotate check runs with SQLite's `max_page_count` instead (no retry:
that limit cannot be lifted from outside the process).
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from fault_kit import (
    Screen,
    Tally,
    half_written,
    make_store,
    one_line_no_traceback,
    run,
    spawn_in_pty,
    store_done,
)

FULL = ("disk is full", "No space left")

# max_page_count is per connection: a wrapper sets it on each one before the CLI runs.
PAGE_LIMIT = (
    "import sys, sqlalchemy.event as ev, sqlalchemy.pool as pool\n"
    "LIMIT = int(sys.argv[1])\n"
    "def limit(c, r):\n"
    "    if c.__class__.__module__.startswith('sqlite3'):\n"
    "        c.execute(f'PRAGMA max_page_count = {LIMIT}')\n"
    "ev.listen(pool.Pool, 'connect', limit)\n"
    "from annotator.cli.app import main\n"
    "sys.argv = ['annotator'] + sys.argv[2:]\n"
    "main()\n"
)


def mount_tmpfs(folder: Path, size: str = "2m") -> str | None:
    """None once a tmpfs of `size` is mounted on `folder`, else why not (one line)."""
    folder.mkdir(parents=True, exist_ok=True)
    try:
        res = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"mount: {exc}"
    if res.returncode:
        return (res.stderr.strip().splitlines() or [f"mount exited {res.returncode}"])[0]
    return None


def unmount(folder: Path) -> None:
    subprocess.run(["umount", str(folder)], capture_output=True, timeout=30)


def fill(folder: Path, leave: int) -> None:
    """Take the folder's free space but `leave` bytes (in a file named filler)."""
    filler = folder / "filler"
    st = os.statvfs(folder)
    size = max(0, st.f_bavail * st.f_frsize - leave)
    with filler.open("wb") as out, contextlib.suppress(OSError):
        chunk = b"\0" * 65536
        while size > 0:
            size -= out.write(chunk[: min(size, len(chunk))])


class Space:
    """The folder's free space but `leave` bytes, taken once the app is up, and given back."""

    def __init__(self, folder: Path, leave: int) -> None:
        self.folder, self.leave = folder, leave

    def take(self) -> None:
        fill(self.folder, self.leave)

    def free(self) -> None:
        (self.folder / "filler").unlink()


def label_until_full(
    db: Path, tally: Tally, *, cmd: list[str] | None, when_up=None, free=None
) -> str:
    """Label in `annotate` until the screen says the disk is full; then, if `free` is given,
    free space and retry. Checks no loss and no traceback; returns what happened."""
    before = store_done(db)
    proc, master = spawn_in_pty(["annotate", "--db", str(db), "--annotator", "alice"], cmd=cmd)
    screen = Screen(master)
    said = ""
    try:
        deadline = time.monotonic() + 40
        while screen.best_done is None and time.monotonic() < deadline and proc.poll() is None:
            screen.pump(0.1)
        if screen.best_done is None:
            tally.fail(f"annotate did not draw its progress line: {screen.text[-300:]!r}")
            return "no start"
        if when_up is not None:
            when_up()
        mark = len(screen.text)
        end = time.monotonic() + 60
        while time.monotonic() < end and proc.poll() is None:
            os.write(master, b"1")
            screen.pump(0.15)
            at = screen.text.find("Not saved", mark)
            if at >= 0:
                said = " ".join(screen.text[at : at + 300].split())
                said = said[: said.find("retry.") + 6] if "retry." in said else said
                break
        if not said:
            tally.fail(f"no 'Not saved' after 60 s of labels: {screen.text[-300:]!r}")
        elif not any(f in said for f in FULL) or "retry" not in said:
            tally.fail(f"the message does not say the disk is full and how to go on: {said!r}")
        if proc.poll() is not None:
            tally.fail(f"annotate exited ({proc.returncode}) when the disk filled up")
        at_full = screen.best_done or 0
        if free is not None and said and proc.poll() is None:
            free()
            os.write(master, b"\r")  # what the message asks for
            end = time.monotonic() + 20
            while (screen.best_done or 0) <= at_full and time.monotonic() < end:
                screen.pump(0.2)
            if (screen.best_done or 0) <= at_full:
                tally.fail(f"enter did not save once space was freed: {screen.text[-300:]!r}")
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        screen.pump(0.05)
    finally:
        with contextlib.suppress(OSError):
            os.close(master)
    if "Traceback" in screen.text:
        tally.fail("a traceback on screen")
    confirmed = (screen.best_done or 0) - before
    after = store_done(db)
    if after < before + confirmed:
        tally.lost += before + confirmed - after
        tally.fail(f"screen confirmed {before + confirmed} done, store has {after}")
    problems = half_written(db)
    if problems:
        tally.fail("; ".join(problems[:3]))
    return f"{confirmed} labels confirmed; the screen said: {said[:120]!r}"


def part_disk(
    work: Path, rng: random.Random, runs: int = 3, mount: bool = True
) -> tuple[Tally, list[str]]:
    tally = Tally("disk full")
    notes: list[str] = []
    base = work / "disk"
    base.mkdir(exist_ok=True)
    db = base / "d.db"
    make_store(db, base, rng, extra_files=20)  # more units than a run can label
    disk = base / "tmpfs"
    refused = mount_tmpfs(disk) if mount else "not asked (--no-mount)"
    if refused is None:
        try:
            for i in range(runs):
                tally.runs += 1
                for p in disk.iterdir():
                    p.unlink()
                shutil.copy(db, disk / "d.db")
                space = Space(disk, leave=rng.randint(8, 96) * 1024)
                outcome = label_until_full(
                    disk / "d.db", tally, cmd=None, when_up=space.take, free=space.free
                )
                notes.append(f"tmpfs run {i} ({space.leave // 1024} KB left free): {outcome}")
            # An export to the full disk: one line, non-zero, no file (nor a temporary one).
            for p in disk.iterdir():
                p.unlink()
            fill(disk, 4096)
            tally.runs += 1
            res = run(["export", "--db", str(db), "--all", "-o", str(disk / "out.jsonl")])
            problem = one_line_no_traceback(res)
            left = sorted(p.name for p in disk.iterdir() if p.name != "filler")
            if left:
                problem = f"left on the full disk: {left}"
            if problem:
                tally.fail(f"export to a full disk: {problem}")
            notes.append(f"export to a full disk: exit {res.returncode}, {res.stderr.strip()!r}")
        finally:
            unmount(disk)
        return tally, notes
    notes.append(f"tmpfs skipped: {refused}; max_page_count stands in (no retry check)")
    for i in range(runs):
        tally.runs += 1
        copy = base / f"limited{i}.db"
        shutil.copy(db, copy)
        con = sqlite3.connect(copy)
        (pages,) = con.execute("PRAGMA page_count").fetchone()
        con.close()
        limit = pages + rng.randint(1, 4)
        outcome = label_until_full(copy, tally, cmd=[sys.executable, "-c", PAGE_LIMIT, str(limit)])
        notes.append(f"max_page_count run {i} ({limit - pages} pages free): {outcome}")
    return tally, notes
