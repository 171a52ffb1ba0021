"""MACE (Hovy et al., 2013, "Learning Whom to Trust with MACE"): each annotator either knows
the true value or, with some probability, spams a value from their own habits; EM learns
each annotator's competence (how often they know) and each unit's true value.

Where Dawid-Skene learns a full confusion matrix per annotator (k x k numbers, many for few
units), MACE learns one competence and one spamming distribution per annotator, so it holds
up better on a pilot of a few hundred units. Pure numpy on the same code matrix as the
agreement figures (annotators x units, -1 = no value).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from annotator.analysis.rows import add_rows_of, row_max, row_sum

MACE = "mace"


@dataclass
class MaceResult:
    posteriors: np.ndarray  # units x K: probability of each true value
    competence: np.ndarray  # annotators: P(they give the true value rather than spam)
    spamming: np.ndarray  # annotators x K: what they give when they spam
    iterations: int
    converged: bool

    def labels(self) -> np.ndarray:
        """Most probable code per unit; -1 where the top two are equally likely."""
        best = self.posteriors.argmax(axis=1)
        if self.posteriors.shape[1] > 1:
            order = np.sort(self.posteriors, axis=1)
            best[np.isclose(order[:, -1], order[:, -2])] = -1
        return best


def _posteriors(codes, competence, spamming, k: int) -> np.ndarray:
    log_t = np.zeros((codes.shape[1], k))
    said = np.zeros((k + 1, k))  # row s: log P(says s | truth = each value); row -1: no value
    buf = np.empty_like(log_t)
    for j in range(codes.shape[0]):
        # P(says s | truth t): spam mass everywhere, plus competence where s = t. A k x k
        # table whose log is taken once, looked up per unit by what was said (code -1 finds
        # the last row, zeros: adding nothing for a unit the annotator did not label).
        p = np.repeat(((1 - competence[j]) * spamming[j])[:, None], k, axis=1)
        p[np.arange(k), np.arange(k)] += competence[j]
        said[:k] = np.log(p)
        add_rows_of(log_t, said, codes[j], buf)
    log_t -= row_max(log_t)
    t = np.exp(log_t)
    return t / row_sum(t)


def mace(
    codes: np.ndarray,
    k: int,
    *,
    max_iter: int = 100,
    tol: float = 1e-6,
    smoothing: float = 0.01,
    weights: np.ndarray | None = None,
) -> MaceResult:
    """EM from competence 0.8 and uniform spamming until unit posteriors stop moving;
    `smoothing` keeps every probability away from zero (as Dawid-Skene's does).
    `weights`: column c of `codes` stands for `weights[c]` units with the same labels
    (``rows.distinct_columns``); the posteriors are then per column."""
    n_people = codes.shape[0]
    # Per annotator, the units they labelled and what they said: the same every round.
    labelled = [np.flatnonzero(row >= 0) for row in codes]
    saids = [row[units] for row, units in zip(codes, labelled, strict=True)]
    # How many units each of those stands for (None: one each).
    counts = [None if weights is None else weights[units] for units in labelled]
    # Where (unit, said) sits in the flattened posteriors: `np.take` gathers from a flat
    # index faster than indexing by two arrays.
    cells = [units * k + said for units, said in zip(labelled, saids, strict=True)]
    competence = np.full(n_people, 0.8)
    spamming = np.full((n_people, k), 1.0 / k)
    t = _posteriors(codes, competence, spamming, k)
    converged, iterations = False, 0
    for iterations in range(1, max_iter + 1):  # noqa: B007 - reported after the loop
        for j, said in enumerate(saids):
            if not len(said):
                continue
            # P(the annotator knew | what they said): their value is the truth and they knew.
            knew = np.take(t, cells[j]) * competence[j]
            knew = knew / (competence[j] + (1 - competence[j]) * np.take(spamming[j], said))
            n, unknown = len(said), 1 - knew
            units = counts[j]
            if units is not None:
                knew, unknown, n = knew * units, unknown * units, units.sum()
            competence[j] = (knew.sum() + smoothing) / (n + 2 * smoothing)
            spam = np.bincount(said, weights=unknown, minlength=k) + smoothing
            spamming[j] = spam / spam.sum()
        new_t = _posteriors(codes, competence, spamming, k)
        delta = float(np.abs(new_t - t).max()) if len(t) else 0.0
        t = new_t
        if delta < tol:
            converged = True
            break
    return MaceResult(t, competence, spamming, iterations, converged)
