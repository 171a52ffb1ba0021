"""Train/validation/test splits grouped by document and stratified by a gold label.

Every unit of a document lands in the same split, so no article leaks from train into test.
Documents are grouped by their most frequent gold label (the stratum); within each stratum
they are shuffled with the seed and handed, one by one, to the split furthest below its
share of that stratum's units. Same rows, same seed, same splits.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Mapping
from typing import Any

from annotator.export.options import SPLIT_NAMES

NO_LABEL = "\x00none"


def stratify_task(task_types: Mapping[str, str]) -> str | None:
    """The task whose gold label stratifies the split: the first single-value one."""
    return next((t for t, kind in task_types.items() if kind in ("single", "scale")), None)


def assign_splits(
    docs: Mapping[int, tuple[int, str]], fractions: tuple[float, ...], seed: int
) -> dict[int, str]:
    """Document id -> split name, from document id -> (unit count, stratum)."""
    names = SPLIT_NAMES[len(fractions)]
    strata: dict[str, list[int]] = defaultdict(list)
    for doc_id in sorted(docs):
        strata[docs[doc_id][1]].append(doc_id)
    rng = random.Random(seed)
    out: dict[int, str] = {}
    grand = sum(n for n, _ in docs.values())
    overall = [0] * len(names)
    for stratum in sorted(strata):
        ids = strata[stratum]
        rng.shuffle(ids)
        total = sum(docs[d][0] for d in ids)
        given = [0] * len(names)
        for doc_id in ids:
            # The split furthest below its target share of the stratum; between equals, the
            # one furthest below its share overall (a small project has strata of one
            # document, which would otherwise all go to train); then the earlier split.
            deficits = [fractions[i] * total - given[i] for i in range(len(names))]
            behind = [fractions[i] * grand - overall[i] for i in range(len(names))]
            best = max(range(len(names)), key=lambda i: (deficits[i], behind[i], -i))
            given[best] += docs[doc_id][0]
            overall[best] += docs[doc_id][0]
            out[doc_id] = names[best]
    return out


def _strata(units: Counter[int], labels: dict[int, Counter[str]]) -> dict[int, tuple[int, str]]:
    docs = {}
    for doc_id, n in units.items():
        ranked = sorted(labels[doc_id].items(), key=lambda kv: (-kv[1], kv[0]))
        docs[doc_id] = (n, ranked[0][0])
    return docs


def plan_splits_stream(
    stream: Any,
    task_types: Mapping[str, str],
    fractions: tuple[float, ...],
    seed: int,
    rules: Any = None,
) -> dict[int, str]:
    """Document id -> split name, from a first pass over the store stream
    (``store.export_stream.UnitStream``): units per document and each document's stratum,
    the most frequent gold of the stratifying task over its units (adjudicated, else the
    vote of the `done` annotations: `UnitGold`, cached per distinct votes)."""
    from annotator.export.gold import UnitGold

    task = stratify_task(task_types)
    units: Counter[int] = Counter()
    labels: dict[int, Counter[str]] = defaultdict(Counter)
    stratum = None
    if task is not None:
        stratum = UnitGold(
            {task: task_types[task]},
            lambda gold, *_: NO_LABEL if gold[task] is None else str(gold[task]),
            rules,
        )
    for unit, anns, adjudicated in stream:
        doc_id = unit[1]
        units[doc_id] += 1
        labels[doc_id][NO_LABEL if stratum is None else stratum(anns, adjudicated)] += 1
    return assign_splits(_strata(units, labels), fractions, seed)
