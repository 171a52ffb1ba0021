"""Dawid-Skene and gold per unit: adjudications win, ties are marked, spammers are found."""

from __future__ import annotations

import numpy as np
import pytest

from annotator.analysis.aggregate import ADJUDICATED, MAJORITY, TIE
from annotator.analysis.dawid_skene import DAWID_SKENE, dawid_skene, gold_for_units
from annotator.schema.model import Label, Task
from annotator.store.labels_query import ProjectLabels

BIAS = Task(name="bias", type="single", labels=(Label("biased", "b"), Label("non_biased", "n")))


def simulated(seed: int = 7, units: int = 400):
    """Three careful annotators (80% right) and two who answer 0 whatever the truth."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 3, units)
    rows = []
    for _ in range(3):
        noise = rng.integers(0, 3, units)
        rows.append(np.where(rng.random(units) < 0.8, truth, noise))
    rows += [np.zeros(units, dtype=np.int64)] * 2
    return truth, np.array(rows)


def majority(codes: np.ndarray, k: int) -> np.ndarray:
    counts = np.stack([(codes == c).sum(axis=0) for c in range(k)], axis=1)
    return counts.argmax(axis=1)


def test_dawid_skene_beats_majority_when_two_annotators_always_say_the_same():
    truth, codes = simulated()
    result = dawid_skene(codes, 3)
    assert result.converged
    ds_right = (result.labels() == truth).mean()
    mv_right = (majority(codes, 3) == truth).mean()
    assert ds_right > mv_right + 0.1
    assert ds_right > 0.9
    # The constant annotators' confusion: whatever the truth, they say 0.
    assert result.confusion[3][:, 0] == pytest.approx([1, 1, 1], abs=0.05)
    # A careful one is right about 80% + 20%/3 of the time.
    assert np.diag(result.confusion[0]).mean() == pytest.approx(0.8667, abs=0.06)


def test_dawid_skene_handles_missing_labels_and_unlabelled_units():
    truth, codes = simulated(seed=3)
    codes = codes.copy()
    codes[:, :5] = -1  # five units nobody labelled
    codes[1, ::2] = -1
    result = dawid_skene(codes, 3)
    assert result.posteriors.shape == (codes.shape[1], 3)
    assert np.allclose(result.posteriors.sum(axis=1), 1)
    assert ((result.labels() == truth)[5:]).mean() > 0.85


def table(rows: list[tuple[int, str, str | None]]) -> ProjectLabels:
    names = sorted({r[1] for r in rows})
    data = ProjectLabels(annotators=names, roles=["annotator"] * len(names))
    for unit, who, value in rows:
        data.unit.append(unit)
        data.annotator.append(names.index(who))
        data.status.append("done")
        data.seconds.append(None)
        data.values.append({"bias": value} if value else {})
    data.total_units = len({r[0] for r in rows})
    return data


def test_majority_gold_marks_ties_and_adjudication_wins():
    data = table(
        [
            (1, "a", "biased"), (1, "b", "biased"), (1, "c", "non_biased"),
            (2, "a", "biased"), (2, "b", "non_biased"),
            (3, "a", "non_biased"), (3, "b", "biased"),
        ]
    )  # fmt: skip
    data.adjudications = {"bias": {3: "non_biased"}}
    gold = gold_for_units(data, BIAS)
    assert (gold[1].value, gold[1].source) == ("biased", MAJORITY)
    assert (gold[2].value, gold[2].source) == (None, TIE)
    assert (gold[3].value, gold[3].source) == ("non_biased", ADJUDICATED)


def test_dawid_skene_gold_weighs_the_reliable_annotator_and_adjudication_still_wins():
    rows = []
    # "c" always says biased; "a" and "b" agree with each other on 20 units.
    for u in range(20):
        value = "biased" if u % 2 else "non_biased"
        rows += [(u, "a", value), (u, "b", value), (u, "c", "biased")]
    # Unit 100: a says non_biased, c says biased. c's "biased" tells nothing; a is reliable.
    rows += [(100, "a", "non_biased"), (100, "c", "biased")]
    data = table(rows)
    assert gold_for_units(data, BIAS)[100].source == TIE
    gold = gold_for_units(data, BIAS, "dawid-skene")
    assert (gold[100].value, gold[100].source) == ("non_biased", DAWID_SKENE)
    data.adjudications = {"bias": {100: "biased"}}
    assert gold_for_units(data, BIAS, "dawid-skene")[100].source == ADJUDICATED


def test_unknown_method_is_refused():
    with pytest.raises(ValueError, match="unknown method"):
        gold_for_units(table([(1, "a", "biased")]), BIAS, "vote")
