"""Agreement coefficients on coded label matrices: pure numpy, no store, no schema.

A task's labels arrive as a *code matrix*: one row per annotator, one column per unit, each
cell the index of the value that annotator gave (``-1``: no value). Everything here starts from
that matrix or from its *value counts* (units x values: how many annotators gave each value),
which is one ``bincount`` away, so 100k units x 5 annotators take milliseconds.

Krippendorff's alpha is computed by the maintained ``krippendorff`` package (fed the value
counts, which skips its own slower counting); the kappas and percent agreement are a few lines
each and are tested against published worked examples.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

MISSING = -1


def value_counts(codes: np.ndarray, k: int) -> np.ndarray:
    """units x k matrix: how many annotators gave each value to each unit."""
    units = codes.shape[1]
    given = codes >= 0
    unit_index = np.broadcast_to(np.arange(units), codes.shape)[given]
    flat = unit_index * k + codes[given]
    return np.bincount(flat, minlength=units * k).reshape(units, k)


def pairable(counts: np.ndarray) -> np.ndarray:
    """Units with at least two values: the only ones any agreement figure can use."""
    return counts.sum(axis=1) >= 2


@dataclass(frozen=True)
class Figure:
    """One coefficient with what it was computed from; `value` None means left out (`note`)."""

    value: float | None
    units: int = 0
    annotators: int = 0
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"value": self.value, "units": self.units}
        out["annotators"] = self.annotators
        if self.note:
            out["note"] = self.note
        return out


def _round(x: float) -> float:
    return float(round(float(x), 6))


def krippendorff_alpha(
    counts: np.ndarray, level: str, domain: list[float] | None = None, *, annotators: int = 0
) -> Figure:
    """Krippendorff's alpha (missing data allowed) from value counts.

    `domain` gives each code's numeric value for the ordinal, interval and ratio levels
    (default 0, 1, 2, ...); ordinal alpha only uses their order.
    """
    import krippendorff

    keep = pairable(counts)
    used = counts[keep]
    units = int(keep.sum())
    k = counts.shape[1]
    if units == 0:
        return Figure(None, 0, annotators, "no unit has two or more labels")
    present = used.sum(axis=0) > 0
    if present.sum() < 2:
        return Figure(None, units, annotators, "every label has the same value: no variation")
    values = list(domain) if domain is not None else list(range(k))
    # Drop values nobody used: the package needs its domain to match the count columns.
    values = [v for v, p in zip(values, present, strict=True) if p]
    alpha = krippendorff.alpha(
        value_counts=used[:, present],
        value_domain=values,
        level_of_measurement=level,  # type: ignore[arg-type]
    )
    return Figure(_round(alpha), units, annotators)


def fleiss_kappa(counts: np.ndarray, *, annotators: int = 0) -> Figure:
    """Fleiss' kappa over the units with two or more labels, which must all have as many."""
    keep = pairable(counts)
    used = counts[keep]
    units = int(keep.sum())
    if units == 0:
        return Figure(None, 0, annotators, "no unit has two or more labels")
    per_unit = used.sum(axis=1)
    n = int(per_unit[0])
    if not (per_unit == n).all():
        low, high = int(per_unit.min()), int(per_unit.max())
        most = int(np.bincount(per_unit).max())
        return Figure(
            None,
            units,
            annotators,
            f"units have {low} to {high} labels ({most:,} of {units:,} have the most common "
            "count); Fleiss' kappa needs the same number per unit: use alpha",
        )
    p_unit = ((used * used).sum(axis=1) - n) / (n * (n - 1))
    p_bar = p_unit.mean()
    p_value = used.sum(axis=0) / (units * n)
    p_e = float((p_value * p_value).sum())
    if p_e >= 1.0:
        return Figure(None, units, annotators, "every label has the same value: no variation")
    return Figure(_round((p_bar - p_e) / (1 - p_e)), units, annotators)


def percent_agreement(counts: np.ndarray, *, annotators: int = 0) -> Figure:
    """Share of agreeing pairs of labels per unit, averaged over units with two or more."""
    keep = pairable(counts)
    used = counts[keep]
    if not len(used):
        return Figure(None, 0, annotators, "no unit has two or more labels")
    m = used.sum(axis=1)
    agree = (used * (used - 1)).sum(axis=1) / (m * (m - 1))
    return Figure(_round(agree.mean()), int(keep.sum()), annotators)


def cohen_kappa(a: np.ndarray, b: np.ndarray, k: int) -> Figure:
    """Cohen's kappa of two annotators' codes over the units both labelled."""
    both = (a >= 0) & (b >= 0)
    n = int(both.sum())
    if n == 0:
        return Figure(None, 0, 2, "no unit labelled by both")
    table = np.bincount(a[both] * k + b[both], minlength=k * k).reshape(k, k) / n
    p_o = float(np.trace(table))
    p_e = float(table.sum(axis=1) @ table.sum(axis=0))
    if p_e >= 1.0:
        return Figure(None, n, 2, "both gave one value throughout: kappa undefined")
    return Figure(_round((p_o - p_e) / (1 - p_e)), n, 2)


def cohen_matrix(codes: np.ndarray, k: int) -> list[list[Figure | None]]:
    """Pairwise Cohen's kappa, annotators x annotators (None on the diagonal)."""
    size = codes.shape[0]
    out: list[list[Figure | None]] = [[None] * size for _ in range(size)]
    for i in range(size):
        for j in range(i + 1, size):
            out[i][j] = out[j][i] = cohen_kappa(codes[i], codes[j], k)
    return out


def agreement_with_majority(codes: np.ndarray, counts: np.ndarray) -> list[Figure]:
    """Per annotator: how often their value is the strict majority of the *other* labels.

    Units where the others tie, or where nobody else labelled, are not counted."""
    size = codes.shape[0]
    given = codes >= 0
    # The others' count of value c on each (annotator, unit): the unit's count minus one where
    # the annotator gave c. One annotators x units pass per value: no annotators x units x k
    # array, and no reduction over a short last axis (slow in numpy).
    per_value = counts.T
    top = np.zeros(codes.shape, dtype=np.int64)
    for c in range(per_value.shape[0]):
        np.maximum(top, per_value[c] - (codes == c), out=top)
    winners = np.zeros(codes.shape, dtype=np.int64)
    for c in range(per_value.shape[0]):
        winners += per_value[c] - (codes == c) == top
    mine = counts[np.arange(codes.shape[1]), np.where(given, codes, 0)] - 1
    ok = given & (top > 0) & (winners == 1)
    hits = (ok & (mine == top)).sum(axis=1)
    n = ok.sum(axis=1)
    return [
        Figure(_round(hits[a] / n[a]), int(n[a]), size)
        if n[a]
        else Figure(None, 0, 0, "no unit with a clear majority among the others")
        for a in range(size)
    ]


# --- spans ------------------------------------------------------------------------------


def token_f1(a: dict[int, frozenset[Any]], b: dict[int, frozenset[Any]], units: set[int]) -> Figure:
    """Token-level F1 between two annotators' spans over `units` (both annotated them).

    `a`/`b` map a unit to the tokens (or (token, label) pairs) marked in it; a unit missing
    from the map had none marked. F1 = 2|A∩B| / (|A| + |B|), pooled over units: symmetric, so
    it is the same whichever annotator is taken as the reference.
    """
    return f1_figure(*f1_counts(a, b, units), len(units))


def f1_figure(overlap: int, size: int, units: int) -> Figure:
    if not units:
        return Figure(None, 0, 2, "no unit annotated by both")
    if size == 0:
        return Figure(None, units, 2, "neither marked any token")
    return Figure(_round(2 * overlap / size), units, 2)


def f1_counts(
    a: dict[int, frozenset[Any]], b: dict[int, frozenset[Any]], units: set[int]
) -> tuple[int, int]:
    """(|A∩B|, |A| + |B|) over `units`: pooled over pairs, these give a micro-averaged F1."""
    a_in = a.keys() & units
    b_in = b.keys() & units
    size = sum(len(a[u]) for u in a_in) + sum(len(b[u]) for u in b_in)
    overlap = sum(len(a[u] & b[u]) for u in a_in & b_in)
    return overlap, size
