"""Assistance in the store: the project's settings, the models trained on its labels, and
how sure they are about each open unit (what the uncertain and balanced queue orders read).

Only storage and queries: training and suggesting live in ``annotator.assist``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select, text
from sqlmodel import Session

from annotator.store import queue_sql
from annotator.store.engine import StoreError
from annotator.store.models import AssistModel, AssistScore, AssistSetting, utcnow

ORDERS = queue_sql.ORDERS[2:]  # queue orders that read the scores
DEFAULT_EXPLORE = 0.2

_SCORE = AssistScore.__table__  # type: ignore[attr-defined]
_MODEL = AssistModel.__table__  # type: ignore[attr-defined]
_SETTING = AssistSetting.__table__  # type: ignore[attr-defined]


# --- settings --------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    suggestions: bool = False
    explore: float = DEFAULT_EXPLORE


def settings(session: Session, project_id: int) -> Settings:
    """The project's settings (the defaults until someone changes one)."""
    row = session.execute(
        select(_SETTING.c.suggestions, _SETTING.c.explore).where(
            _SETTING.c.project_id == project_id
        )
    ).first()
    return Settings() if row is None else Settings(bool(row.suggestions), float(row.explore))


def change_settings(
    session: Session,
    project_id: int,
    *,
    suggestions: bool | None = None,
    explore: float | None = None,
) -> Settings:
    """Change what is given, keep the rest; returns the settings now in force."""
    if explore is not None and not 0.0 <= explore <= 1.0:
        raise StoreError(f"random share {explore}: give a number from 0 to 1")
    now = settings(session, project_id)
    new = Settings(
        now.suggestions if suggestions is None else suggestions,
        now.explore if explore is None else explore,
    )
    values = {"suggestions": new.suggestions, "explore": new.explore, "updated_at": utcnow()}
    session.execute(delete(_SETTING).where(_SETTING.c.project_id == project_id))
    session.execute(insert(_SETTING).values(project_id=project_id, **values))
    return new


# --- what a training reads -------------------------------------------------------------


@dataclass
class Labelled:
    """Done labels of a project: per unit its text and every annotator's values."""

    texts: dict[int, str]
    values: dict[int, list[dict[str, Any]]]  # unit -> each done annotation's values
    annotation_ids: list[int]
    adjudications: dict[int, dict[str, Any]]  # unit -> task -> final value
    event_mark: int


_DONE = text(
    'SELECT a.id, a.unit_id, a."values", u.text FROM annotation a JOIN unit u ON u.id = a.unit_id '
    "WHERE u.project_id = :p AND a.status = 'done' AND NOT a.is_check ORDER BY a.id"
)
_ADJUDICATED = text(
    "SELECT j.unit_id, j.task, j.value, u.text FROM adjudication j JOIN unit u ON u.id = j.unit_id "
    "WHERE u.project_id = :p"
)
# Units that still need a label (done labels below the overlap): the ones a queue can hand out.
_OPEN = text(
    "SELECT u.id, u.text FROM unit u WHERE u.project_id = :p AND u.id > :after AND "
    "(SELECT count(*) FROM annotation a WHERE a.unit_id = u.id AND a.status = 'done') < :overlap "
    "ORDER BY u.id LIMIT :n"
)


def _json(value: Any) -> Any:
    import json

    return json.loads(value) if isinstance(value, str | bytes) else value


def labelled(session: Session, project_id: int) -> Labelled:
    """Every done label and adjudication of the project, with the unit texts. The event mark
    is taken first: every label it covers is read (a later one may be too)."""
    mark = session.execute(text("SELECT coalesce(max(id), 0) FROM annotationevent")).scalar_one()
    out = Labelled({}, {}, [], {}, int(mark))
    for ann_id, unit_id, values, unit_text in session.execute(_DONE, {"p": project_id}):
        out.texts[unit_id] = unit_text
        out.values.setdefault(unit_id, []).append(_json(values) or {})
        out.annotation_ids.append(int(ann_id))
    for unit_id, task, value, unit_text in session.execute(_ADJUDICATED, {"p": project_id}):
        out.texts[unit_id] = unit_text
        out.adjudications.setdefault(unit_id, {})[task] = _json(value)
    return out


def open_units(
    session: Session, project_id: int, *, overlap: int = 1, batch: int = 5000
) -> Iterator[list[tuple[int, str]]]:
    """(unit id, text) of the units that still need labels, in batches (memory stays flat)."""
    after = 0
    while True:
        rows = session.execute(
            _OPEN, {"p": project_id, "after": after, "overlap": overlap, "n": batch}
        ).all()
        if not rows:
            return
        yield [(int(u), t) for u, t in rows]
        after = rows[-1][0]


# --- models ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelInfo:
    """A stored model without its weights (what `annotator model status` shows)."""

    task: str
    task_type: str
    schema_version_id: int
    label_count: int
    event_mark: int
    accuracy: float | None
    macro_f1: float | None
    seconds: float
    trained_at: Any


_INFO_COLUMNS = (
    _MODEL.c.task,
    _MODEL.c.task_type,
    _MODEL.c.schema_version_id,
    _MODEL.c.label_count,
    _MODEL.c.event_mark,
    _MODEL.c.accuracy,
    _MODEL.c.macro_f1,
    _MODEL.c.seconds,
    _MODEL.c.trained_at,
)


def save_model(
    session: Session,
    *,
    project_id: int,
    task: str,
    task_type: str,
    schema_version_id: int,
    label_ids: list[int],
    label_count: int,
    event_mark: int,
    weights: bytes,
    seconds: float,
    accuracy: float | None = None,
    macro_f1: float | None = None,
) -> None:
    """Store the task's model, replacing the one it had."""
    session.execute(delete(_MODEL).where(_MODEL.c.project_id == project_id, _MODEL.c.task == task))
    session.execute(
        insert(_MODEL).values(
            project_id=project_id,
            task=task,
            task_type=task_type,
            schema_version_id=schema_version_id,
            label_count=label_count,
            label_ids=label_ids,
            event_mark=event_mark,
            accuracy=accuracy,
            macro_f1=macro_f1,
            seconds=seconds,
            weights=weights,
            trained_at=utcnow(),
        )
    )


def forget_models(session: Session, project_id: int, *, keep: Iterable[str] = ()) -> None:
    """Drop the project's models except those of the tasks in `keep` (tasks that left the
    schema, or could not be trained again, must not go on suggesting)."""
    keep = list(keep)
    query = delete(_MODEL).where(_MODEL.c.project_id == project_id)
    if keep:
        query = query.where(_MODEL.c.task.not_in(keep))
    session.execute(query)


def model_infos(session: Session, project_id: int) -> list[ModelInfo]:
    rows = session.execute(
        select(*_INFO_COLUMNS).where(_MODEL.c.project_id == project_id).order_by(_MODEL.c.id)
    ).all()
    return [ModelInfo(*row) for row in rows]


def model_weights(session: Session, project_id: int) -> list[tuple[ModelInfo, bytes]]:
    """Every stored model of the project with its weights (read once, when loading)."""
    rows = session.execute(
        select(*_INFO_COLUMNS, _MODEL.c.weights)
        .where(_MODEL.c.project_id == project_id)
        .order_by(_MODEL.c.id)
    ).all()
    return [(ModelInfo(*row[:-1]), bytes(row[-1])) for row in rows]


def assisted_counts(session: Session, project_id: int) -> dict[str, int]:
    """Done labels by whether suggestions were on: "on", "off", "unknown" (not on screen)."""
    rows = session.execute(
        text(
            "SELECT a.assisted, count(*) FROM annotation a JOIN unit u ON u.id = a.unit_id "
            "WHERE u.project_id = :p AND a.status = 'done' GROUP BY a.assisted"
        ),
        {"p": project_id},
    )
    out = {"on": 0, "off": 0, "unknown": 0}
    for flag, n in rows:
        out["unknown" if flag is None else "on" if flag else "off"] += int(n)
    return out


# --- scores for the queue orders -------------------------------------------------------


def replace_scores(
    session: Session, project_id: int, batches: Iterable[list[tuple[int, float, float]]]
) -> int:
    """Replace the project's unit scores with (unit id, confidence, minority) rows."""
    session.execute(delete(_SCORE).where(_SCORE.c.project_id == project_id))
    n = 0
    for rows in batches:
        if rows:
            session.execute(
                insert(_SCORE),
                [
                    {"project_id": project_id, "unit_id": u, "confidence": c, "minority": m}
                    for u, c, m in rows
                ],
            )
            n += len(rows)
    return n


def ranked_units(session: Session, project_id: int, order: str) -> list[int]:
    """Scored unit ids in `order`: uncertain (least confident first) or balanced (likeliest
    rare label first); empty before the first training."""
    if order == "uncertain":
        by: Any = (_SCORE.c.confidence, _SCORE.c.unit_id)
    elif order == "balanced":
        by = (_SCORE.c.minority.desc(), _SCORE.c.confidence, _SCORE.c.unit_id)
    else:
        raise ValueError(f"unknown order {order!r}")
    rows = session.execute(
        select(_SCORE.c.unit_id).where(_SCORE.c.project_id == project_id).order_by(*by)
    )
    return [int(r[0]) for r in rows]


def ranking_mark(session: Session, project_id: int) -> int:
    """Changes with every training (model ids only grow): a queue whose ranking was read
    at another mark reads it again, so a long session follows the lead's retraining."""
    return int(
        session.execute(
            select(func.coalesce(func.max(_MODEL.c.id), 0)).where(_MODEL.c.project_id == project_id)
        ).scalar_one()
    )


def has_scores(session: Session, project_id: int) -> bool:
    row = session.execute(
        select(_SCORE.c.unit_id).where(_SCORE.c.project_id == project_id).limit(1)
    ).first()
    return row is not None


def changes_since(session: Session, project_id: int, mark: int) -> int:
    """Done labels given or changed after audit event `mark` (what a new training would add)."""
    return int(
        session.execute(
            text(
                "SELECT count(*) FROM annotationevent e JOIN unit u ON u.id = e.unit_id "
                "WHERE e.id > :mark AND u.project_id = :p AND e.status = 'done'"
            ),
            {"mark": mark, "p": project_id},
        ).scalar_one()
    )
