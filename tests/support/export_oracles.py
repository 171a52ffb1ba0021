"""Slow, plain versions of what the export writes, kept as oracles for its tests (no tests of
their own): writers that encode the row dicts (``select.export_rows``) field by field, the
split plan and the card's counts taken from those dicts. The package builds the same output
straight from the store stream; the tests hold it to these.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from annotator.analysis.aggregate import ADJUDICATED, gold_for_task
from annotator.export.arrow import task_converter
from annotator.export.card import CardStats, label_keys
from annotator.export.csv_writer import excel_safe
from annotator.export.encode import dumps
from annotator.export.flat import STRUCTURED, UNIT_COLUMNS, columns, has_spans
from annotator.export.parquet import arrow_schema
from annotator.export.splits import NO_LABEL, assign_splits, stratify_task

Row = dict[str, Any]
_EMPTY_ANNOTATION: Row = {"annotator": None, "status": None, "values": {}}


def write_jsonl_rows(rows: Iterable[Row], target: Path, *, schema: dict[str, str]) -> int:
    """Each row as one JSON line, with the schema's name and hash."""
    count = 0
    with open(target, "w", encoding="utf-8", newline="\n") as fh:
        for row in rows:
            row["schema"] = schema
            fh.write(dumps(row))
            fh.write("\n")
            count += 1
    return count


def flat_records(
    row: Row, task_types: dict[str, str], *, gold: bool, split: bool, posteriors: tuple = ()
) -> Iterator[list[Any]]:
    """Values in `columns` order; a unit nobody annotated gives one record without annotator."""
    doc = row["document"]
    head = [
        row["unit_id"],
        doc["id"],
        doc["title"],
        doc["url"],
        doc["outlet"],
        doc["published"],
        doc["lang"],
        row["kind"],
        row["position"],
        row["text"],
    ]
    if has_spans(task_types):
        head.append(row.get("tokens"))
    tail: list[Any] = []
    if gold:
        g = row.get("gold") or {}
        src = row.get("gold_source") or {}
        post = row.get("gold_posterior") or {}
        tail = [g.get(t) for t in task_types] + [src.get(t) for t in task_types]
        tail += [post.get(t) for t in posteriors]
    for a in row["annotations"] or [_EMPTY_ANNOTATION]:
        rec = [
            *head,
            a["annotator"],
            a["status"],
            a.get("created_at"),
            a.get("updated_at"),
            a.get("seconds"),
            a.get("comment"),
            a.get("schema_hash"),
            a.get("assisted"),
        ]
        if split:
            rec.append(row.get("split"))
        rec.extend(a["values"].get(t) for t in task_types)
        rec.extend(tail)
        yield rec


def write_csv(
    rows: Iterable[Row],
    target: Path,
    *,
    task_types: dict[str, str],
    gold: bool = False,
    split: bool = False,
    safe: bool = False,
    posteriors: tuple[str, ...] = (),
) -> int:
    """The flat records through ``csv.writer``; lists and mappings as JSON."""
    cols = columns(task_types, gold=gold, split=split, posteriors=posteriors)
    # Positions of cells holding structured task values (annotator values, then gold).
    n_fixed = len(cols) - len(task_types) * (3 if gold else 1) - len(posteriors)
    kinds = list(task_types.values())
    structured = [n_fixed + i for i, k in enumerate(kinds) if k in STRUCTURED]
    if gold:
        structured += [n_fixed + len(kinds) + i for i, k in enumerate(kinds) if k in STRUCTURED]
    if has_spans(task_types):
        structured.append(len(UNIT_COLUMNS))  # the tokens, as a JSON list
    count = 0
    with open(target, "w", encoding="utf-8-sig" if safe else "utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(cols)
        for row in rows:
            for rec in flat_records(row, task_types, gold=gold, split=split, posteriors=posteriors):
                for i in structured:
                    if rec[i] is not None:
                        rec[i] = dumps(rec[i])
                # the assisted flag as the writer spells it (csv.writer would say True)
                rec = [str(c).lower() if isinstance(c, bool) else c for c in rec]
                if safe:
                    rec = [excel_safe(c) if isinstance(c, str) else c for c in rec]
                writer.writerow(rec)
                count += 1
    return count


def write_parquet(
    rows: Iterable[Row],
    target: Path,
    *,
    task_types: dict[str, str],
    gold: bool = False,
    split: bool = False,
    metadata: dict[str, str] | None = None,
    posteriors: tuple[str, ...] = (),
) -> int:
    """The flat records as one Arrow table, task values converted record by record."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = arrow_schema(
        task_types, gold=gold, split=split, metadata=metadata or {}, posteriors=posteriors
    )
    convert: dict[int, Any] = {}
    for i, name in enumerate(schema.names):
        task = name[5:] if name.startswith("gold.") else name
        if task in task_types and (name == task or gold):
            convert[i] = task_converter(task_types[task])
    records = [
        [convert[i](v) if i in convert else v for i, v in enumerate(rec)]
        for row in rows
        for rec in flat_records(row, task_types, gold=gold, split=split, posteriors=posteriors)
    ]
    cols = [[rec[i] for rec in records] for i in range(len(schema.names))]
    arrays = [pa.array(c, type=schema.field(i).type) for i, c in enumerate(cols)]
    pq.write_table(pa.Table.from_arrays(arrays, schema=schema), target, compression="zstd")
    return len(records)


def unit_stratum(row: Mapping[str, Any], task: str | None, task_type: str) -> str:
    if task is None:
        return NO_LABEL
    gold = row.get("gold") or {}
    if task in gold:  # computed gold, or an adjudicated value
        value = gold[task]
    else:
        done = [a["values"].get(task) for a in row["annotations"] if a.get("status") == "done"]
        value = gold_for_task(task_type, done).value
    return NO_LABEL if value is None else str(value)


def plan_splits(
    rows: Iterable[Mapping[str, Any]],
    task_types: Mapping[str, str],
    fractions: tuple[float, ...],
    seed: int,
) -> dict[int, str]:
    """The split plan from row dicts: units and strata per document, then assigned."""
    task = stratify_task(task_types)
    task_type = task_types.get(task, "single") if task else "single"
    units: Counter[int] = Counter()
    labels: dict[int, Counter[str]] = defaultdict(Counter)
    for row in rows:
        doc_id = row["document"]["id"]
        units[doc_id] += 1
        labels[doc_id][unit_stratum(row, task, task_type)] += 1
    docs = {}
    for doc_id, n in units.items():
        ranked = sorted(labels[doc_id].items(), key=lambda kv: (-kv[1], kv[0]))
        docs[doc_id] = (n, ranked[0][0])
    return assign_splits(docs, fractions, seed)


class RowCardStats(CardStats):
    """The card's figures counted from row dicts as they pass (``watch``)."""

    def observe(self, row: Row) -> None:
        split = row.get("split", "all")
        doc = row["document"]
        self.units[split] += 1
        self.documents[split].add(doc["id"])
        if doc["id"] not in self._outlet_docs:
            self._outlet_docs.add(doc["id"])
            self.outlets[doc.get("outlet") or "(unknown)"] += 1
            published = doc.get("published")
            if published:
                self.first = published if self.first is None else min(self.first, published)
                self.last = published if self.last is None else max(self.last, published)
        anns = row["annotations"]
        self.annotations[split] += len(anns)
        adjudicated = (
            ADJUDICATED in (row.get("gold_source") or {}).values()
            if "gold_source" in row
            else bool(row.get("gold"))
        )
        self.unit_labels(sum(1 for a in anns if a["status"] == "done"), adjudicated)
        for a in anns:
            if a["annotator"] is not None:
                self.annotators.add(a["annotator"])
            if a["status"] == "done":
                flag = a.get("assisted")
                self.assisted["unknown" if flag is None else "on" if flag else "off"] += 1
        if self.gold:
            gold = row.get("gold") or {}
            for task, kind in self.task_types.items():
                for key in label_keys(kind, gold.get(task)):
                    self.labels[task][split, key] += 1
            for source in (row.get("gold_source") or {}).values():
                self.gold_sources[source] += 1
        else:
            for a in anns:
                for task, kind in self.task_types.items():
                    for key in label_keys(kind, a["values"].get(task)):
                        self.labels[task][split, key] += 1

    def watch(self, rows: Iterable[Row]) -> Iterator[Row]:
        for row in rows:
            self.observe(row)
            yield row
