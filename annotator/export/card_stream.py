"""The dataset card's counts, gathered from the store stream as the writer reads it.

`StreamCard` is set as a `UnitStream`'s ``watch`` for every format: it sees each unit
(writers that iterate units, or the row dicts built from them) or each unit-aligned chunk of
annotations (writers of a record per annotation) and fills the `CardStats`. Label counts are
kept per distinct stored values text (or per distinct gold) and expanded once.
"""

from __future__ import annotations

from collections import Counter
from itertools import groupby
from operator import itemgetter
from typing import Any

from annotator.analysis.aggregate import ADJUDICATED
from annotator.export.card import CardStats, label_keys
from annotator.export.card_agreement import AgreementLabels
from annotator.export.encode import Memo
from annotator.export.gold import MEMO, GoldRules, UnitGold, decoded_values

BATCH = 2_000  # units counted at a time
ASSISTED = {True: "on", False: "off", None: "unknown"}  # SQLite gives 1/0: the same keys


class StreamCard:
    def __init__(
        self,
        stats: CardStats,
        splits: dict[int, str] | None,
        labels: AgreementLabels,
        rules: GoldRules | None = None,
    ) -> None:
        self.stats = stats
        self.labels = labels
        self.splits = splits
        tasks = stats.task_types
        self._who: set[Any] = set()
        self._gold = UnitGold(tasks, self._gold_keys, rules) if stats.gold else None
        self._keys = Memo(self._value_keys)  # values text -> ((task, label), ...)
        self._pending: list[tuple[int, list, Any]] = []  # units seen, not yet counted

    # --- what a unit or a value contributes --------------------------------------------

    def _gold_keys(
        self, gold: dict[str, Any], sources: dict[str, str], _posteriors: Any = None
    ) -> tuple[Any, ...]:
        keys = tuple(
            (task, key)
            for task, kind in self.stats.task_types.items()
            for key in label_keys(kind, gold.get(task))
        )
        return keys, tuple(sources.values())

    def _value_keys(self, text: str | None) -> tuple[tuple[str, str], ...]:
        values = decoded_values(text)
        return tuple(
            (task, key)
            for task, kind in self.stats.task_types.items()
            for key in label_keys(kind, values.get(task))
        )

    def _split(self, doc_id: int) -> str:
        return "all" if self.splits is None else self.splits.get(doc_id, "train")

    def _document(self, stream: Any, doc_id: int, split: str) -> None:
        s = self.stats
        s.documents[split].add(doc_id)
        if doc_id in s._outlet_docs:
            return
        s._outlet_docs.add(doc_id)
        doc = stream.document(doc_id)
        s.outlets[doc.get("outlet") or "(unknown)"] += 1
        published = doc.get("published")
        if published:
            s.first = published if s.first is None else min(s.first, published)
            s.last = published if s.last is None else max(s.last, published)

    def _unit(self, stream: Any, doc_id: int, anns: list, adjudicated: Any, texts: Counter) -> None:
        s = self.stats
        split = self._split(doc_id)
        s.units[split] += 1
        s.annotations[split] += len(anns)
        done = 0
        for a in anns:
            if a[3] == "done":
                done += 1
                s.assisted[ASSISTED[a[9]]] += 1
        self._document(stream, doc_id, split)
        if self._gold is not None:
            keys, sources = self._gold(anns, adjudicated)
            labels = s.labels
            for task, key in keys:
                labels[task][split, key] += 1
            s.gold_sources.update(sources)
            s.unit_labels(done, ADJUDICATED in sources)
        else:
            s.unit_labels(done, bool(adjudicated) and any(t in s.task_types for t in adjudicated))
            for a in anns:
                texts[split, a[2]] += 1

    def _labels(self, texts: Counter) -> None:
        labels, keys = self.stats.labels, self._keys
        for (split, text), n in texts.items():
            for task, key in keys[text]:
                labels[task][split, key] += n
        if len(keys) > MEMO:
            keys.clear()

    # --- the UnitStream watch protocol -------------------------------------------------

    def unit(self, stream: Any, unit: tuple, anns: list, adjudicated: Any) -> None:
        # Kept and counted a batch at a time: a call per unit into the counting costs more.
        self._pending.append((unit[1], anns, adjudicated))
        if len(self._pending) >= BATCH:
            self._flush(stream)

    def _flush(self, stream: Any) -> None:
        texts: Counter = Counter()
        flat = []
        for doc_id, anns, adjudicated in self._pending:
            self._unit(stream, doc_id, anns, adjudicated, texts)
            flat += anns
        self._pending.clear()
        self._who.update(map(itemgetter(1), flat))
        self.labels.add(flat, stream.names)
        self._labels(texts)

    def chunk(self, stream: Any, units: list, anns: list, adjudicated: dict[int, Any]) -> None:
        doc_of = {u[0]: u[1] for u in units}
        texts: Counter = Counter()
        for uid, group in groupby(anns, itemgetter(0)):
            self._unit(stream, doc_of[uid], list(group), adjudicated.get(uid), texts)
        self._who.update(map(itemgetter(1), anns))
        self.labels.add(anns, stream.names)
        self._labels(texts)

    def finish(self, stream: Any) -> CardStats:
        """The stats, with the annotators' names filled in, once the writer has read the
        stream (while it is open: a unit still waiting to be counted may need its document).
        Calling it again changes nothing."""
        self._flush(stream)
        names = stream.names
        self.stats.annotators.update(n for n in map(names.get, self._who) if n is not None)
        return self.stats
