"""The column-by-column reductions Dawid-Skene and MACE use give numpy's own numbers, bit for
bit (exported posteriors and accuracies must not move with a speed-up)."""

from __future__ import annotations

import numpy as np
import pytest

from annotator.analysis.rows import add_rows_of, row_max, row_sum


@pytest.mark.parametrize("k", range(1, 11))
def test_row_reductions_equal_numpys_bit_for_bit(k):
    rng = np.random.default_rng(k)
    a = rng.random((5_000, k)) * np.exp(rng.normal(size=(5_000, k)) * 8)
    a[::97, 0] = -np.inf  # a log of zero
    for mine, numpys in (
        (row_max(a), a.max(axis=1, keepdims=True)),
        (row_sum(a), a.sum(axis=1, keepdims=True)),
    ):
        assert mine.shape == numpys.shape and mine.tobytes() == numpys.tobytes()


def test_add_rows_of_looks_up_code_minus_one_in_the_last_row():
    table = np.array([[1.0, 2.0], [3.0, 4.0], [0.0, 0.0]])
    codes = np.array([1, -1, 0])
    total = np.full((3, 2), 0.5)
    add_rows_of(total, table, codes, np.empty_like(total))
    assert total.tolist() == [[3.5, 4.5], [0.5, 0.5], [1.5, 2.5]]


@pytest.mark.parametrize("people", [5, 40])  # 40: too many for one integer key per column
def test_em_on_distinct_columns_gives_the_estimates_of_every_unit(people):
    from annotator.analysis.dawid_skene import dawid_skene
    from annotator.analysis.mace import mace
    from annotator.analysis.rows import distinct_columns

    rng = np.random.default_rng(people)
    truth = rng.integers(0, 3, size=4_000)
    codes = np.where(rng.random((people, 4_000)) < 0.7, truth, rng.integers(0, 3, (people, 4_000)))
    codes[rng.random(codes.shape) < 0.2] = -1  # not everyone labels every unit
    columns, weights = distinct_columns(codes)
    assert weights.sum() == 4_000
    if people == 5:
        assert columns.shape[1] < 4**5
    # each distinct column once
    assert len({tuple(c) for c in columns.T.tolist()}) == columns.shape[1]
    assert {tuple(c) for c in columns.T.tolist()} == {tuple(c) for c in codes.T.tolist()}
    full, packed = dawid_skene(codes, 3), dawid_skene(columns, 3, weights=weights)
    assert packed.iterations == full.iterations
    np.testing.assert_allclose(packed.confusion, full.confusion, rtol=1e-9)
    np.testing.assert_allclose(packed.priors, full.priors, rtol=1e-9)
    full_m, packed_m = mace(codes, 3), mace(columns, 3, weights=weights)
    assert packed_m.iterations == full_m.iterations
    np.testing.assert_allclose(packed_m.competence, full_m.competence, rtol=1e-9)
    np.testing.assert_allclose(packed_m.spamming, full_m.spamming, rtol=1e-9)
