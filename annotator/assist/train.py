"""Train the project's models on its labels, store them, and score the open units.

The store is read in one short transaction and written in another; the fitting in between
holds no lock, so annotators keep saving while a model trains (a label saved meanwhile is
simply left for the next training).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine

from annotator.analysis.aggregate import gold_for_unit
from annotator.assist.kinds import WHY_NOT, shape_of
from annotator.assist.metrics import accuracy, macro_f1
from annotator.assist.model import TaskModel
from annotator.schema.model import Schema
from annotator.store import assist_models
from annotator.store.assist_models import Labelled
from annotator.store.engine import session_scope

MIN_LABELS = 10  # units with a gold value before a task is learnt
MIN_CHECK = 50  # units before the newest fifth is held out to estimate accuracy


@dataclass(frozen=True)
class TaskResult:
    task: str
    labels: int  # units with a gold value for the task
    trained: bool
    reason: str = ""  # why not, when not trained
    accuracy: float | None = None  # on the newest fifth, learnt from the older labels
    macro_f1: float | None = None
    seconds: float = 0.0


@dataclass(frozen=True)
class Examples:
    """One task's training data: unit ids (oldest label first), texts, gold values."""

    units: list[int]
    texts: list[str]
    targets: list[Any]


def examples(schema: Schema, data: Labelled) -> dict[str, Examples]:
    """Gold per unit and task (adjudication, else the annotators' majority, as the exports
    define it), for the tasks a model can learn. Ties and hidden tasks give no example."""
    types = {t.name: t.type for t in schema.tasks}
    show_if = {t.name: dict(t.show_if) for t in schema.tasks if t.show_if}
    learnt = [t.name for t in schema.tasks if shape_of(t.type) is not None]
    out = {name: Examples([], [], []) for name in learnt}
    # Oldest first: `values` lists units in the order of their first done label; units known
    # only by an adjudication come last.
    first = {uid: rank for rank, uid in enumerate(data.values)}
    units = sorted(data.texts, key=lambda u: first.get(u, len(first) + u))
    for uid in units:
        golds = gold_for_unit(
            types,
            [{"values": v, "status": "done"} for v in data.values.get(uid, [])],
            data.adjudications.get(uid),
            show_if=show_if,
        )
        for name in learnt:
            value = golds[name].value
            if value is None or golds[name].source in ("tie", "none", "not_shown"):
                continue
            ex = out[name]
            ex.units.append(uid)
            ex.texts.append(data.texts[uid])
            ex.targets.append(value)
    return out


def fit_task(schema: Schema, name: str, ex: Examples) -> tuple[TaskModel | None, TaskResult]:
    """Learn one task; with enough labels, first check on the newest fifth."""
    task = schema.task(name)
    assert task is not None
    shape = shape_of(task.type)
    assert shape is not None
    n = len(ex.targets)
    if n < MIN_LABELS:
        return None, TaskResult(name, n, False, f"{n} labelled units, needs {MIN_LABELS}")
    if shape == "classes" and len({str(t) for t in ex.targets}) < 2:
        return None, TaskResult(name, n, False, "every label so far has the same value")
    started = time.perf_counter()
    acc = f1 = None
    if n >= MIN_CHECK:
        cut = n - n // 5
        older = ex.targets[:cut]
        if shape == "labels" or len({str(t) for t in older}) > 1:
            check = TaskModel.fit(shape, ex.texts[:cut], older, labels=task.values)
            probs = check.probabilities(ex.texts[cut:])
            guessed = [v for v, _ in check.guesses(probs)]
            truth = ex.targets[cut:]
            acc, f1 = accuracy(truth, guessed), macro_f1(truth, guessed)
    model = TaskModel.fit(shape, ex.texts, ex.targets, labels=task.values)
    seconds = time.perf_counter() - started
    return model, TaskResult(name, n, True, accuracy=acc, macro_f1=f1, seconds=seconds)


def train_project(
    engine: Engine,
    *,
    project_id: int,
    schema: Schema,
    schema_version_id: int,
    say: Callable[[str], None] = lambda _: None,
) -> list[TaskResult]:
    """Train a model per learnable task, store them (replacing the old ones), and score the
    units that still need labels for the uncertain and balanced orders."""
    with session_scope(engine) as s:
        data = assist_models.labelled(s, project_id)
    results: list[TaskResult] = []
    models: dict[str, TaskModel] = {}
    per_task = examples(schema, data)
    for task in schema.tasks:
        if shape_of(task.type) is None:
            results.append(TaskResult(task.name, 0, False, WHY_NOT[task.type]))
            continue
        if len(per_task[task.name].targets) >= MIN_LABELS:
            say(f"training {task.name} on {len(per_task[task.name].targets):,} labelled units")
        model, result = fit_task(schema, task.name, per_task[task.name])
        results.append(result)
        if model is not None:
            models[task.name] = model
    scores = _score_open(engine, project_id, models, overlap=max(1, schema.overlap))
    with session_scope(engine) as s:
        types = {t.name: t.type for t in schema.tasks}
        for result in results:
            model = models.get(result.task)
            if model is None:
                continue
            assist_models.save_model(
                s,
                project_id=project_id,
                task=result.task,
                task_type=types[result.task],
                schema_version_id=schema_version_id,
                label_ids=data.annotation_ids,
                label_count=result.labels,
                event_mark=data.event_mark,
                weights=model.to_bytes(),
                seconds=result.seconds,
                accuracy=result.accuracy,
                macro_f1=result.macro_f1,
            )
        # A task that could not be learnt now must not keep suggesting from an old model.
        assist_models.forget_models(s, project_id, keep=list(models))
        assist_models.replace_scores(s, project_id, scores)
    return results


def _score_open(
    engine: Engine, project_id: int, models: dict[str, TaskModel], *, overlap: int
) -> list[list[tuple[int, float, float]]]:
    """(unit, confidence, minority) for every unit that still needs labels: the least sure
    task's confidence, the largest minority likelihood of any task."""
    if not models:
        return []
    import numpy as np

    out = []
    with session_scope(engine) as s:
        for batch in assist_models.open_units(s, project_id, overlap=overlap):
            texts = [t for _, t in batch]
            confidence: Any = None
            minority: Any = None
            for model in models.values():
                c, m = model.scores(model.probabilities(texts))
                confidence = c if confidence is None else np.minimum(confidence, c)
                minority = m if minority is None else np.maximum(minority, m)
            out.append(
                [
                    (uid, float(c), float(m))
                    for (uid, _), c, m in zip(batch, confidence, minority, strict=True)
                ]
            )
    return out
