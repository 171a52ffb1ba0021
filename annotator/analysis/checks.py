"""Accuracy on check items: each annotator's answers against the known answers.

Pure functions on plain data. An answer is scored per task of the known answer, on answers
with status ``done`` (a skipped check is not scored); a task of the known answer left empty
counts as wrong, so leaving the hard part out never raises anyone's accuracy. How two
values are compared depends on the task kind (``MATCHERS``, one entry per kind); free text
has no right answer and is not scored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from annotator.schema.values import given


def _same(a: Any, b: Any) -> bool:
    return bool(a == b)


def _same_members(a: Any, b: Any) -> bool:
    """Lists compared as sets (the order of chosen labels or spans means nothing)."""
    if not isinstance(a, list) or not isinstance(b, list):
        return bool(a == b)
    return sorted(map(repr, a)) == sorted(map(repr, b))


# Kind -> how an answer is compared with the known one (None: not scored); exhaustive over
# schema.kinds.KINDS (tests/test_kinds_registry.py).
MATCHERS: dict[str, Callable[[Any, Any], bool] | None] = {
    "single": _same,
    "scale": _same,
    "multi": _same_members,
    "span": _same_members,
    "stance": _same,
    "text": None,
}


@dataclass
class TaskScore:
    answered: int = 0
    correct: int = 0

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.answered if self.answered else None


@dataclass
class PersonScore:
    annotator: str
    checks: int = 0  # check units answered (done)
    tasks: dict[str, TaskScore] = field(default_factory=dict)

    @property
    def answered(self) -> int:
        return sum(t.answered for t in self.tasks.values())

    @property
    def correct(self) -> int:
        return sum(t.correct for t in self.tasks.values())

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.answered if self.answered else None


@dataclass
class CheckReport:
    """Accuracy per annotator on the project's check items, and who is below the threshold."""

    items: int = 0
    rate: float = 0.0
    warn_below: float | None = None
    people: list[PersonScore] = field(default_factory=list)

    def below(self) -> list[PersonScore]:
        """The annotators whose accuracy is under the warning threshold."""
        if self.warn_below is None:
            return []
        return [p for p in self.people if p.accuracy is not None and p.accuracy < self.warn_below]

    def warnings(self) -> list[str]:
        """One line per annotator under the threshold, for the lead."""
        return [
            f"{p.annotator}: accuracy {p.accuracy:.2f} on {p.checks} check"
            f"{'s' if p.checks != 1 else ''} is below {self.warn_below:.2f}"
            for p in self.below()
            if p.accuracy is not None and self.warn_below is not None
        ]

    def as_json(self) -> dict[str, Any]:
        return {
            "items": self.items,
            "rate": self.rate,
            "warn_below": self.warn_below,
            "annotators": {
                p.annotator: {
                    "checks": p.checks,
                    "answered": p.answered,
                    "correct": p.correct,
                    "accuracy": p.accuracy,
                    "below": p in self.below(),
                    "tasks": {
                        t: {"answered": s.answered, "correct": s.correct, "accuracy": s.accuracy}
                        for t, s in p.tasks.items()
                    },
                }
                for p in self.people
            },
            "warnings": self.warnings(),
        }


def score_checks(
    task_types: Mapping[str, str],
    known: Mapping[int, Mapping[str, Any]],
    answers: Iterable[tuple[str, int, str, Mapping[str, Any]]],
    *,
    settings: Any = None,
) -> CheckReport:
    """`known`: unit -> {task: known value}; `answers`: (annotator, unit, status, values);
    `settings`: anything with ``rate`` and ``warn_below`` (the project's check settings).
    Tasks not in `task_types` (gone from the schema) are not scored."""
    report = CheckReport(
        items=len(known),
        rate=getattr(settings, "rate", 0.0),
        warn_below=getattr(settings, "warn_below", None),
    )
    people: dict[str, PersonScore] = {}
    for who, unit, status, values in answers:
        truth = known.get(unit)
        if truth is None or status != "done":
            continue
        person = people.setdefault(who, PersonScore(who))
        person.checks += 1
        for task, expected in truth.items():
            kind = task_types.get(task)
            match = MATCHERS.get(kind) if kind is not None else None
            if match is None or not given(expected):
                continue
            score = person.tasks.setdefault(task, TaskScore())
            score.answered += 1
            value = values.get(task)
            score.correct += given(value) and match(value, expected)
    report.people = sorted(people.values(), key=lambda p: p.annotator)
    return report
