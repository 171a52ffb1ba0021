"""Which tasks a set of values shows: the `show_if` rule, in one place for every layer.

A task is shown when each task its `show_if` names is itself shown and holds one of the
accepted values (for a multi-choice task: any of its chosen labels). The rule is read by the
gold computation (over each annotator's values and over the gold of the parents) and by the
agreement figures (only annotators who saw a task answered it).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from annotator.schema.model import Schema

ShowIf = Mapping[str, Mapping[str, Collection[str]]]  # task -> {parent task: accepted values}


def shown(conditions: Mapping[str, Collection[str]], values: Mapping[str, Any]) -> bool:
    """Whether every condition holds for `values` (the parents' own visibility aside)."""
    for other, accepted in conditions.items():
        given = values.get(other)
        if isinstance(given, list):
            if not any(x in accepted for x in given):
                return False
        elif given not in accepted:
            return False
    return True


def parents_first(names: Iterable[str], show_if: ShowIf) -> list[str]:
    """`names` in their order, except that a task comes after every task it depends on
    (show_if chains are acyclic: the schema check refuses cycles)."""
    names = list(names)
    wanted = set(names)
    out: list[str] = []
    placed: set[str] = set()

    def place(task: str, path: tuple[str, ...]) -> None:
        if task in placed or task in path:
            return
        for parent in show_if.get(task, {}):
            if parent in wanted:
                place(parent, (*path, task))
        placed.add(task)
        out.append(task)

    for name in names:
        place(name, ())
    return out


def visible_tasks(order: Iterable[str], show_if: ShowIf, values: Mapping[str, Any]) -> set[str]:
    """The tasks of `order` (parents first) that `values` shows, chains followed."""
    visible: set[str] = set()
    for task in order:
        conditions = show_if.get(task)
        if not conditions or (all(p in visible for p in conditions) and shown(conditions, values)):
            visible.add(task)
    return visible


def show_if_of(schema: Schema) -> dict[str, dict[str, tuple[str, ...]]]:
    """Task -> its show_if, for the tasks that have one."""
    return {t.name: dict(t.show_if) for t in schema.tasks if t.show_if}


def with_parents(schema: Schema, names: Iterable[str]) -> dict[str, str]:
    """Task name -> type for `names` and every task their show_if chains name, parents
    first: what a gold computation over `names` needs."""
    rules = show_if_of(schema)
    types = {t.name: t.type for t in schema.tasks}
    need: list[str] = []
    todo = list(names)
    while todo:
        task = todo.pop()
        if task in need or task not in types:
            continue
        need.append(task)
        todo.extend(rules.get(task, {}))
    in_schema_order = [t.name for t in schema.tasks if t.name in need]
    return {t: types[t] for t in parents_first(in_schema_order, rules)}
