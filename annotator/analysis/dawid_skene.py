"""Dawid-Skene (1979): each annotator's confusion matrix and each unit's true value, by EM.

Majority vote trusts every annotator equally; Dawid-Skene learns how often annotator *j*
says *l* when the truth is *k* and weighs their votes by it, so one careless annotator (or a
systematic one, who says "biased" for everything) moves the gold less. Pure numpy on the
same code matrix as the agreement figures (annotators x units, -1 = no value).

`gold_for_units` gives a `Gold` per unit like ``aggregate.gold_for_task``: an adjudicated
value always wins; otherwise majority vote (ties marked) or Dawid-Skene.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np

from annotator.analysis.aggregate import (
    ADJUDICATED,
    DAWID_SKENE,
    MACE,
    NONE,
    TIE,
    Gold,
    gold_for_task,
)
from annotator.analysis.coding import DONE, LabelTable, code_task, used
from annotator.analysis.coefficients import value_counts
from annotator.analysis.rows import add_rows_of, distinct_columns, row_max, row_sum
from annotator.schema.model import Task

METHODS = ("majority", DAWID_SKENE, MACE)


@dataclass
class DawidSkeneResult:
    posteriors: np.ndarray  # units x K: probability of each true value
    priors: np.ndarray  # K: how common each true value is
    confusion: np.ndarray  # annotators x K x K: P(says l | truth k), rows sum to 1
    iterations: int
    converged: bool

    def labels(self) -> np.ndarray:
        """Most probable code per unit; -1 where the top two are equally likely."""
        order = np.sort(self.posteriors, axis=1)
        best = self.posteriors.argmax(axis=1)
        if self.posteriors.shape[1] > 1:
            best[np.isclose(order[:, -1], order[:, -2])] = -1
        return best


def _m_step(
    codes: np.ndarray,
    t: np.ndarray,
    k: int,
    smoothing: float,
    labelled: list,
    weights: np.ndarray | None = None,
):
    if weights is not None:  # a column stands for `weights[c]` units
        t = t * weights[:, None]
    priors = (t.sum(axis=0) + smoothing) / (t.sum() + k * smoothing)
    confusion = np.full((codes.shape[0], k, k), smoothing)
    by_truth = t.T.copy()  # a row per true value: gathered from contiguously below
    for j, row in enumerate(codes):
        given = labelled[j]  # the units row j labelled
        said = row[given]
        for truth in range(k):  # one weighted count per true value, over what was said
            weights = np.take(by_truth[truth], given)
            confusion[j, truth] += np.bincount(said, weights=weights, minlength=k)
    confusion /= confusion.sum(axis=2, keepdims=True)
    return priors, confusion


def _e_step(codes: np.ndarray, priors: np.ndarray, confusion: np.ndarray) -> np.ndarray:
    log_t = np.tile(np.log(priors), (codes.shape[1], 1))
    said = np.zeros((len(priors) + 1, len(priors)))  # the last row, for code -1: adds nothing
    buf = np.empty_like(log_t)
    for j, row in enumerate(codes):
        said[:-1] = np.log(confusion[j]).T  # row s: log P(says s | truth = each value)
        add_rows_of(log_t, said, row, buf)
    log_t -= row_max(log_t)
    t = np.exp(log_t)
    return t / row_sum(t)


def dawid_skene(
    codes: np.ndarray,
    k: int,
    *,
    max_iter: int = 100,
    tol: float = 1e-6,
    smoothing: float = 0.01,
    weights: np.ndarray | None = None,
) -> DawidSkeneResult:
    """EM from the majority vote's soft counts until unit posteriors stop moving.

    `smoothing` adds a small count to every confusion cell so an annotator who never used a
    value does not get probability zero for it (which would veto every unit they label).
    `weights`: column c of `codes` stands for `weights[c]` units with the same labels
    (``rows.distinct_columns``); the posteriors are then per column.
    """
    counts = value_counts(codes, k).astype(float)
    totals = counts.sum(axis=1, keepdims=True)
    t = np.where(totals > 0, counts / np.maximum(totals, 1), 1.0 / k)
    labelled = [np.flatnonzero(row >= 0) for row in codes]  # the same every round
    priors, confusion = _m_step(codes, t, k, smoothing, labelled, weights)
    converged = False
    iterations = 0
    for iterations in range(1, max_iter + 1):  # noqa: B007 - reported after the loop
        new_t = _e_step(codes, priors, confusion)
        priors, confusion = _m_step(codes, new_t, k, smoothing, labelled, weights)
        delta = float(np.abs(new_t - t).max()) if len(t) else 0.0
        t = new_t
        if delta < tol:
            converged = True
            break
    return DawidSkeneResult(t, priors, confusion, iterations, converged)


def gold_for_units(table: LabelTable, task: Task, method: str = "majority") -> dict[int, Gold]:
    """Gold per unit for one single/scale task (majority: any task type the vote knows).

    Adjudicated values win; Dawid-Skene and MACE mark a unit TIE when its top two posteriors
    are equal, and give the top one's probability as the Gold's posterior.
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r} (methods: {', '.join(METHODS)})")
    adjudicated = table.adjudications.get(task.name, {})
    out: dict[int, Gold] = {}
    if method == "majority" or task.type not in ("single", "scale"):
        votes: dict[int, list[Any]] = defaultdict(list)
        for u, s, v in zip(table.unit, table.status, table.values, strict=True):
            if s == DONE and used(v.get(task.name)):
                votes[u].append(v[task.name])
        for u in votes.keys() | adjudicated.keys():
            out[u] = gold_for_task(
                task.type, votes.get(u, []), adjudicated.get(u), has_adjudication=u in adjudicated
            )
        return out
    (coded,) = code_task(table, task, "nominal", None)
    if method == MACE:
        from annotator.analysis.mace import mace

        result: DawidSkeneResult | Any = mace(coded.codes, coded.k)
    else:
        result = dawid_skene(coded.codes, coded.k)
    best = result.labels()
    given = (coded.codes >= 0).sum(axis=0)
    top = result.posteriors.max(axis=1) if len(result.posteriors) else np.zeros(0)
    for col, u in enumerate(coded.unit_ids.tolist()):
        p = round(float(top[col]), 6)
        if best[col] < 0:
            out[u] = Gold(None, TIE, int(given[col]), p)
        else:
            out[u] = Gold(coded.categories[best[col]], method, int(given[col]), p)
    for u, value in adjudicated.items():
        out[u] = Gold(value, ADJUDICATED, out[u].votes if u in out else 0)
    return out


def accuracies(codes: np.ndarray, k: int) -> np.ndarray:
    """Each row's (annotator's) estimated accuracy by Dawid-Skene: the probability that they
    give the true value, ``sum_k prior_k * P(says k | truth k)``; nan for one who gave none.
    (Fewer EM rounds than for gold: two decimals of an accuracy settle quickly.) EM runs
    on the distinct columns, each weighted by its units: the same estimates, to rounding
    in the last bits, in a fraction of the time."""
    if codes.size == 0 or k == 0:
        return np.full(codes.shape[0], np.nan)
    columns, weights = distinct_columns(codes)
    result = dawid_skene(columns, k, max_iter=40, tol=1e-4, weights=weights)
    accuracy = np.einsum("jkk->jk", result.confusion) @ result.priors
    return np.where((codes >= 0).any(axis=1), accuracy, np.nan)


def annotator_accuracy(table: LabelTable, task: Task) -> dict[str, float]:
    """Annotator name -> estimated accuracy on a single/scale task (see `accuracies`)."""
    (coded,) = code_task(table, task, "nominal", None)
    acc = accuracies(coded.codes, coded.k)
    return {
        table.annotators[who]: float(acc[row])
        for row, who in enumerate(coded.annotators)
        if not np.isnan(acc[row])
    }


__all__ = [
    "DAWID_SKENE",
    "METHODS",
    "NONE",
    "DawidSkeneResult",
    "annotator_accuracy",
    "dawid_skene",
    "gold_for_units",
]
