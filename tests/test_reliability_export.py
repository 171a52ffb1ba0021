"""Export to a full disk: one line naming the file, exit 1, and no partial file (issue 10,
item 6). The disk is really full: every write goes to /dev/full, which answers ENOSPC."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from annotator.cli.app import app
from annotator.cli.failures import EXIT_DATA, guarded
from annotator.export import atomic
from tests.support.exports import build_store

pytestmark = pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")


@pytest.fixture
def full_disk(monkeypatch):
    real = tempfile.mkstemp

    def mkstemp(*args, **kwargs):
        fd, path = real(*args, **kwargs)  # the temporary name exists, as it would
        os.close(fd)
        return os.open("/dev/full", os.O_WRONLY), path

    monkeypatch.setattr(atomic.tempfile, "mkstemp", mkstemp)


@pytest.mark.parametrize("format", ["jsonl", "csv", "parquet", "prodigy"])
def test_export_to_a_full_disk_is_one_line_and_leaves_nothing(tmp_path, full_disk, capsys, format):
    db = tmp_path / "a.db"
    build_store(f"sqlite:///{db}")[0].dispose()
    out = tmp_path / "out" / f"x.{format}"
    argv = ["export", "--format", format, "-o", str(out), "--db", str(db)]
    assert guarded(lambda: app(argv, prog_name="annotator")) == EXIT_DATA
    err = capsys.readouterr().err.strip()
    assert err == (
        f"error: {out}: could not be written (No space left on device); nothing was left behind"
    )
    assert list(out.parent.iterdir()) == []
