"""Checks across tasks: unique names, stance tasks need targets, show_if names a real choice
task and its values, and no show_if cycles."""

from __future__ import annotations

from annotator.schema.nodes import NodeReader, suggest, where
from annotator.schema.tasks import CHOICE_TYPES, TaskDraft


def cross_check(r: NodeReader, drafts: list[TaskDraft], has_targets: bool) -> None:
    by_name: dict[str, TaskDraft] = {}
    for d in drafts:
        if d.name is None or d.name_node is None:
            continue
        if d.name in by_name:
            first = by_name[d.name].name_node or by_name[d.name].node
            r.problem(
                d.name_node,
                f"duplicate task name {d.name!r} (first on {where(first, d.name_node)})",
            )
            continue
        by_name[d.name] = d
    for d in drafts:
        if d.type == "stance" and not has_targets and d.type_node is not None:
            r.problem(
                d.type_node,
                f"task {d.name!r} is a stance task; list the schema's `targets` "
                "(e.g. targets: [中国, 美国])",
            )
    edges: dict[str, list[str]] = {}
    for d in drafts:
        for key_node, task, values in d.show_if:
            other = by_name.get(task)
            if other is None:
                r.problem(
                    key_node, f"`show_if` names unknown task {task!r}{suggest(task, by_name)}"
                )
                continue
            if task == d.name:
                r.problem(key_node, f"task {task!r} cannot depend on itself")
                continue
            if other.type not in CHOICE_TYPES:
                if other.type is not None:
                    r.problem(
                        key_node,
                        f"`show_if` can only depend on a {_either(CHOICE_TYPES)} task; "
                        f"{task!r} is {other.type}",
                    )
                continue
            known = [lab.value for lab in other.labels]
            for value_node, value in values:
                if value not in known and other.labels:
                    r.problem(
                        value_node,
                        f"task {task!r} has no value {value!r}"
                        f"{suggest(value, known).replace(' (', '; ').rstrip(')')} "
                        f"(values: {', '.join(known)})",
                    )
            if d.name is not None:
                edges.setdefault(d.name, []).append(task)
    check_cycles(r, edges, by_name)


def check_cycles(r: NodeReader, edges: dict[str, list[str]], by_name: dict[str, TaskDraft]) -> None:
    reported: set[frozenset[str]] = set()
    for start in by_name:
        stack = [(start, [start])]
        while stack:
            name, path = stack.pop()
            for nxt in edges.get(name, []):
                if nxt == start:
                    members = frozenset(path)
                    if members not in reported:
                        reported.add(members)
                        node = by_name[start].show_if_node or by_name[start].node
                        r.problem(node, f"`show_if` cycle: {' -> '.join([*path, start])}")
                elif nxt not in path:
                    stack.append((nxt, [*path, nxt]))


def _either(names: tuple[str, ...]) -> str:
    return ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]
