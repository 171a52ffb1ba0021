"""Accuracy and macro-F1 of guesses against labels (plain Python: a handful of values)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def _f1(tp: int, fp: int, fn: int) -> float:
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


def accuracy(truth: Sequence[Any], guess: Sequence[Any]) -> float:
    """Share of exact matches (a multi-label value matches when the sets are equal)."""
    if not truth:
        return 0.0
    same = sum(_key(t) == _key(g) for t, g in zip(truth, guess, strict=True))
    return same / len(truth)


def macro_f1(truth: Sequence[Any], guess: Sequence[Any]) -> float:
    """Mean F1 over the labels seen in either: per class for single values, per label
    (chosen or not) for multi-label values."""
    pairs = list(zip(truth, guess, strict=True))
    if not pairs:
        return 0.0
    sets = [(_as_set(t), _as_set(g)) for t, g in pairs]
    labels = set().union(*(t | g for t, g in sets))
    if not labels:
        return 1.0  # nothing chosen anywhere, by anyone: all agree
    scores = []
    for label in labels:
        tp = sum(label in t and label in g for t, g in sets)
        fp = sum(label not in t and label in g for t, g in sets)
        fn = sum(label in t and label not in g for t, g in sets)
        scores.append(_f1(tp, fp, fn))
    return sum(scores) / len(scores)


def _as_set(value: Any) -> set[Any]:
    if isinstance(value, list | tuple | set):
        return set(value)
    return set() if value is None else {value}


def _key(value: Any) -> Any:
    return frozenset(value) if isinstance(value, list | tuple | set) else value
