"""A small profile of benchmarks/fault_harness.py: SIGKILLs during annotation and import,
PostgreSQL connections dropped mid-session, a real full disk.

The full run (``--kills 100``) is a benchmark; this keeps the same checks honest in CI.
PostgreSQL parts need ANNOTATOR_TEST_PG_URL; the tmpfs part needs a `mount` that is allowed
(root); each skips with its reason otherwise.
"""

from __future__ import annotations

import importlib.util
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pty")
pytest.importorskip("termios")
pytest.importorskip("fcntl")

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
PG_ENV = "ANNOTATOR_TEST_PG_URL"


def load(name: str):
    if str(BENCHMARKS) not in sys.path:
        sys.path.insert(0, str(BENCHMARKS))  # the harness imports its sibling modules
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def harness():
    return load("fault_harness")


@pytest.fixture
def pg_stores(harness):
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"the PostgreSQL drops need {PG_ENV} (a server the tests may use)")
    postgres = sys.modules["fault_postgres"]
    why = postgres.reachable(base)
    if why is not None:
        pytest.skip(f"PostgreSQL at {PG_ENV} does not answer: {why}")
    stores = postgres.PgStores(base)
    yield postgres, stores
    stores.close()


def test_sigkill_during_annotation_loses_no_confirmed_label(harness, tmp_path):
    tally = harness.part_annotate(tmp_path, kills=5, rng=random.Random(5))
    assert tally.runs == 5
    assert tally.lost == 0, tally.notes
    assert tally.failures == 0, tally.notes


def test_sigkill_during_import_leaves_no_duplicate_or_partial_document(harness, tmp_path):
    tally = harness.part_import(tmp_path, kills=2, files=40, rng=random.Random(6))
    assert tally.runs == 2
    assert tally.failures == 0, tally.notes


def test_postgres_dropped_while_annotating_loses_nothing_and_saving_recovers(pg_stores, tmp_path):
    postgres, stores = pg_stores
    tally, notes = postgres.part_pg_annotate(stores, tmp_path, sessions=2, rng=random.Random(7))
    assert tally.runs == 2
    assert tally.lost == 0, tally.notes
    assert tally.failures == 0, tally.notes + notes


def test_postgres_dropped_under_a_command_is_one_line_and_no_partial_file(pg_stores, tmp_path):
    postgres, stores = pg_stores
    tally, notes = postgres.part_pg_commands(
        stores, tmp_path, tries=2, rng=random.Random(8), files=30
    )
    assert tally.runs == 6  # status, export, labels import
    assert tally.failures == 0, tally.notes + notes


def test_psycopg_cleanup_warning_does_not_add_a_line_to_stderr():
    # A COPY cut short by a dropped connection: psycopg logs the error it met cleaning up
    # (the CLI prints the raised error itself, in one line). No server is needed to build
    # the engine; the warning is what psycopg logs at that moment.
    pytest.importorskip("psycopg")
    code = (
        "import logging\n"
        "from annotator.store.engine import make_engine\n"
        "make_engine('postgresql+psycopg://u@127.0.0.1:1/x')\n"
        "logging.getLogger('psycopg').warning('error ignored terminating <Copy>: lost')\n"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    assert res.stderr == ""


def test_real_full_disk_under_annotate_and_export(harness, tmp_path):
    disk = sys.modules["fault_disk"]
    probe = tmp_path / "probe"
    refused = disk.mount_tmpfs(probe)
    if refused is not None:
        pytest.skip(f"a tmpfs cannot be mounted here: {refused}")
    disk.unmount(probe)
    tally, notes = disk.part_disk(tmp_path, random.Random(9), runs=1)
    assert tally.runs == 2, notes  # one annotate run, one export
    assert tally.lost == 0, tally.notes + notes
    assert tally.failures == 0, tally.notes + notes


def test_full_store_by_page_limit_under_annotate(harness, tmp_path):
    disk = sys.modules["fault_disk"]
    tally, notes = disk.part_disk(tmp_path, random.Random(10), runs=1, mount=False)
    assert tally.runs == 1
    assert tally.lost == 0, tally.notes + notes
    assert tally.failures == 0, tally.notes + notes
