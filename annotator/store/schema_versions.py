"""Schema versions of a project: record them, read them back, change the current one safely.

Every version's YAML text is kept, so labels made under an old version stay readable after the
project moves on. Functions flush but never commit: the caller owns the transaction.

Annotation values are stored per task as the UI writes them: ``single``/``scale`` a value,
``multi`` a list of values, ``stance`` a mapping target -> value, ``span`` a list of spans
(dicts that may carry a ``label``), ``text`` free text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlmodel import Session, select

from annotator.schema.errors import SchemaError
from annotator.schema.kinds import KINDS
from annotator.schema.loader import parse_schema
from annotator.schema.model import Schema, Task
from annotator.schema.values import given
from annotator.store.engine import StoreError
from annotator.store.models import Adjudication, Annotation, Project, SchemaVersion, Unit


class SchemaChangeRefused(StoreError):
    """`set_schema` would orphan labels; ``orphans`` holds one line per lost task or value."""

    def __init__(self, orphans: list[str]) -> None:
        self.orphans = orphans
        super().__init__(
            f"the new schema would orphan existing labels ({len(orphans)} problem"
            f"{'s' if len(orphans) != 1 else ''}); use --force to change it anyway"
        )


@dataclass
class SchemaChange:
    version: SchemaVersion
    changed: bool  # False when the project already used exactly this text
    orphans: list[str] = field(default_factory=list)  # lines accepted with force=True


def record_schema_version(session: Session, project: Project, schema: Schema) -> SchemaVersion:
    """The project's version row for this exact text, created if new (it does not switch to it)."""
    if project.id is None:
        session.flush()
    existing = session.exec(
        select(SchemaVersion).where(
            SchemaVersion.project_id == project.id,
            SchemaVersion.content_hash == schema.content_hash,
        )
    ).first()
    if existing is not None:
        return existing
    version = SchemaVersion(
        project_id=project.id,  # type: ignore[arg-type]
        name=schema.name,
        yaml_text=schema.yaml_text,
        content_hash=schema.content_hash,
    )
    session.add(version)
    session.flush()
    return version


@lru_cache(maxsize=64)
def _parse(text: str, source: str) -> Schema:
    return parse_schema(text, source)  # texts are immutable per hash, so caching is safe


def schema_of_version(version: SchemaVersion) -> Schema:
    """The Schema a stored version was recorded with."""
    try:
        return _parse(version.yaml_text, f"<schema version {version.id} {version.name}>")
    except SchemaError as exc:  # only if validation rules tightened after it was stored
        raise StoreError(
            f"stored schema version {version.id} ({version.name}) no longer validates: "
            f"{exc.problems[0]}"
        ) from None


def schema_version(session: Session, version_id: int) -> Schema:
    version = session.get(SchemaVersion, version_id)
    if version is None:
        raise StoreError(f"no schema version {version_id} in this store")
    return schema_of_version(version)


def list_schema_versions(session: Session, project_id: int) -> list[SchemaVersion]:
    return list(
        session.exec(
            select(SchemaVersion)
            .where(SchemaVersion.project_id == project_id)
            .order_by(SchemaVersion.id)  # type: ignore[arg-type]
        )
    )


def current_schema(session: Session, project: Project) -> Schema:
    if project.schema_version_id is None:
        raise StoreError(
            f"project {project.name!r} has no schema yet: run `annotator schema set FILE`"
        )
    return schema_version(session, project.schema_version_id)


def _shape(task_type: str) -> str | None:
    """The stored shape of a type an old version used (kinds of one shape read each other's
    values: a single task may become a scale)."""
    kind = KINDS.get(task_type)
    return kind.shape if kind else None


def _values_in(task_type: str, value: Any) -> Iterator[str]:
    """The label values inside one stored task value (see the module docstring)."""
    if isinstance(value, str):
        if _shape(task_type) != "text":
            yield value
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, str):
                yield item
            elif isinstance(item, dict) and isinstance(item.get("label"), str):
                yield item["label"]
    elif isinstance(value, dict):
        for item in value.values():
            if isinstance(item, str):
                yield item


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _use(n: int) -> str:
    return "uses" if n == 1 else "use"


def orphaned_labels(session: Session, project_id: int, new_schema: Schema) -> list[str]:
    """One line per task, value or target that stored labels use and ``new_schema`` lacks."""
    tasks_used: Counter[str] = Counter()  # task -> annotations using it
    values_used: Counter[tuple[str, str]] = Counter()  # (task, value) -> annotations
    targets_used: Counter[tuple[str, str]] = Counter()  # (stance task, target) -> annotations
    gold_used: Counter[str] = Counter()  # task -> adjudications
    retyped: Counter[tuple[str, str]] = Counter()  # (task, stored type) -> annotations
    type_of: dict[int, dict[str, str]] = {}  # version id -> task -> type when it was stored

    def types(version_id: int) -> dict[str, str]:
        if version_id not in type_of:
            try:
                old = schema_version(session, version_id)
                type_of[version_id] = {t.name: t.type for t in old.tasks}
            except StoreError:
                type_of[version_id] = {}
        return type_of[version_id]

    rows = session.exec(
        select(Annotation.schema_version_id, Annotation.values)
        .join(Unit, Unit.id == Annotation.unit_id)  # type: ignore[arg-type]
        .where(Unit.project_id == project_id)
    ).yield_per(1000)
    for version_id, values in rows:
        old_types = types(version_id)
        for task_name, value in (values or {}).items():
            if not given(value):
                continue
            tasks_used[task_name] += 1
            old_type = old_types.get(task_name, "single")
            new_task = new_schema.task(task_name)
            if new_task is not None and _shape(old_type) != KINDS[new_task.type].shape:
                retyped[task_name, old_type] += 1
            for label in set(_values_in(old_type, value)):
                values_used[task_name, label] += 1
            if old_type == "stance" and isinstance(value, dict):
                for target, stance in value.items():
                    if given(stance):
                        targets_used[task_name, target] += 1
    for task_name, value in session.exec(
        select(Adjudication.task, Adjudication.value)
        .join(Unit, Unit.id == Adjudication.unit_id)  # type: ignore[arg-type]
        .where(Unit.project_id == project_id)
    ):
        if given(value):
            gold_used[task_name] += 1

    lines: list[str] = []
    for task_name, n in sorted(tasks_used.items()):
        new_task = new_schema.task(task_name)
        if new_task is None:
            lines.append(f"task {task_name!r} removed but {_plural(n, 'annotation')} {_use(n)} it")
            continue
        lines.extend(_lost_values(new_task, values_used, targets_used, new_schema))
    for (task_name, old_type), n in sorted(retyped.items()):
        new_type = new_schema.task(task_name).type  # type: ignore[union-attr]
        lines.append(
            f"task {task_name!r} changes type from {old_type} to {new_type} but "
            f"{_plural(n, 'annotation')} {'holds' if n == 1 else 'hold'} {old_type} values"
        )
    for task_name, n in sorted(gold_used.items()):
        if new_schema.task(task_name) is None:
            lines.append(
                f"task {task_name!r} removed but {_plural(n, 'adjudication')} {_use(n)} it"
            )
    return lines


def _lost_values(
    task: Task,
    values_used: Counter[tuple[str, str]],
    targets_used: Counter[tuple[str, str]],
    schema: Schema,
) -> list[str]:
    lines = []
    if task.labels:
        for (name, value), n in sorted(values_used.items()):
            if name == task.name and task.label(value) is None:
                lines.append(
                    f"value {value!r} of task {name!r} removed but used by "
                    f"{_plural(n, 'annotation')}"
                )
    if task.type == "stance":
        for (name, target), n in sorted(targets_used.items()):
            if name == task.name and target not in schema.targets:
                lines.append(
                    f"target {target!r} of task {name!r} removed but used by "
                    f"{_plural(n, 'annotation')}"
                )
    return lines


def set_schema(
    session: Session, project: Project, schema: Schema, force: bool = False
) -> SchemaChange:
    """Make ``schema`` the project's current schema.

    Refuses (``SchemaChangeRefused``) when stored labels use a task, value or target the new
    schema drops, unless ``force``; the old version's text stays stored either way.
    """
    if project.schema_version_id is not None:
        current = session.get(SchemaVersion, project.schema_version_id)
        if current is not None and current.content_hash == schema.content_hash:
            return SchemaChange(version=current, changed=False)
    orphans: list[str] = []
    if project.id is not None:
        orphans = orphaned_labels(session, project.id, schema)
    if orphans and not force:
        raise SchemaChangeRefused(orphans)
    version = record_schema_version(session, project, schema)
    project.schema_version_id = version.id
    session.add(project)
    session.flush()
    return SchemaChange(version=version, changed=True, orphans=orphans)
