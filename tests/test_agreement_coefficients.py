"""Every coefficient against a published worked example (source next to each number)."""

from __future__ import annotations

import numpy as np
import pytest

from annotator.analysis.agreement import compute_agreement
from annotator.analysis.coefficients import (
    cohen_kappa,
    fleiss_kappa,
    krippendorff_alpha,
    percent_agreement,
    token_f1,
    value_counts,
)
from annotator.schema.model import Label, Schema, Task
from annotator.store.labels_query import ProjectLabels

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: four
# observers, twelve units, values 1-5, with missing data ("." = no value).
K2011 = [
    "1 2 3 3 2 1 4 1 2 . . .",
    "1 2 3 3 2 2 4 1 2 5 . 3",
    ". 3 3 3 2 3 4 2 2 5 1 .",
    "1 2 3 3 2 4 4 1 2 5 1 .",
]
K2011_ALPHA = {"nominal": 0.743, "ordinal": 0.815, "interval": 0.849, "ratio": 0.797}


def table_from_rows(rows: list[str], task: str = "t") -> ProjectLabels:
    """Reliability data (one string per annotator, '.' for no value) as label columns."""
    data = ProjectLabels(annotators=[f"obs{i + 1}" for i in range(len(rows))])
    data.roles = ["annotator"] * len(rows)
    for a, row in enumerate(rows):
        for u, cell in enumerate(row.split()):
            data.unit.append(u + 1)
            data.annotator.append(a)
            data.status.append("done")
            data.seconds.append(None)
            data.values.append({} if cell == "." else {task: cell})
    data.total_units = len(rows[0].split())
    return data


def schema_of(*tasks: Task) -> Schema:
    return Schema(name="test", tasks=tasks)


def scale(values: str, level: str = "nominal", name: str = "t") -> Task:
    return Task(
        name=name,
        type="scale",
        agreement=level,  # type: ignore[arg-type]
        labels=tuple(Label(v, v) for v in values.split()),
    )


@pytest.mark.parametrize("level", K2011_ALPHA)
def test_krippendorff_2011_example_at_every_level(level):
    table = table_from_rows(K2011)
    report = compute_agreement(schema_of(scale("1 2 3 4 5", level)), table)
    alpha = report.tasks[0].alpha
    assert alpha is not None and alpha.value == pytest.approx(K2011_ALPHA[level], abs=5e-4)
    # Unit 12 has one value only: 11 pairable units, 4 observers.
    assert (alpha.units, alpha.annotators) == (11, 4)


def test_level_option_overrides_the_schema():
    table = table_from_rows(K2011)
    report = compute_agreement(schema_of(scale("1 2 3 4 5", "nominal")), table, level="interval")
    assert report.tasks[0].level == "interval"
    assert report.tasks[0].alpha.value == pytest.approx(0.849, abs=5e-4)


def test_krippendorff_2011_binary_two_observers():
    # Krippendorff (2011), section A: two observers, ten units, binary data: alpha = 0.095.
    table = table_from_rows(["0 1 0 0 0 0 0 0 1 0", "1 1 1 0 0 1 0 0 0 0"])
    report = compute_agreement(schema_of(scale("0 1")), table)
    assert report.tasks[0].alpha.value == pytest.approx(0.095, abs=5e-4)


def test_krippendorff_2011_nominal_two_observers():
    # Krippendorff (2011), section B: two observers, twelve units, values a-e: alpha = 0.692.
    table = table_from_rows(["a a b b d c c c e d d a", "b a b b b c c c e d d d"])
    report = compute_agreement(schema_of(scale("a b c d e")), table)
    assert report.tasks[0].alpha.value == pytest.approx(0.692, abs=5e-4)


# Wikipedia, "Fleiss' kappa", worked example: 10 subjects, 14 raters, 5 categories;
# P-bar = 0.378, P-bar-e = 0.213, kappa = 0.210.
FLEISS_WIKI = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]


def test_fleiss_wikipedia_example():
    counts = np.array(FLEISS_WIKI)
    kappa = fleiss_kappa(counts, annotators=14)
    assert kappa.value == pytest.approx(0.210, abs=5e-4)
    assert kappa.units == 10
    # Percent agreement is Fleiss' P-bar.
    assert percent_agreement(counts).value == pytest.approx(0.378, abs=5e-4)


def test_fleiss_is_left_out_with_a_reason_when_counts_differ():
    table = table_from_rows(K2011)
    fig = compute_agreement(schema_of(scale("1 2 3 4 5")), table).tasks[0].fleiss
    assert fig.value is None
    assert "2 to 4 labels" in fig.note and "same number per unit" in fig.note


def test_fleiss_through_the_report_equals_direct_counts():
    # The Wikipedia table as 14 annotators' labels (rater order does not matter to Fleiss).
    rows = [["."] * 10 for _ in range(14)]
    for u, counts in enumerate(FLEISS_WIKI):
        r = 0
        for category, n in enumerate(counts):
            for _ in range(n):
                rows[r][u] = str(category + 1)
                r += 1
    table = table_from_rows([" ".join(r) for r in rows])
    task = compute_agreement(schema_of(scale("1 2 3 4 5")), table).tasks[0]
    assert task.fleiss.value == pytest.approx(0.210, abs=5e-4)


# Wikipedia, "Cohen's kappa", worked examples (2x2 tables of 50 / 100 items).
@pytest.mark.parametrize(
    ("yy", "yn", "ny", "nn", "kappa"),
    [
        (20, 5, 10, 15, 0.4),  # "Simple example": p_o = 0.7, p_e = 0.5
        (45, 15, 25, 15, 0.1304),  # "Same percentages but different numbers"
        (25, 35, 5, 35, 0.2593),
    ],
)
def test_cohen_wikipedia_examples(yy, yn, ny, nn, kappa):
    a = np.array([0] * yy + [0] * yn + [1] * ny + [1] * nn)
    b = np.array([0] * yy + [1] * yn + [0] * ny + [1] * nn)
    fig = cohen_kappa(a, b, 2)
    assert fig.value == pytest.approx(kappa, abs=5e-5)
    assert fig.units == yy + yn + ny + nn


def test_cohen_matrix_only_uses_shared_units():
    table = table_from_rows(K2011)
    task = compute_agreement(schema_of(scale("1 2 3 4 5")), table).tasks[0]
    # obs1 and obs3 share units 2-9 only.
    assert task.cohen[0][2].units == 8
    assert task.cohen[0][0] is None
    assert task.cohen[0][2] is task.cohen[2][0]


def test_alpha_without_variation_says_so():
    fig = krippendorff_alpha(value_counts(np.array([[0, 0], [0, 0]]), 2), "nominal")
    assert fig.value is None and "no variation" in fig.note


def test_token_f1_is_pooled_and_symmetric():
    a = {1: frozenset({0, 1, 2}), 2: frozenset({5})}
    b = {1: frozenset({1, 2, 3})}
    # TP = 2 (tokens 1, 2); |A| = 4, |B| = 3 -> F1 = 4/7. Unit 3: neither marked anything.
    assert token_f1(a, b, {1, 2, 3}).value == pytest.approx(4 / 7, abs=1e-6)
    assert token_f1(b, a, {1, 2, 3}).value == pytest.approx(4 / 7, abs=1e-6)
    assert token_f1(a, b, set()).value is None
