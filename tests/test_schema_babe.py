"""BABE/MBIC labels map onto media_bias.yaml values without loss."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from annotator.schema import default_schema
from annotator.schema.babe import (
    BIAS_TASK,
    OPINION_TASK,
    BabeLabelError,
    bias_value,
    biased_words,
    opinion_value,
)

BABE = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "babe"
FILES = [
    "raw_labels_SG1.csv",
    "raw_labels_SG2.csv",
    "raw_labels_MBIC.csv",
    "final_labels_SG1.csv",
    "final_labels_SG2.csv",
]


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("Biased", "biased"),
        ("Non-biased", "non_biased"),
        ("  non-BIASED ", "non_biased"),
        ("Biased, unfair", "biased"),
        ("No agreement", None),
        ("", None),
        (None, None),
    ],
)
def test_bias_cells(cell, value):
    assert bias_value(cell) == value


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("Entirely factual", "entirely_factual"),
        ("Somewhat factual but also opinionated", "somewhat_factual_but_opinionated"),
        ("Somewhat factional but also opinionated", "somewhat_factual_but_opinionated"),
        ("Expresses writer\u2019s opinion", "expresses_writers_opinion"),
        ("Expresses writer's opinion", "expresses_writers_opinion"),
        ("Expresses wleter\u00b4s opinion", "expresses_writers_opinion"),
        ("No agreement", None),
        ("", None),
    ],
)
def test_opinion_cells(cell, value):
    assert opinion_value(cell) == value


def test_unknown_cells_raise_instead_of_vanishing():
    with pytest.raises(BabeLabelError, match="label_bias: unknown label 'Slanted'"):
        bias_value("Slanted")
    with pytest.raises(BabeLabelError, match="label_opinion"):
        opinion_value("Mostly opinion")


def test_mapped_values_exist_in_media_bias_yaml():
    schema = default_schema()
    assert {bias_value("Biased"), bias_value("Non-biased")} == set(schema.task(BIAS_TASK).values)
    opinions = {
        opinion_value(c)
        for c in (
            "Entirely factual",
            "Somewhat factual but also opinionated",
            "Expresses writer’s opinion",
        )
    }
    assert opinions == set(schema.task(OPINION_TASK).values)


@pytest.mark.parametrize(
    ("cell", "words"),
    [
        ("[]", []),
        ("nan", []),
        ("", []),
        ("['bizarre', 'characteristically']", ["bizarre", "characteristically"]),
        ("fraudulent, allege, phony", ["fraudulent", "allege", "phony"]),
        (" white supremacist", ["white supremacist"]),
        ("['unclosed', ", ["unclosed"]),
    ],
)
def test_biased_words(cell, words):
    assert biased_words(cell) == words


def _rows(path: Path):
    with path.open(encoding="utf-8-sig", newline="") as fh:
        delimiter = ";" if ";" in fh.readline() else ","
        fh.seek(0)
        yield from csv.DictReader(fh, delimiter=delimiter)


@pytest.mark.parametrize("name", FILES)
def test_published_babe_labels_map_without_loss(name):
    path = BABE / name
    if not path.is_file():
        pytest.skip("../shared/datasets/babe is not present (optional data check)")
    schema = default_schema()
    bias_values, opinion_values = (
        set(schema.task("bias").values),
        set(schema.task("opinion").values),
    )
    seen: Counter[tuple[str, str | None]] = Counter()
    rows = 0
    for row in _rows(path):
        rows += 1
        for column, convert, allowed in (
            ("label_bias", bias_value, bias_values),
            ("label_opinion", opinion_value, opinion_values),
        ):
            cell = row[column]
            value = convert(cell)  # raises on any spelling we do not know
            if value is None:
                # Only an empty cell or the aggregate tie may become "no label".
                assert cell.strip() in ("", "No agreement"), (column, cell)
            else:
                assert value in allowed
            seen[column, value] += 1
    assert rows > 1000
    # Every value of both tasks occurs: nothing collapsed into another value.
    for value in bias_values:
        assert seen["label_bias", value] > 100
    for value in opinion_values:
        assert seen["label_opinion", value] > 100
