"""The dataset card's agreement section: Krippendorff's alpha per task, as
`annotator agreement` computes it (``analysis.agreement.compute_agreement``), over the
exported tasks and annotators.

The figures use every `done` label of the selected annotators in the project; the card says
so, since an export's --since or --status filters do not narrow them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session

from annotator.analysis.agreement import TaskAgreement, compute_agreement
from annotator.export.options import ExportOptions
from annotator.schema.model import Schema
from annotator.store.labels_query import fetch_labels


@dataclass(frozen=True)
class AgreementRow:
    task: str
    type: str
    level: str
    alpha: float | None
    units: int
    annotators: int
    note: str = ""


def card_agreement(
    engine: Engine, project_id: int, schema: Schema, opts: ExportOptions
) -> tuple[list[AgreementRow], str]:
    """Rows for the card's table, and a note when there are none (why)."""
    with Session(engine) as session:
        table = fetch_labels(session, project_id, lists=False)
    annotators = None
    if opts.annotators is not None:
        annotators = sorted(n for n in opts.annotators if n in table.annotators)
        if not annotators:
            return [], "No labels by the selected annotators."
    report = compute_agreement(
        schema, table, annotators=annotators, tasks=list(opts.tasks) if opts.tasks else None
    )
    return [_row(t) for t in report.tasks], ""


def _row(t: TaskAgreement) -> AgreementRow:
    people = len(t.annotators)
    if t.type == "span":
        f1 = t.f1
        if f1 is not None and f1.value is not None:
            note = f"token F1 {f1.value:.3f} between annotators (alpha does not apply)"
        else:
            note = f"token F1 left out: {f1.note}" if f1 is not None else "no labels"
        return AgreementRow(t.name, t.type, t.level, None, t.units, people, note)
    alpha = t.alpha
    if alpha is None:
        return AgreementRow(t.name, t.type, t.level, None, t.units, people, t.note)
    note = t.note if alpha.value is not None else f"left out: {alpha.note}"
    return AgreementRow(t.name, t.type, t.level, alpha.value, alpha.units, people, note)
