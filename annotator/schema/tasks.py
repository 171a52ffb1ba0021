"""One task as written -> a ``TaskDraft`` (its labels, keys and show_if read and checked),
and a draft that passed every check -> a ``Task``.

Drafts keep their nodes so the checks across tasks (``crosscheck``) can point at them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import get_args

from yaml.nodes import Node, ScalarNode, SequenceNode

from annotator.schema.keys import KEY_USES, normalise_key
from annotator.schema.kinds import KINDS, SHOW_IF_PARENTS
from annotator.schema.model import STANCE_VALUES, AgreementLevel, Label, Task, TaskType
from annotator.schema.nodes import NodeReader, suggest, where

TASK_KEYS = ("name", "type", "prompt", "required", "agreement", "labels", "show_if", "description")
LABEL_KEYS = ("value", "text", "key", "description")
TASK_TYPES: tuple[str, ...] = tuple(KINDS)
AGREEMENT_LEVELS: tuple[str, ...] = get_args(AgreementLevel)
CHOICE_TYPES = SHOW_IF_PARENTS  # show_if may depend on them
DEFAULT_KEYS = "1234567890"


@dataclass
class TaskDraft:
    """A task as read, with the nodes the cross-task checks point at."""

    node: Node
    name: str | None = None
    name_node: Node | None = None
    type: str | None = None
    type_node: Node | None = None
    prompt: str = ""
    required: bool | None = None
    agreement: str | None = None
    labels: list[Label] = field(default_factory=list)
    labels_node: Node | None = None
    show_if: list[tuple[Node, str, list[tuple[Node, str]]]] = field(default_factory=list)
    show_if_node: Node | None = None
    description: str = ""


def read_task(r: NodeReader, node: Node) -> TaskDraft | None:
    fields = r.mapping(node, "a task", TASK_KEYS)
    if fields is None:
        return None
    draft = TaskDraft(node=node)
    misspelt = r.misspelt
    if "name" not in fields:
        if "name" not in misspelt:
            r.problem(node, "this task needs a `name`")
    else:
        draft.name_node = fields["name"]
        draft.name = r.ident(fields["name"], "task name")
    label = f"task {draft.name!r}" if draft.name else "this task"
    if "type" not in fields:
        if "type" not in misspelt:
            r.problem(node, f"{label} needs a `type` ({' | '.join(TASK_TYPES)})")
    else:
        draft.type_node = fields["type"]
        draft.type = r.choice(fields["type"], "task type", TASK_TYPES)
    if "prompt" in fields:
        draft.prompt = r.text(fields["prompt"], "`prompt`") or ""
    if "description" in fields:
        draft.description = r.text(fields["description"], "`description`") or ""
    if "required" in fields:
        draft.required = r.boolean(fields["required"], "`required`")
    if "agreement" in fields:
        draft.agreement = r.choice(fields["agreement"], "agreement level", AGREEMENT_LEVELS)
    if "labels" in fields:
        draft.labels_node = fields["labels"]
        draft.labels = read_labels(r, fields["labels"], draft, label)
    elif draft.type in KINDS and KINDS[draft.type].labels == "required":
        if "labels" not in misspelt:
            r.problem(node, f"{label} ({draft.type}) needs `labels`")
    elif draft.type == "stance":
        draft.labels = [
            Label(value=v, text=v, key=DEFAULT_KEYS[i]) for i, v in enumerate(STANCE_VALUES)
        ]
    if "show_if" in fields:
        draft.show_if_node = fields["show_if"]
        draft.show_if = read_show_if(r, fields["show_if"])
    return draft


def read_labels(r: NodeReader, node: Node, draft: TaskDraft, label: str) -> list[Label]:
    if draft.type in KINDS and KINDS[draft.type].labels == "none":
        r.problem(node, f"{label} is a {draft.type} task; {draft.type} tasks take no `labels`")
        return []
    items = r.sequence(node, "`labels`")
    if items is None:
        return []
    if not items:
        r.problem(node, f"{label} has an empty label list")
        return []
    least = KINDS[draft.type].min_labels if draft.type in KINDS else 1
    if len(items) < least:
        r.problem(
            node, f"{label} is a {draft.type} and needs at least {least} labels, got {len(items)}"
        )
    read: list[tuple[Node, str, str, str | None, Node | None, str]] = []
    values: dict[str, Node] = {}
    for item in items:
        parsed = read_label(r, item)
        if parsed is None:
            continue
        value, text, key, key_node, desc = parsed
        if value in values:
            first = where(values[value], item)
            r.problem(item, f"duplicate label value {value!r} in {label} (first on {first})")
            continue
        values[value] = item
        read.append((item, value, text, key, key_node, desc))
    if draft.type == "stance":
        for item, value, *_ in read:
            if value not in STANCE_VALUES:
                r.problem(
                    item,
                    f"stance labels are {', '.join(STANCE_VALUES)}; {value!r} is not one"
                    f"{suggest(value, STANCE_VALUES)}",
                )
        missing = [v for v in STANCE_VALUES if v not in values]
        if missing:
            r.problem(node, f"{label} lacks the stance label(s) {', '.join(missing)}")
    # Keys: explicit ones first, then defaults 1-9, 0 to the rest, skipping taken ones.
    taken: dict[str, str] = {}
    for _item, value, _text, key, key_node, _desc in read:
        if key is None or key_node is None:
            continue
        if key in KEY_USES:
            r.problem(
                key_node,
                f"key {key!r} is kept by the annotation UI ({KEY_USES[key]}); choose another",
            )
        elif key in taken:
            r.problem(
                key_node,
                f"key {key!r} is on two labels of {label}: {taken[key]!r} and {value!r}",
            )
        else:
            taken[key] = value
    free = iter(k for k in DEFAULT_KEYS if k not in taken)
    return [
        Label(
            value=value,
            text=text,
            key=key if key is not None else next(free, None),
            description=desc,
        )
        for _item, value, text, key, _key_node, desc in read
    ]


def read_label(r: NodeReader, node: Node) -> tuple[str, str, str | None, Node | None, str] | None:
    if isinstance(node, ScalarNode):  # short form: the value is also the text
        value = r.ident(node, "label value")
        return (value, value, None, None, "") if value is not None else None
    fields = r.mapping(node, "a label", LABEL_KEYS)
    if fields is None:
        return None
    if "value" not in fields:
        r.problem(node, "this label needs a `value`")
        return None
    value = r.ident(fields["value"], "label value")
    if value is None:
        return None
    text = r.text(fields["text"], "label `text`") if "text" in fields else value
    key: str | None = None
    key_node = fields.get("key")
    if key_node is not None:
        raw = r.text(key_node, "label `key`")
        if raw is not None:
            if raw != " " and (not raw or any(c.isspace() for c in raw)):
                r.problem(key_node, f"label `key` {raw!r} is not a key name")
            else:
                key = normalise_key(raw)
    desc = r.text(fields["description"], "label `description`") if "description" in fields else ""
    return value, text or value, key, key_node, desc or ""


def read_show_if(r: NodeReader, node: Node) -> list[tuple[Node, str, list[tuple[Node, str]]]]:
    pairs = r.free_mapping(node, "`show_if`")
    if pairs is None:
        return []
    if not pairs:
        r.problem(node, "`show_if` is empty; name a task and the value(s) that show this one")
    out = []
    for key_node, task, value_node in pairs:
        if isinstance(value_node, SequenceNode):
            if not value_node.value:
                r.problem(value_node, f"`show_if` lists no values of {task!r}")
                continue
            values = [(v, r.text(v, "a `show_if` value")) for v in value_node.value]
        else:
            values = [(value_node, r.text(value_node, "a `show_if` value"))]
        out.append((key_node, task, [(n, v) for n, v in values if v is not None]))
    return out


def build_task(d: TaskDraft) -> Task:
    task_type: TaskType = d.type  # type: ignore[assignment]
    kind = KINDS[task_type]
    required = d.required if d.required is not None else kind.required
    agreement = d.agreement or kind.agreement
    show_if = {task: tuple(dict.fromkeys(v for _n, v in values)) for _k, task, values in d.show_if}
    return Task(
        name=d.name or "",
        type=task_type,
        prompt=d.prompt,
        required=required,
        agreement=agreement,  # type: ignore[arg-type]
        labels=tuple(d.labels),
        show_if=show_if,
        description=d.description,
    )
