"""Typed, validated schema objects. Built only by the loader; everything else reads them."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

TaskType = Literal["single", "multi", "scale", "span", "text", "stance"]
AgreementLevel = Literal["nominal", "ordinal", "interval", "ratio"]
Scope = Literal["unit", "document"]  # asked of every sentence, or once per article

# Stance values are fixed by the task type (SemEval-2016 style).
STANCE_VALUES = ("favor", "against", "neutral")


@dataclass(frozen=True)
class Label:
    value: str  # stable identifier stored in the database and exports
    text: str  # what the annotator sees; any language
    key: str | None = None  # keyboard key that picks it
    description: str = ""


@dataclass(frozen=True)
class Task:
    name: str
    type: TaskType
    prompt: str = ""
    required: bool = True
    agreement: AgreementLevel = "nominal"
    labels: tuple[Label, ...] = ()
    show_if: dict[str, tuple[str, ...]] = field(default_factory=dict)  # task -> accepted values
    description: str = ""
    scope: Scope = "unit"

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(label.value for label in self.labels)

    def label(self, value: str) -> Label | None:
        return next((lab for lab in self.labels if lab.value == value), None)


@dataclass(frozen=True)
class Schema:
    name: str
    tasks: tuple[Task, ...]  # asked of every unit (sentence); `scope: unit`, the default
    description: str = ""
    language: str | None = None
    guidelines: str = ""
    context_before: int = 2
    context_after: int = 1
    overlap: int = 1
    targets: tuple[str, ...] = ()
    document_tasks: tuple[Task, ...] = ()  # asked once per document (`scope: document`)
    yaml_text: str = ""  # the exact text it was loaded from
    content_hash: str = ""  # sha256 of yaml_text, hex

    def task(self, name: str) -> Task | None:
        return next((t for t in self.tasks if t.name == name), None)

    @property
    def every_task(self) -> tuple[Task, ...]:
        """The unit tasks, then the document tasks (names are unique across both)."""
        return (*self.tasks, *self.document_tasks)

    def any_task(self, name: str) -> Task | None:
        """A task of either scope."""
        return next((t for t in self.every_task if t.name == name), None)

    def per_document(self) -> Schema:
        """The document tasks as a schema of their own, for code that works on units (the
        agreement figures, gold, exports) to run over documents instead."""
        return replace(self, tasks=self.document_tasks, document_tasks=())

    @property
    def short_hash(self) -> str:
        return self.content_hash[:12]
