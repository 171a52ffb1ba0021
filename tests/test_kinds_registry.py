"""Every layer's per-kind table covers every task kind, and nothing else.

A kind declared in annotator/schema/kinds.py but missing from one of these tables would
otherwise be handled by some fallback (a free-text panel, an empty export column): a wrong
dataset, not an error. Adding a kind means adding a row to each table listed here.
"""

from __future__ import annotations

from typing import get_args

import pytest

from annotator.analysis import aggregate, agreement, checks, coding
from annotator.assist import kinds as assist_kinds
from annotator.export import arrow, card, label_studio, label_studio_config, prodigy
from annotator.labels import check
from annotator.schema.kinds import CATEGORICAL, KINDS
from annotator.schema.model import TaskType
from annotator.tui.widgets import panels

TABLES = {
    "analysis.coding.CODERS (agreement codes)": coding.CODERS,
    "analysis.aggregate.VOTERS (gold)": aggregate.VOTERS,
    "analysis.checks.MATCHERS (accuracy on check items)": checks.MATCHERS,
    "tui.widgets.panels.PANELS (annotate screen)": panels.PANELS,
    "assist.kinds.KINDS (what a model learns)": assist_kinds.KINDS,
    "labels.check.CHECKS (labels import)": check.CHECKS,
    "export.label_studio.REGIONS (Label Studio results)": label_studio.REGIONS,
    "export.label_studio_config.CONTROLS (Label Studio config)": label_studio_config.CONTROLS,
    "export.prodigy.PRODIGY (Prodigy task fields)": prodigy.PRODIGY,
    "export.arrow.COLUMNS (Parquet and HF features)": arrow.COLUMNS,
    "export.card.COUNTS (dataset card label counts)": card.COUNTS,
}


def test_the_schema_types_are_the_kinds():
    assert get_args(TaskType) == tuple(KINDS)  # same order: messages list them


@pytest.mark.parametrize("where", sorted(TABLES))
def test_each_table_has_every_kind(where):
    table = TABLES[where]
    assert set(table) == set(KINDS), (
        f"{where}: missing {sorted(set(KINDS) - set(table))}, "
        f"unknown {sorted(set(table) - set(KINDS))}"
    )


def test_categorical_kinds_are_coded_and_the_rest_have_their_own_figures():
    coded = {k for k, coder in coding.CODERS.items() if coder is not None}
    assert coded == set(CATEGORICAL)
    assert set(agreement.UNCODED) == set(KINDS) - coded


def test_a_kind_of_the_same_shape_reads_the_same_values():
    # A single task may become a scale (same stored shape) without orphaning labels.
    assert KINDS["single"].shape == KINDS["scale"].shape
    assert len({k.shape for k in KINDS.values()}) == 5
