"""Suggestions for the annotation session: the project's models, loaded once off the key
path, asked for a guess per unit.

`Suggester.start()` loads in a background thread (reading the weights and importing
scikit-learn take a second or two); until it is done, and if it fails, `suggest` answers
nothing rather than wait, so a key press never blocks on it. A loaded model's guess costs
a fraction of a millisecond (see ``TaskModel._one``).
"""

from __future__ import annotations

import threading
from typing import Any, NamedTuple

from sqlalchemy.engine import Engine

from annotator.assist.kinds import shape_of
from annotator.assist.model import TaskModel
from annotator.schema.model import Schema
from annotator.store import assist_models
from annotator.store.engine import session_scope


class Suggestion(NamedTuple):
    value: Any  # a label value, or a list of them for a multi-choice task
    confidence: float  # 0-1: the model's probability for it


class Suggester:
    def __init__(self, engine: Engine, *, project_id: int, schema: Schema) -> None:
        self.engine = engine
        self.project_id = project_id
        self.schema = schema
        self.models: dict[str, TaskModel] = {}  # replaced whole once loaded
        self.problem: str | None = None  # why there are no suggestions, for the screen
        self.loaded = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Load the models in a background thread (once)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self.load, name="assist-load", daemon=True)
            self._thread.start()

    def load(self) -> None:
        """Read the project's models; any failure becomes `problem`, never an exception."""
        try:
            with session_scope(self.engine) as s:
                stored = assist_models.model_weights(s, self.project_id)
            models = {}
            for info, weights in stored:
                model = TaskModel.from_bytes(weights)
                if self._fits(info.task, info.task_type, model):
                    models[info.task] = model
            if models:
                _one_blas_thread()
            self.models = models
            if not stored:
                self.problem = "no model yet: run `annotator model train`"
            elif not models:
                self.problem = "the models predate the schema's labels: train again"
        except Exception as exc:  # a missing extra, an unreadable model, a lost connection
            self.problem = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        finally:
            self.loaded.set()

    def _fits(self, name: str, task_type: str, model: TaskModel) -> bool:
        """Only guesses the current schema allows: same task type, known labels."""
        task = self.schema.task(name)
        if task is None or task.type != task_type or shape_of(task.type) != model.shape:
            return False
        return set(model.classes) <= set(task.values)

    @property
    def ready(self) -> bool:
        return self.loaded.is_set() and bool(self.models)

    def suggest(self, unit_text: str) -> dict[str, Suggestion]:
        """The guess per task for one unit (empty until the models are loaded)."""
        models = self.models  # one read: the loader swaps in the whole dict
        return {name: Suggestion(*m.suggest(unit_text)) for name, m in models.items()}

    def suggest_task(self, task: str, unit_text: str) -> Suggestion | None:
        model = self.models.get(task)
        return None if model is None else Suggestion(*model.suggest(unit_text))


def _one_blas_thread() -> None:
    """A guess is one sentence: numpy's BLAS threads gain nothing on it, and once woken they
    keep spinning for a while, taking a core from the screen on a small machine."""
    try:
        from threadpoolctl import threadpool_limits  # comes with scikit-learn

        threadpool_limits(limits=1)
    except Exception:  # an older or missing threadpoolctl: the guesses still work
        pass
