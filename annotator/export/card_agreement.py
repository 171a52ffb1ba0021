"""The dataset card's agreement section: Krippendorff's alpha per task, as
`annotator agreement` computes it (``analysis.agreement.compute_agreement``), on the labels
the export holds.

`AgreementLabels` watches the store stream as the writer reads it and keeps each
annotation's unit, annotator, status and distinct-value index in typed arrays (21 bytes an
annotation): the label table `compute_agreement` reads, without a second read of the store
(``fetch_labels`` holds every stored text at once: 400 MB at 1M annotations). The card shows
no times, so seconds are not kept (the table says none: nan); the arrays are let go as soon
as the figures are computed.
"""

from __future__ import annotations

import json
from array import array
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from annotator.analysis.agreement import TaskAgreement, compute_agreement
from annotator.analysis.coding import STATUSES
from annotator.export.encode import Memo
from annotator.schema.model import Schema
from annotator.store.labels_query import Packed, ProjectLabels

NAN = float("nan")
BATCH = 10_000  # annotations kept at a time
_STATUS = {s: i for i, s in enumerate(STATUSES)}
_UNIT, _WHO, _VALUES, _STATUS_AT = (itemgetter(i) for i in (0, 1, 2, 3))
REMAP = 1 << 16  # annotator ids turned into indexes this many at a time (in place)


@dataclass(frozen=True)
class AgreementRow:
    task: str
    type: str
    level: str
    alpha: float | None
    units: int
    annotators: int
    note: str = ""


class AgreementLabels:
    """A `UnitStream` watch (or part of one) that keeps the exported labels for agreement."""

    def __init__(self) -> None:
        self._units = array("q")
        self._who = array("q")
        self._statuses = array("b")
        self._values = array("i")  # index into `texts`: C int, 32 bits (numpy's intc)
        self.texts: list[str | None] = []
        self._value_id = Memo(self._new_text)
        self._status = Memo(lambda s: _STATUS.get(s, 3))
        self.names: dict[int, str] = {}  # annotator id -> name, from the stream
        self.figures: tuple[list[AgreementRow], str] | None = None  # once computed
        self._pending: list[Any] = []  # annotations seen one unit at a time, not yet kept

    def _new_text(self, text: str | None) -> int:
        self.texts.append(text)
        return len(self.texts) - 1

    def add(self, anns: list[Any], names: dict[int, str]) -> None:
        """Annotation tuples of the stream (none without an annotator), and the stream's
        annotator names."""
        self.names = names
        self._units.extend(map(_UNIT, anns))
        self._who.extend(map(_WHO, anns))
        self._statuses.extend(map(self._status.__getitem__, map(_STATUS_AT, anns)))
        self._values.extend(map(self._value_id.__getitem__, map(_VALUES, anns)))

    # the watch protocol (see ``store.export_stream.UnitStream``), to keep the labels alone
    def unit(self, stream: Any, unit: tuple, anns: list, adjudicated: Any) -> None:
        self.names = stream.names
        self._pending += anns
        if len(self._pending) >= BATCH:
            self.flush(stream.names)

    def chunk(self, stream: Any, units: list, anns: list, adjudicated: Any) -> None:
        self.add(anns, stream.names)

    def flush(self, names: dict[int, str]) -> None:
        self.add(self._pending, names)
        self._pending = []

    def clear(self) -> None:
        """Let the kept labels go (the figures are computed)."""
        self._units, self._who = array("q"), array("q")
        self._statuses, self._values = array("b"), array("i")
        self.texts = []
        self._value_id.clear()
        self._pending = []

    def table(self) -> ProjectLabels | None:
        """The label table, annotators in name order (as ``fetch_labels`` gives them); None
        when there are no labels. It shares the kept arrays (annotator ids become indexes in
        place), so take it once."""
        import numpy as np

        self.flush(self.names)
        if not self._units:
            return None
        names = self.names
        who = np.frombuffer(self._who, dtype=np.int64)
        present = sorted(set(np.unique(who).tolist()), key=lambda i: (names.get(i) or "", i))
        index = np.full(max(present) + 1, -1, dtype=np.int64)
        index[present] = np.arange(len(present))
        for start in range(0, len(who), REMAP):
            part = who[start : start + REMAP]
            part[:] = index[part]
        data = ProjectLabels(
            annotators=[names.get(i) or str(i) for i in present],
            roles=["annotator"] * len(present),
        )
        loads = json.loads
        units = np.frombuffer(self._units, dtype=np.int64)
        data.packed = Packed(
            units,
            who,
            np.frombuffer(self._statuses, dtype=np.int8),
            np.broadcast_to(np.float64(NAN), units.shape),
            np.frombuffer(self._values, dtype=np.intc),
            [_as_dict(loads(t) if t else {}) for t in self.texts],
        )
        data.total_units = _count_distinct(units)
        return data


def _count_distinct(units: Any) -> int:
    """Distinct unit ids; the stream gives them in order, which needs no sorted copy."""
    import numpy as np

    if len(units) < 2 or bool(np.all(units[1:] >= units[:-1])):
        return int(np.count_nonzero(units[1:] != units[:-1])) + min(len(units), 1)
    return len(np.unique(units))


def _as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def card_agreement(
    schema: Schema, labels: AgreementLabels, tasks: tuple[str, ...] | None = None
) -> tuple[list[AgreementRow], str]:
    """Rows for the card's table, and a note when there are none (why). The labels are let
    go once the figures are computed; a second call gives the same figures."""
    if labels.figures is None:
        table = labels.table()
        if table is None:
            labels.figures = [], "No labels in this export."
        else:
            report = compute_agreement(schema, table, tasks=list(tasks) if tasks else None)
            del table
            labels.figures = [_row(t) for t in report.tasks], ""
        labels.clear()
    return labels.figures


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
