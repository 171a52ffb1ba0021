"""A small profile of benchmarks/fault_harness.py: SIGKILLs during annotation and import, faults.

The full run (``--kills 100``) is a benchmark; this keeps the same checks honest in CI.
"""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path

import pytest

pytest.importorskip("pty")
pytest.importorskip("termios")
pytest.importorskip("fcntl")

HARNESS = Path(__file__).resolve().parent.parent / "benchmarks" / "fault_harness.py"


@pytest.fixture(scope="module")
def harness():
    spec = importlib.util.spec_from_file_location("fault_harness", HARNESS)
    module = importlib.util.module_from_spec(spec)
    sys.modules["fault_harness"] = module
    spec.loader.exec_module(module)
    return module


def test_sigkill_during_annotation_loses_no_confirmed_label(harness, tmp_path):
    tally = harness.part_annotate(tmp_path, kills=5, rng=random.Random(5))
    assert tally.runs == 5
    assert tally.lost == 0, tally.notes
    assert tally.failures == 0, tally.notes


def test_sigkill_during_import_leaves_no_duplicate_or_partial_document(harness, tmp_path):
    tally = harness.part_import(tmp_path, kills=2, files=40, rng=random.Random(6))
    assert tally.runs == 2
    assert tally.failures == 0, tally.notes
