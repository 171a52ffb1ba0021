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


def test_a_connection_dropped_after_the_last_row_does_not_fail_the_export(tmp_path, monkeypatch):
    from sqlalchemy.engine import Connection
    from sqlalchemy.exc import OperationalError

    from annotator.export.options import ExportOptions
    from annotator.export.run import export_project
    from tests.support.exports import project_of

    engine, pid = build_store(f"sqlite:///{tmp_path / 'a.db'}", documents=3)
    project = project_of(engine, pid)
    real_close = Connection.close

    from annotator.store import export_stream

    real_stream = export_stream.UnitStream.__init__

    def streaming(self, conn, *args, **kwargs):
        conn.info["export stream"] = True
        real_stream(self, conn, *args, **kwargs)

    def dropped(self):  # the server ended the stream's session: its closing rollback fails
        streamed = self.info.pop("export stream", False) if not self.closed else False
        real_close(self)
        if streamed:
            raise OperationalError("ROLLBACK", {}, Exception("terminating connection"))

    monkeypatch.setattr(export_stream.UnitStream, "__init__", streaming)
    monkeypatch.setattr(Connection, "close", dropped)
    target = tmp_path / "out.jsonl"
    result = export_project(engine, project, "jsonl", target, ExportOptions())
    monkeypatch.undo()
    assert target.exists() and result.records == len(target.read_text().splitlines()) > 0
