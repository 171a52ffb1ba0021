"""The dashboard's figures, free of Textual: progress, label distribution, alpha over time.

"Alpha as annotation goes on": the annotations in the order they were first made, cut into
`points` growing prefixes (10%, 20%, ... 100%), alpha computed on each. A line that settles
means the figure can be trusted; one that drifts down means annotators are diverging.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from annotator.analysis.agreement import CATEGORICAL, compute_agreement
from annotator.analysis.coding import code_task
from annotator.analysis.coefficients import krippendorff_alpha, value_counts
from annotator.schema.model import Schema
from annotator.store.adjudications import label_order
from annotator.store.engine import session_scope
from annotator.store.labels_query import ProjectLabels, fetch_labels
from annotator.tui.launch import StoreContext


@dataclass(frozen=True)
class AnnotatorProgress:
    name: str
    role: str
    done: int
    skipped: int
    flagged: int
    median_seconds: float | None


@dataclass
class TaskFigures:
    name: str  # task, or "task[target]" for a stance target
    type: str
    measure: str  # "alpha (nominal)", "token F1", ...
    value: float | None
    units: int
    note: str = ""
    distribution: list[tuple[str, int]] = field(default_factory=list)
    history: list[float] = field(default_factory=list)  # alpha on growing prefixes


@dataclass
class DashboardData:
    project: str
    schema: str
    total_units: int
    labelled_units: int  # with at least one done annotation
    complete_units: int  # with as many done annotations as the overlap asks
    overlap: int
    decided: int  # adjudications
    per_annotator: bool
    annotators: list[AnnotatorProgress] = field(default_factory=list)
    tasks: list[TaskFigures] = field(default_factory=list)


def _prefix(table: ProjectLabels, rows: list[int]) -> ProjectLabels:
    return ProjectLabels(
        annotators=table.annotators,
        roles=table.roles,
        unit=[table.unit[i] for i in rows],
        annotator=[table.annotator[i] for i in rows],
        status=[table.status[i] for i in rows],
        seconds=[table.seconds[i] for i in rows],
        values=[table.values[i] for i in rows],
        total_units=table.total_units,
    )


def alpha_history(
    schema: Schema, table: ProjectLabels, order: list[tuple[int, str]], points: int = 10
) -> dict[str, list[float]]:
    """Coded task name -> alpha on each growing prefix of the annotations in `order`
    (prefixes where alpha is undefined are left out)."""
    index = {name: i for i, name in enumerate(table.annotators)}
    row_of = {(u, a): r for r, (u, a) in enumerate(zip(table.unit, table.annotator, strict=True))}
    rows = [row_of[(u, index[n])] for u, n in order if n in index and (u, index[n]) in row_of]
    out: dict[str, list[float]] = {}
    if not rows:
        return out
    cuts = sorted({math.ceil(len(rows) * i / points) for i in range(1, points + 1)})
    for cut in cuts:
        part = _prefix(table, rows[:cut])
        for task in schema.tasks:
            if task.type not in CATEGORICAL:
                continue
            level = "nominal" if task.type == "multi" else task.agreement
            for coded in code_task(part, task, level, None):
                if not coded.unit_ids.size:
                    continue
                fig = krippendorff_alpha(value_counts(coded.codes, coded.k), level, coded.domain)
                if fig.value is not None:
                    out.setdefault(coded.name, []).append(fig.value)
    return out


def load_dashboard(ctx: StoreContext, *, per_annotator: bool, points: int = 10) -> DashboardData:
    """Everything the dashboard draws (seconds on a large project: run it off the UI)."""
    with session_scope(ctx.engine) as s:
        table = fetch_labels(s, ctx.project_id)
        order = label_order(s, ctx.project_id)
    schema = ctx.schema
    report = compute_agreement(schema, table)
    done_per_unit: dict[int, int] = {}
    for u, st in zip(table.unit, table.status, strict=True):
        if st == "done":
            done_per_unit[u] = done_per_unit.get(u, 0) + 1
    overlap = max(schema.overlap, 1)
    data = DashboardData(
        project=ctx.project_name,
        schema=schema.name,
        total_units=table.total_units,
        labelled_units=len(done_per_unit),
        complete_units=sum(1 for n in done_per_unit.values() if n >= overlap),
        overlap=overlap,
        decided=sum(len(v) for v in table.adjudications.values()),
        per_annotator=per_annotator,
    )
    if per_annotator:
        data.annotators = [
            AnnotatorProgress(a.name, a.role, a.done, a.skipped, a.flagged, a.median_seconds)
            for a in report.annotators
        ]
    history = alpha_history(schema, table, order, points)
    for t in report.tasks:
        if t.type == "span":
            fig, measure = t.f1, "token F1"
        else:
            fig, measure = t.alpha, f"alpha ({t.level})" if t.level != "-" else "-"
        labels = schema.task(t.name.split("[")[0])
        known = list(labels.values) if labels is not None and t.type != "stance" else []
        dist = [(v, t.distribution[v]) for v in known if v in t.distribution]
        dist += [(v, n) for v, n in t.distribution.items() if v not in known]
        note = t.note or (fig.note if fig is not None and fig.value is None else "")
        data.tasks.append(
            TaskFigures(
                name=t.name,
                type=t.type,
                measure=measure,
                value=fig.value if fig is not None else None,
                units=fig.units if fig is not None else t.units,
                note=note,
                distribution=dist,
                history=history.get(t.name, []),
            )
        )
    return data
