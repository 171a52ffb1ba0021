"""The tables. One module so the whole data model reads at a glance.

Annotations are never destroyed: every create, edit, undo and status change appends an
``AnnotationEvent`` row carrying the values as they were after the change.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, LargeBinary, UniqueConstraint, false
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class Project(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=200)
    # The current schema version. No foreign key: schemaversion already points here, and a
    # cycle of constraints would make table creation order ambiguous.
    schema_version_id: int | None = None
    created_at: datetime = Field(default_factory=utcnow)


class SchemaVersion(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("project_id", "content_hash"),)
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    name: str = Field(max_length=200)
    yaml_text: str
    content_hash: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)


class Document(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("project_id", "content_hash"),)
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")
    source_path: str = ""
    url: str | None = None
    title: str = ""
    outlet: str | None = None
    published: datetime | None = None  # timezone-aware, UTC
    lang: str | None = Field(default=None, max_length=16)
    content_hash: str = Field(max_length=64)
    meta: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    imported_at: datetime = Field(default_factory=utcnow)


class Unit(SQLModel, table=True):
    # Unit ids grow in import order, so (project_id, id) is document order: the queue's index.
    __table_args__ = (
        UniqueConstraint("document_id", "position"),
        Index("ix_unit_project_id_id", "project_id", "id"),
        Index("ix_unit_project_text_hash", "project_id", "text_hash"),
    )
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")
    document_id: int = Field(foreign_key="document.id")
    position: int
    kind: str = Field(max_length=16)  # title | caption | body
    text: str
    text_hash: str = Field(max_length=64)
    # Word tokens, filled lazily the first time a span task needs them.
    tokens: list[str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class Annotator(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=200)
    role: str = Field(default="annotator", max_length=16)  # annotator | lead
    created_at: datetime = Field(default_factory=utcnow)
    # SHA-256 of the personal sign-in token for `annotator serve` (the token itself is shown
    # once and never stored). None: this person cannot sign in from a browser.
    token_hash: str | None = Field(default=None, max_length=64, unique=True, index=True)


class Annotation(SQLModel, table=True):
    """The current state of one annotator's work on one unit."""

    __table_args__ = (
        UniqueConstraint("unit_id", "annotator_id"),
        Index("ix_annotation_annotator_unit", "annotator_id", "unit_id"),
        # Covers the queue's "is this unit open?" probe without reading annotation rows.
        Index("ix_annotation_unit_status_annotator", "unit_id", "status", "annotator_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id")
    annotator_id: int = Field(foreign_key="annotator.id")
    schema_version_id: int = Field(foreign_key="schemaversion.id")
    values: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="done", max_length=16)  # done | skipped | flagged
    comment: str | None = None
    seconds: float | None = None  # time on item
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    # Whether the project's model suggestions were on when this label was given (None: not
    # given on screen, or given before the setting existed), so analyses can tell them apart.
    assisted: bool | None = None
    # An answer to a check item (a unit with a known answer, see `CheckItem`): scored against
    # that answer, never counted as an ordinary label (agreement, review, exports, training).
    is_check: bool = Field(default=False, sa_column_kwargs={"server_default": false()})


class AnnotationEvent(SQLModel, table=True):
    """Append-only audit: one row per change to an annotation."""

    id: int | None = Field(default=None, primary_key=True)
    annotation_id: int | None = Field(default=None, index=True)  # kept after an undo deletes it
    unit_id: int = Field(foreign_key="unit.id", index=True)
    annotator_id: int = Field(foreign_key="annotator.id")
    schema_version_id: int = Field(foreign_key="schemaversion.id")
    action: str = Field(max_length=16)  # create | update | undo
    values: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(max_length=16)
    comment: str | None = None
    at: datetime = Field(default_factory=utcnow)
    # Who made the change when it was not the annotator at the keyboard (e.g. the lead who ran
    # `labels import`), and where the values came from (a file); None for labels given on screen.
    actor: str | None = Field(default=None, max_length=200)
    source: str | None = None
    assisted: bool | None = None  # as on the annotation, at the time of this change


class Adjudication(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("unit_id", "task"),)
    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id")
    task: str = Field(max_length=100)
    value: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    annotator_id: int = Field(foreign_key="annotator.id")  # the lead who decided
    schema_version_id: int | None = Field(default=None, foreign_key="schemaversion.id")
    created_at: datetime = Field(default_factory=utcnow)


class AdjudicationEvent(SQLModel, table=True):
    """Append-only history of adjudications: one row per decision set, changed or cleared.

    ``Adjudication`` holds the current decision (one per unit and task); this keeps every
    earlier one, so changing a decision never destroys the previous one.
    """

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    task: str = Field(max_length=100)
    action: str = Field(max_length=16)  # set | change | clear
    value: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    previous: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    annotator_id: int = Field(foreign_key="annotator.id")  # the lead who decided
    schema_version_id: int | None = Field(default=None, foreign_key="schemaversion.id")
    at: datetime = Field(default_factory=utcnow)


class Lease(SQLModel, table=True):
    """A unit on someone's screen, held for them until ``expires_ms`` (renewed while they work).

    The queue counts live leases with done labels against the schema's overlap, so people who
    start together never get the same unit beyond the overlap. Expiry is wall-clock epoch
    milliseconds: the same on SQLite and PostgreSQL, and cheap to compare.
    """

    __table_args__ = (
        UniqueConstraint("unit_id", "annotator_id"),
        Index("ix_lease_annotator_id", "annotator_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")
    unit_id: int = Field(foreign_key="unit.id")
    annotator_id: int = Field(foreign_key="annotator.id")
    expires_ms: int = Field(sa_column=Column(BigInteger, nullable=False))


class QueuePosition(SQLModel, table=True):
    """Where one annotator's sequential queue stood in one project, so a start on any machine
    is warm: every unit up to ``floor`` was closed for them at audit event ``mark``."""

    project_id: int = Field(foreign_key="project.id", primary_key=True)
    annotator_id: int = Field(foreign_key="annotator.id", primary_key=True)
    overlap: int = 1  # a floor proved at one overlap says nothing at a larger one
    floor: int = 0
    mark: int = 0
    updated_at: datetime = Field(default_factory=utcnow)


class Assignment(SQLModel, table=True):
    """A document the lead gave to an annotator: its units go only to the people it is
    assigned to (a document with no assignment is in the shared pool)."""

    __table_args__ = (
        UniqueConstraint("document_id", "annotator_id"),
        Index("ix_assignment_annotator_id", "annotator_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")
    document_id: int = Field(foreign_key="document.id")
    annotator_id: int = Field(foreign_key="annotator.id")
    created_at: datetime = Field(default_factory=utcnow)


class DocumentAnnotation(SQLModel, table=True):
    """One annotator's answers to the schema's document tasks (`scope: document`) for one
    document: the article's overall stance or framing, asked once, not per sentence."""

    __table_args__ = (UniqueConstraint("document_id", "annotator_id"),)
    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id")
    annotator_id: int = Field(foreign_key="annotator.id", index=True)
    schema_version_id: int = Field(foreign_key="schemaversion.id")
    values: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="done", max_length=16)  # done | skipped
    seconds: float | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class DocumentAnnotationEvent(SQLModel, table=True):
    """Append-only audit of document annotations, as `AnnotationEvent` is for units."""

    id: int | None = Field(default=None, primary_key=True)
    document_annotation_id: int | None = Field(default=None, index=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    annotator_id: int = Field(foreign_key="annotator.id")
    schema_version_id: int = Field(foreign_key="schemaversion.id")
    action: str = Field(max_length=16)  # create | update | skip
    values: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(max_length=16)
    at: datetime = Field(default_factory=utcnow)
    actor: str | None = Field(default=None, max_length=200)
    source: str | None = None


class DocumentAdjudication(SQLModel, table=True):
    """The lead's final value for a document task, as `Adjudication` is for a unit's task."""

    __table_args__ = (UniqueConstraint("document_id", "task"),)
    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id")
    task: str = Field(max_length=100)
    value: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    annotator_id: int = Field(foreign_key="annotator.id")  # the lead who decided
    schema_version_id: int | None = Field(default=None, foreign_key="schemaversion.id")
    created_at: datetime = Field(default_factory=utcnow)


class DocumentAdjudicationEvent(SQLModel, table=True):
    """Append-only history of document adjudications, as `AdjudicationEvent` is for units."""

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    task: str = Field(max_length=100)
    action: str = Field(max_length=16)  # set | change | clear
    value: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    previous: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    annotator_id: int = Field(foreign_key="annotator.id")
    schema_version_id: int | None = Field(default=None, foreign_key="schemaversion.id")
    at: datetime = Field(default_factory=utcnow)


class AssistSetting(SQLModel, table=True):
    """A project's assistance settings: in the store, so they follow the project, not a
    person's machine (they change the data: every label records whether suggestions were on)."""

    project_id: int = Field(foreign_key="project.id", primary_key=True)
    suggestions: bool = False  # show the model's guess beside each task (off: it can bias)
    explore: float = 0.2  # share of random units in the uncertain and balanced queue orders
    updated_at: datetime = Field(default_factory=utcnow)


class AssistModel(SQLModel, table=True):
    """The model for one task of a project, trained on the project's own labels: the newest
    only (a new training replaces it). ``weights`` holds plain arrays (numpy's npz, no pickle),
    so a store never carries code and a model outlives a scikit-learn upgrade."""

    __table_args__ = (UniqueConstraint("project_id", "task"),)
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")
    task: str = Field(max_length=100)
    task_type: str = Field(max_length=16)
    schema_version_id: int = Field(foreign_key="schemaversion.id")
    label_count: int  # units it learnt from (one gold value each)
    # The done annotations it learnt from, and the newest audit event at the time: together
    # they say exactly which labels (and adjudications) the model has seen.
    label_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    event_mark: int = 0
    # Newest-fifth check (trained on the older labels, scored on the newer): None when too few.
    accuracy: float | None = None
    macro_f1: float | None = None
    seconds: float = 0.0  # training time
    weights: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    trained_at: datetime = Field(default_factory=utcnow)


class AssistScore(SQLModel, table=True):
    """How sure the project's models are about each open unit, for the uncertain and balanced
    queue orders (refreshed by each training): the least sure of the tasks, and the largest
    likelihood of a task's rare labels."""

    __table_args__ = (
        Index("ix_assistscore_project_confidence", "project_id", "confidence"),
        Index("ix_assistscore_project_minority", "project_id", "minority"),
    )
    project_id: int = Field(foreign_key="project.id", primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", primary_key=True)
    confidence: float
    minority: float


class CheckItem(SQLModel, table=True):
    """A unit with a known answer, mixed into every annotator's queue to measure their
    accuracy. Answers given to it after it became a check are marked (``is_check``)."""

    __table_args__ = (UniqueConstraint("unit_id"), Index("ix_checkitem_project_id", "project_id"))
    id: int | None = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")
    unit_id: int = Field(foreign_key="unit.id")
    values: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    source: str = Field(max_length=16)  # imported | adjudicated
    created_by: str | None = Field(default=None, max_length=200)
    origin: str | None = None  # the file an imported check came from
    created_at: datetime = Field(default_factory=utcnow)


class CheckSetting(SQLModel, table=True):
    """A project's check settings: in the store, so every annotator's queue uses the same."""

    project_id: int = Field(foreign_key="project.id", primary_key=True)
    rate: float = 0.05  # share of the units handed out that are checks
    warn_below: float | None = None  # accuracy under which the lead is warned (None: never)
    updated_at: datetime = Field(default_factory=utcnow)
