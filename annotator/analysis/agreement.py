"""The agreement report: every figure `annotator agreement` and the HTML report show.

`compute_agreement(schema, table)` takes the schema and plain label columns (see
``coding.LabelTable``) and returns dataclasses with a ``to_dict()`` for ``--json``. Per task:
Krippendorff's alpha at the task's level, Fleiss' kappa (or why it is left out), percent
agreement, the pairwise Cohen's kappa matrix, per-label binary alpha (multi), token F1
(span), the label distribution; per annotator: work done, median seconds per unit, agreement
with the others' majority.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from annotator.analysis.coding import (
    Coded,
    LabelTable,
    Rows,
    as_rows,
    binary_per_label,
    count_distinct,
    given_units,
    row_codes,
    span_rows,
    to_matrix,
)
from annotator.analysis.coefficients import (
    Figure,
    agreement_with_majority,
    cohen_matrix,
    f1_figure,
    fleiss_kappa,
    krippendorff_alpha,
    percent_agreement,
    value_counts,
)
from annotator.analysis.dawid_skene import accuracies
from annotator.analysis.mace import mace
from annotator.analysis.rows import distinct_columns
from annotator.schema.model import Schema, Task
from annotator.schema.tasks import AGREEMENT_LEVELS

LEVELS = AGREEMENT_LEVELS  # nominal, ordinal, interval, ratio


def _matrix(names: list[str], figures: list[list[Figure | None]]) -> dict[str, Any]:
    return {
        "annotators": names,
        "values": [[f.value if f else None for f in row] for row in figures],
        "units": [[f.units if f else 0 for f in row] for row in figures],
    }


@dataclass
class TaskAgreement:
    name: str  # task name, or "task[target]" for a stance target
    type: str
    level: str
    units: int  # units with at least one label
    annotators: list[str]
    alpha: Figure | None = None
    fleiss: Figure | None = None
    percent: Figure | None = None
    cohen: list[list[Figure | None]] = field(default_factory=list)
    per_label: dict[str, Figure] = field(default_factory=dict)  # multi: binary alpha per label
    f1: Figure | None = None  # span: mean pairwise token F1
    f1_pairs: list[list[Figure | None]] = field(default_factory=list)
    distribution: dict[str, int] = field(default_factory=dict)
    note: str = ""

    def notes(self) -> list[str]:
        """Why a figure is left out, and the task's own note: lines for people."""
        lines = [
            f"{self.name}: {what} left out: {fig.note}"
            for what, fig in (
                ("alpha", self.alpha),
                ("Fleiss' kappa", self.fleiss),
                ("token F1", self.f1),
            )
            if fig is not None and fig.value is None and fig.note
        ]
        if self.note:
            lines.append(f"{self.name}: {self.note}")
        return lines

    def to_dict(self, *, per_annotator: bool = True) -> dict[str, Any]:
        """`per_annotator` False leaves out the pairwise matrices (they name annotators)."""
        out: dict[str, Any] = {
            "task": self.name,
            "type": self.type,
            "level": self.level,
            "units": self.units,
            "annotators": self.annotators,
            "distribution": self.distribution,
        }
        for key in ("alpha", "fleiss", "percent", "f1"):
            fig = getattr(self, key)
            if fig is not None:
                out[{"fleiss": "fleiss_kappa", "percent": "percent_agreement"}.get(key, key)] = (
                    fig.to_dict()
                )
        if not per_annotator:
            out["annotators"] = len(self.annotators)
        if self.cohen and per_annotator:
            out["cohen_kappa"] = _matrix(self.annotators, self.cohen)
        if self.f1_pairs and per_annotator:
            out["f1_pairs"] = _matrix(self.annotators, self.f1_pairs)
        if self.per_label:
            out["per_label_alpha"] = {k: v.to_dict() for k, v in self.per_label.items()}
        if self.note:
            out["note"] = self.note
        return out


@dataclass
class AnnotatorSummary:
    name: str
    role: str
    done: int = 0
    skipped: int = 0
    flagged: int = 0
    median_seconds: float | None = None
    with_majority: dict[str, Figure] = field(default_factory=dict)  # task -> figure
    # single/scale task -> Dawid-Skene's estimate of P(their label is the true one)
    accuracy: dict[str, float] = field(default_factory=dict)
    accuracy_units: dict[str, int] = field(default_factory=dict)  # task -> units labelled
    competence: dict[str, float] = field(default_factory=dict)  # task -> MACE's competence

    @property
    def estimated_accuracy(self) -> float | None:
        """Dawid-Skene accuracy over the single/scale tasks, weighted by units labelled."""
        n = sum(self.accuracy_units.values())
        if not n:
            return None
        return round(sum(a * self.accuracy_units[t] for t, a in self.accuracy.items()) / n, 6)

    @property
    def overall(self) -> Figure:
        """Agreement with the others' majority pooled over every categorical task."""
        figs = [f for f in self.with_majority.values() if f.value is not None]
        n = sum(f.units for f in figs)
        if not n:
            return Figure(None, 0, 0, "no unit with a clear majority among the others")
        hits = sum((f.value or 0.0) * f.units for f in figs)
        return Figure(round(hits / n, 6), n)

    def to_dict(self) -> dict[str, Any]:
        return {
            "annotator": self.name,
            "role": self.role,
            "done": self.done,
            "skipped": self.skipped,
            "flagged": self.flagged,
            "median_seconds": self.median_seconds,
            "with_majority": self.overall.to_dict(),
            "with_majority_per_task": {k: v.to_dict() for k, v in self.with_majority.items()},
            "estimated_accuracy": self.estimated_accuracy,
            "estimated_accuracy_per_task": {k: round(v, 6) for k, v in self.accuracy.items()},
            "mace_competence_per_task": {k: round(v, 6) for k, v in self.competence.items()},
        }


@dataclass
class AgreementReport:
    schema: str
    total_units: int
    annotated_units: int
    tasks: list[TaskAgreement]
    annotators: list[AnnotatorSummary]

    def to_dict(self, *, per_annotator: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "schema": self.schema,
            "units": self.total_units,
            "annotated_units": self.annotated_units,
            "tasks": [t.to_dict(per_annotator=per_annotator) for t in self.tasks],
        }
        if per_annotator:
            out["annotators"] = [a.to_dict() for a in self.annotators]
        return out


def _figures_for(
    coded: Coded, task: Task, level: str, names: list[str]
) -> tuple[TaskAgreement, list[Figure]]:
    counts = value_counts(coded.codes, coded.k)
    people = [names[i] for i in coded.annotators]
    n = len(people)
    ta = TaskAgreement(coded.name, task.type, level, len(coded.unit_ids), people)
    ta.alpha = krippendorff_alpha(counts, level, coded.domain, annotators=n)
    ta.fleiss = fleiss_kappa(counts, annotators=n)
    ta.percent = percent_agreement(counts, annotators=n)
    ta.cohen = cohen_matrix(coded.codes, coded.k)
    totals = counts.sum(axis=0)
    ta.distribution = {str(c): int(t) for c, t in zip(coded.categories, totals, strict=True)}
    return ta, agreement_with_majority(coded.codes, counts)


def _span_agreement(rows: Rows, names: list[str], task: Task, mask: np.ndarray) -> TaskAgreement:
    spans = span_rows(rows, task, mask)
    people = spans.people
    ta = TaskAgreement(task.name, task.type, "token", 0, [names[i] for i in people])
    pairs: list[list[Figure | None]] = [[None] * len(people) for _ in people]
    overlap = size = 0
    base = spans.members
    commons = []
    for i, a in enumerate(people):
        for j in range(i + 1, len(people)):
            b = people[j]
            common = np.intersect1d(spans.seen[a], spans.seen[b], assume_unique=True)
            ka, kb = spans.keys[a], spans.keys[b]
            ka = ka[np.isin(ka // base, common)]
            kb = kb[np.isin(kb // base, common)]
            o = len(np.intersect1d(ka, kb, assume_unique=True))
            s = len(ka) + len(kb)
            pairs[i][j] = pairs[j][i] = f1_figure(o, s, len(common))
            overlap, size = overlap + o, size + s
            commons.append(common)
    ta.f1_pairs = pairs
    ta.units = spans.marked_units
    units = len(np.unique(np.concatenate(commons))) if commons else 0
    if size:
        # Micro-averaged over every pair: 2 * shared tokens / tokens marked, all pairs pooled.
        ta.f1 = Figure(round(2 * overlap / size, 6), units, len(people))
    elif units:
        ta.f1 = Figure(None, units, len(people), "nobody marked any token")
    else:
        ta.f1 = Figure(None, 0, len(people), "no two annotators saw this task on the same unit")
    ta.distribution = spans.distribution
    return ta


def _free_text(rows: Rows, names: list[str], task: Task, mask: np.ndarray) -> TaskAgreement:
    units = given_units(rows, task, mask)
    return TaskAgreement(
        task.name, task.type, "-", units, [], note="free text: no agreement figure"
    )


# Kinds without category codes (coding.CODERS is None for them) and their own figures.
UNCODED = {"span": _span_agreement, "text": _free_text}


def _work(table: LabelTable, rows: Rows, who: set[int] | None) -> list[AnnotatorSummary]:
    people = sorted(who) if who is not None else range(len(table.annotators))
    n = max(len(table.annotators), 1)
    counts = [np.bincount(rows.annotator[rows.status == s], minlength=n) for s in (0, 1, 2)]
    timed = rows.done & (rows.seconds > 0)  # nan (no time) compares False
    out = []
    for a in people:
        summary = AnnotatorSummary(table.annotators[a], table.roles[a])
        summary.done, summary.skipped, summary.flagged = (int(c[a]) for c in counts)
        secs = rows.seconds[timed & (rows.annotator == a)]
        summary.median_seconds = round(float(np.median(secs)), 2) if len(secs) else None
        out.append(summary)
    return out


def compute_agreement(
    schema: Schema,
    table: LabelTable,
    *,
    level: str | None = None,
    annotators: list[str] | None = None,
    tasks: list[str] | None = None,
) -> AgreementReport:
    """Every agreement figure for `schema`'s tasks on the labels in `table`.

    `level` overrides each categorical task's schema level; `annotators` (names) and
    `tasks` restrict the figures to those.
    """
    if level is not None and level not in LEVELS:
        raise ValueError(f"unknown level {level!r} (levels: {', '.join(LEVELS)})")
    who: set[int] | None = None
    if annotators:
        index = {n: i for i, n in enumerate(table.annotators)}
        missing = [n for n in annotators if n not in index]
        if missing:
            known = ", ".join(table.annotators) or "none yet"
            raise ValueError(f"no labels by {', '.join(missing)} (annotators: {known})")
        who = {index[n] for n in annotators}
    if tasks:
        unknown = [t for t in tasks if schema.task(t) is None]
        if unknown:
            names = ", ".join(t.name for t in schema.tasks)
            raise ValueError(
                f"no task {', '.join(unknown)} in schema {schema.name} (tasks: {names})"
            )
    chosen = [t for t in schema.tasks if not tasks or t.name in tasks]
    rows = as_rows(table)
    mask = rows.chosen(who)
    summaries = _work(table, rows, who)
    by_index = {s.name: s for s in summaries}
    results: list[TaskAgreement] = []
    for task in chosen:
        uncoded = UNCODED.get(task.type)
        if uncoded is not None:
            results.append(uncoded(rows, table.annotators, task, mask))
            continue
        task_level = level if level and task.type != "multi" else task.agreement
        if task.type == "multi":
            task_level = "nominal"
        coded_all = [to_matrix(rc, rows, mask) for rc in row_codes(rows, task, task_level)]
        coded_all = [c for c in coded_all if c.unit_ids.size]
        if not coded_all:
            results.append(TaskAgreement(task.name, task.type, task_level, 0, [], note="no labels"))
            continue
        for coded in coded_all:
            ta, majority = _figures_for(coded, task, task_level, table.annotators)
            if task.type == "multi":
                ta.note = "alpha on the exact set of labels; per label: binary alpha"
                ta.distribution = {}
                for label, bits in binary_per_label(coded, task).items():
                    ta.per_label[label] = krippendorff_alpha(
                        value_counts(bits.codes, 2), "nominal", annotators=len(bits.annotators)
                    )
                    ta.distribution[label] = int((bits.codes == 1).sum())
            for row, fig in zip(coded.annotators, majority, strict=True):
                by_index[table.annotators[row]].with_majority[coded.name] = fig
            if task.type in ("single", "scale"):
                given = (coded.codes >= 0).sum(axis=1)
                # (on the distinct columns, as `accuracies` runs Dawid-Skene)
                columns, weights = distinct_columns(coded.codes)
                estimate = mace(columns, coded.k, max_iter=40, tol=1e-4, weights=weights)
                competence = estimate.competence
                for row, acc in enumerate(accuracies(coded.codes, coded.k).tolist()):
                    if acc == acc:  # not nan
                        person = by_index[table.annotators[coded.annotators[row]]]
                        person.accuracy[coded.name] = acc
                        person.accuracy_units[coded.name] = int(given[row])
                        person.competence[coded.name] = float(competence[row])
            results.append(ta)
    annotated = count_distinct(rows.unit[rows.done])
    return AgreementReport(schema.name, table.total_units, annotated, results, summaries)
