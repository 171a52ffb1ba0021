"""`annotator export` eases Python's cycle collector while it streams (`heap_left_alone` with
the export's threshold: what is alive is frozen out of its passes, and it passes less often):
the collector stays on, so the reference cycles gold and splits make per unit are still
collected, and the process's settings (nothing left frozen) are as they were once the command
is done."""

from __future__ import annotations

import gc
import subprocess
import sys

from typer.testing import CliRunner

from annotator.cli import app, exporting
from tests.support.exports import build_store

# The export's own threshold, lowered so that this small export certainly reaches it (at the
# real one, whether a pass falls in it depends on where Python's count stood before).
LOW = 150


def test_the_collector_runs_during_an_export_and_is_as_before_after(tmp_path, monkeypatch):
    monkeypatch.setattr(exporting, "EXPORT_GC_THRESHOLD", LOW)
    url = f"sqlite:///{tmp_path / 's.db'}"
    build_store(url, documents=24)[0].dispose()
    gc.unfreeze()  # (what an earlier test froze, so that the command's own freeze shows)
    before = gc.get_threshold()
    passes: list[int] = []

    def count(phase: str, info: dict) -> None:
        # (only the passes made while the export streams, under its own threshold)
        if phase == "stop" and gc.get_threshold()[0] == LOW:
            passes.append(info["collected"])

    gc.callbacks.append(count)
    try:
        out = tmp_path / "out.jsonl"
        argv = ["export", "-o", str(out), "--db", url, "--gold", "--split", "50/50", "--card"]
        done = CliRunner().invoke(app, argv)
    finally:
        gc.callbacks.remove(count)
    assert done.exit_code == 0, done.output
    assert out.stat().st_size > 0
    # gold makes cycles per unit: the collector found and freed them while it ran
    assert passes and sum(passes) > 0
    assert gc.isenabled() and gc.get_threshold() == before
    assert gc.get_freeze_count() == 0  # what was alive is collectable again
    bad = ["export", "-o", str(tmp_path / "x.csv"), "--db", url, "--tasks", "nope"]
    assert CliRunner().invoke(app, bad).exit_code != 0
    assert gc.isenabled() and gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def _exit_sees(url: str, argv: list[str]) -> str:
    """What an atexit hook registered before the command sees as the process ends: hooks
    run last in, first out, so this one runs after any the command registered."""
    script = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('frozen at exit:', gc.get_freeze_count() > 0))\n"
        f"sys.argv = ['annotator', *{argv!r}, '--db', {url!r}]\n"
        "from annotator.cli import main\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    return done.stdout


def test_an_export_leaves_its_heap_out_of_the_last_pass_at_exit(tmp_path):
    """The process ends once the file is written: the collector's passes at interpreter exit
    would walk every object (pyarrow's too) to free what the system frees anyway."""
    url = f"sqlite:///{tmp_path / 's.db'}"
    build_store(url, documents=4)[0].dispose()
    out = tmp_path / "out.jsonl"
    seen = _exit_sees(url, ["export", "-o", str(out)])
    assert "Wrote 16 units" in seen and "frozen at exit: True" in seen
    assert len(out.read_text(encoding="utf-8").splitlines()) == 16
    # an export that fails leaves the exit as it is
    seen = _exit_sees(url, ["export", "-o", str(tmp_path / "x.csv"), "--tasks", "nope"])
    assert "frozen at exit: False" in seen
