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
