"""The dashboard's figures, free of Textual: progress, label distribution, alpha over time.

"Alpha as annotation goes on": the annotations in the order they were first made, cut into
`points` growing prefixes (10%, 20%, ... 100%), alpha computed on each. A line that settles
means the figure can be trusted; one that drifts down means annotators are diverging.

Each task's values are coded once for every annotation; a prefix is then a mask over those
codes (100k units x 5 annotators: ten points in a few hundredths of a second each).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from annotator.analysis.agreement import compute_agreement
from annotator.analysis.checks import CheckReport, score_checks
from annotator.analysis.coding import as_rows, count_distinct, row_codes, to_matrix
from annotator.analysis.coefficients import krippendorff_alpha, value_counts
from annotator.schema.kinds import CATEGORICAL
from annotator.schema.model import Schema
from annotator.store.checks import check_data
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
    checks: CheckReport | None = None  # accuracy on check items (per_annotator only)
    check_items: int = 0


def alpha_history(
    schema: Schema, table: ProjectLabels, made: np.ndarray, points: int = 10
) -> dict[str, list[float]]:
    """Coded task name -> alpha on each growing prefix of the annotations, taken in the order
    `made` gives (each annotation's place, 0 for the first made); prefixes where alpha is
    undefined are left out."""
    rows = as_rows(table)
    out: dict[str, list[float]] = {}
    total = len(made)
    if not total:
        return out
    cuts = sorted({math.ceil(total * i / points) for i in range(1, points + 1)})
    coded = []
    for task in schema.tasks:
        if task.type in CATEGORICAL:
            level = "nominal" if task.type == "multi" else task.agreement
            coded += row_codes(rows, task, level)
    done = rows.done
    for cut in cuts:
        mask = done & (made < cut)
        for rc in coded:
            matrix = to_matrix(rc, rows, mask)
            if not matrix.unit_ids.size:
                continue
            fig = krippendorff_alpha(value_counts(matrix.codes, matrix.k), rc.level, matrix.domain)
            if fig.value is not None:
                out.setdefault(rc.name, []).append(fig.value)
    return out


def load_dashboard(ctx: StoreContext, *, per_annotator: bool, points: int = 10) -> DashboardData:
    """Everything the dashboard draws (seconds on a large project: run it off the UI)."""
    with session_scope(ctx.engine) as s:
        table = fetch_labels(s, ctx.project_id, lists=False, order=True)
        checks = check_data(s, ctx.project_id)
    schema = ctx.schema
    report = compute_agreement(schema, table)
    rows = as_rows(table)
    done_units = rows.unit[rows.done]
    per_unit = np.unique(done_units, return_counts=True)[1] if len(done_units) else np.zeros(0)
    overlap = max(schema.overlap, 1)
    data = DashboardData(
        project=ctx.project_name,
        schema=schema.name,
        total_units=table.total_units,
        labelled_units=count_distinct(done_units),
        complete_units=int((per_unit >= overlap).sum()),
        overlap=overlap,
        decided=sum(len(v) for v in table.adjudications.values()),
        per_annotator=per_annotator,
    )
    data.check_items = len(checks.known)
    if per_annotator and checks.known:
        types = {t.name: t.type for t in schema.tasks}
        data.checks = score_checks(types, checks.known, checks.answers, settings=checks.settings)
    if per_annotator:
        data.annotators = [
            AnnotatorProgress(a.name, a.role, a.done, a.skipped, a.flagged, a.median_seconds)
            for a in report.annotators
        ]
    made = table.packed.made if table.packed is not None else np.zeros(0, dtype=np.int64)
    history = alpha_history(schema, table, made, points)
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
