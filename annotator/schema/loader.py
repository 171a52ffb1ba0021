"""YAML text -> a validated ``Schema``, or every problem found, each with its line and column.

The format (see ``schemas/README.md`` for the full reference)::

    name: media-bias
    language: zh
    guidelines: |
      ...
    context: {before: 2, after: 1}   # or one number for both
    overlap: 1
    targets: [中国, 美国]             # for stance tasks
    tasks:
      - name: bias
        type: single                 # single | multi | scale | span | text | stance
        labels: [biased, non_biased] # short form: value = text, keys 1-9 then 0
        show_if: {other_task: value} # or {other_task: [v1, v2]}; all conditions must hold

Defaults: ``required`` is true except for ``text`` and ``span`` tasks; ``agreement`` is
``ordinal`` for ``scale`` tasks and ``nominal`` otherwise; stance tasks get the labels
favor/against/neutral on keys 1/2/3 unless they list those three themselves.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import get_args

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from annotator.schema.errors import Problem, SchemaError
from annotator.schema.keys import KEY_USES, normalise_key
from annotator.schema.model import (
    STANCE_VALUES,
    AgreementLevel,
    Label,
    Schema,
    Task,
    TaskType,
)
from annotator.schema.yamlsafe import MAX_BYTES, check_size, compose

TOP_KEYS = (
    "name",
    "description",
    "language",
    "guidelines",
    "context",
    "overlap",
    "targets",
    "tasks",
)
TASK_KEYS = ("name", "type", "prompt", "required", "agreement", "labels", "show_if", "description")
LABEL_KEYS = ("value", "text", "key", "description")
CONTEXT_KEYS = ("before", "after")
TASK_TYPES: tuple[str, ...] = get_args(TaskType)
AGREEMENT_LEVELS: tuple[str, ...] = get_args(AgreementLevel)
CHOICE_TYPES = ("single", "multi", "scale")  # must list labels; show_if may depend on them
DEFAULT_KEYS = "1234567890"
MAX_CONTEXT = 20
MAX_OVERLAP = 100
MAX_PROBLEMS = 50  # enough to fix in one go; more is noise

_IDENT = re.compile(r"^\w[\w.\-]*$")
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")
_YAML = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_YAML + t for t in ("str", "int", "float", "bool", "null", "timestamp")}
_ALLOWED_TAGS = _SCALAR_TAGS | {_YAML + "seq", _YAML + "map"}


def _suggest(word: str, candidates: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _where(first: Node, here: Node) -> str:
    """Where the first of two duplicates is, precise enough to find on a one-line list."""
    line, col = first.start_mark.line + 1, first.start_mark.column + 1
    return f"line {line}" if line != here.start_mark.line + 1 else f"line {line}, column {col}"


def _kind(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    tag = node.tag.removeprefix(_YAML)
    return {"null": "nothing", "bool": "true/false", "int": "a number", "float": "a number"}.get(
        tag, f"{node.value!r}"
    )


@dataclass
class _Draft:
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


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []
        self.misspelt: set[str] = set()  # known keys suggested for unknown ones, last mapping

    # -- reporting -----------------------------------------------------------------------
    def problem(self, node: Node, message: str) -> None:
        mark = node.start_mark
        self.problems.append(Problem(self.source, mark.line + 1, mark.column + 1, message))

    def check_tags(self, node: Node) -> None:
        if node.tag not in _ALLOWED_TAGS:
            tag = node.tag.replace(_YAML, "!!", 1)
            self.problem(node, f"YAML tag {tag} is not allowed in a schema")
            return
        if isinstance(node, SequenceNode):
            for item in node.value:
                self.check_tags(item)
        elif isinstance(node, MappingNode):
            for key, value in node.value:
                self.check_tags(key)
                self.check_tags(value)

    # -- typed access ----------------------------------------------------------------------
    def mapping(self, node: Node, what: str, allowed: tuple[str, ...]) -> dict[str, Node] | None:
        if not isinstance(node, MappingNode):
            self.problem(node, f"{what} should be a mapping of keys, got {_kind(node)}")
            return None
        out: dict[str, Node] = {}
        keys: dict[str, Node] = {}
        self.misspelt = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag == _YAML + "null":
                self.problem(key_node, f"keys in {what} should be words, got {_kind(key_node)}")
                continue
            key = key_node.value
            if key in keys:
                first = _where(keys[key], key_node)
                self.problem(key_node, f"duplicate key {key!r} in {what} (first on {first})")
                continue
            keys[key] = key_node
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                self.misspelt.update(close)
                self.problem(key_node, f"unknown key {key!r} in {what}{hint}")
                continue
            out[key] = value_node
        return out

    def free_mapping(self, node: Node, what: str) -> list[tuple[Node, str, Node]] | None:
        """A mapping whose keys are names chosen by the author (show_if)."""
        if not isinstance(node, MappingNode):
            self.problem(
                node, f"{what} should be a mapping like {{task: value}}, got {_kind(node)}"
            )
            return None
        out: list[tuple[Node, str, Node]] = []
        seen: set[str] = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag == _YAML + "null":
                self.problem(key_node, f"keys in {what} should be task names")
                continue
            if key_node.value in seen:
                self.problem(key_node, f"duplicate key {key_node.value!r} in {what}")
                continue
            seen.add(key_node.value)
            out.append((key_node, key_node.value, value_node))
        return out

    def sequence(self, node: Node, what: str) -> list[Node] | None:
        if not isinstance(node, SequenceNode):
            self.problem(node, f"{what} should be a list, got {_kind(node)}")
            return None
        return list(node.value)

    def text(self, node: Node, what: str) -> str | None:
        """Any scalar but null, as written: `yes` stays "yes", `1` stays "1"."""
        if not isinstance(node, ScalarNode) or node.tag == _YAML + "null":
            self.problem(node, f"{what} should be text, got {_kind(node)}")
            return None
        return str(node.value)

    def ident(self, node: Node, what: str) -> str | None:
        value = self.text(node, what)
        if value is None:
            return None
        if not _IDENT.match(value):
            self.problem(
                node,
                f"{what} {value!r} should be an identifier (letters, digits, _ . -, no spaces); "
                "put free wording in `text` or `prompt`",
            )
            return None
        return value

    def boolean(self, node: Node, what: str) -> bool | None:
        if isinstance(node, ScalarNode) and node.tag == _YAML + "bool":
            return node.value.lower() in ("yes", "true", "on")
        self.problem(node, f"{what} should be true or false, got {_kind(node)}")
        return None

    def integer(self, node: Node, what: str, low: int, high: int) -> int | None:
        if (
            isinstance(node, ScalarNode)
            and node.tag == _YAML + "int"
            and re.fullmatch(r"[-+]?\d+", node.value)
        ):
            value = int(node.value)
            if low <= value <= high:
                return value
            self.problem(node, f"{what} should be between {low} and {high}, got {value}")
            return None
        self.problem(node, f"{what} should be a whole number, got {_kind(node)}")
        return None

    def choice(self, node: Node, what: str, options: tuple[str, ...]) -> str | None:
        value = self.text(node, what)
        if value is None:
            return None
        if value not in options:
            self.problem(
                node,
                f"{what} {value!r} is not one of {', '.join(options)}{_suggest(value, options)}",
            )
            return None
        return value

    # -- the format --------------------------------------------------------------------------
    def schema(self, root: Node | None, text: str) -> Schema | None:
        if root is None:
            self.problems.append(
                Problem(
                    self.source, 1, 1, "the schema is empty; it needs at least `name` and `tasks`"
                )
            )
            return None
        self.check_tags(root)
        if self.problems:  # a foreign tag makes the rest of the document meaningless
            return None
        top = self.mapping(root, "the schema", TOP_KEYS)
        if top is None:
            return None
        for required in ("name", "tasks"):
            if required not in top and required not in self.misspelt:
                self.problem(root, f"the schema needs `{required}`")
        name = self.text(top["name"], "`name`") if "name" in top else None
        description = self.text(top["description"], "`description`") if "description" in top else ""
        guidelines = self.text(top["guidelines"], "`guidelines`") if "guidelines" in top else ""
        language = self.language(top.get("language"))
        before, after = self.context(top.get("context"))
        overlap = (
            self.integer(top["overlap"], "`overlap`", 1, MAX_OVERLAP) if "overlap" in top else 1
        )
        targets = self.targets(top.get("targets"))
        drafts = self.tasks(top.get("tasks"))
        self.cross_checks(drafts, bool(targets))
        if self.problems:
            return None
        return Schema(
            name=name or "",
            tasks=tuple(self.build(d) for d in drafts),
            description=description or "",
            language=language,
            guidelines=guidelines or "",
            context_before=before,
            context_after=after,
            overlap=overlap or 1,
            targets=targets,
            yaml_text=text,
            content_hash=hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
        )

    def language(self, node: Node | None) -> str | None:
        if node is None or (isinstance(node, ScalarNode) and node.tag == _YAML + "null"):
            return None
        value = self.text(node, "`language`")
        if value is not None and not _LANGUAGE.match(value):
            self.problem(
                node, f"`language` {value!r} should be a language code like zh, en or zh-Hant"
            )
            return None
        return value

    def context(self, node: Node | None) -> tuple[int, int]:
        before, after = 2, 1
        if node is None:
            return before, after
        if isinstance(node, ScalarNode):  # short form: one number for both sides
            both = self.integer(node, "`context`", 0, MAX_CONTEXT)
            return (both, both) if both is not None else (before, after)
        ctx = self.mapping(node, "`context`", CONTEXT_KEYS)
        if ctx is None:
            return before, after
        if "before" in ctx:
            before = self.integer(ctx["before"], "`context.before`", 0, MAX_CONTEXT) or 0
        if "after" in ctx:
            after = self.integer(ctx["after"], "`context.after`", 0, MAX_CONTEXT) or 0
        return before, after

    def targets(self, node: Node | None) -> tuple[str, ...]:
        if node is None:
            return ()
        items = self.sequence(node, "`targets`")
        if items is None:
            return ()
        out: list[str] = []
        for item in items:
            value = self.text(item, "a target")
            if value is None:
                continue
            value = value.strip()
            if not value:
                self.problem(item, "a target should not be empty")
            elif value in out:
                self.problem(item, f"duplicate target {value!r}")
            else:
                out.append(value)
        if not items:
            self.problem(node, "`targets` is empty; list the targets or leave it out")
        return tuple(out)

    def tasks(self, node: Node | None) -> list[_Draft]:
        if node is None:
            return []
        items = self.sequence(node, "`tasks`")
        if items is None:
            return []
        if not items:
            self.problem(node, "`tasks` is empty; a schema needs at least one task")
        return [d for d in (self.task(item) for item in items) if d is not None]

    def task(self, node: Node) -> _Draft | None:
        fields = self.mapping(node, "a task", TASK_KEYS)
        if fields is None:
            return None
        draft = _Draft(node=node)
        misspelt = self.misspelt
        if "name" not in fields:
            if "name" not in misspelt:
                self.problem(node, "this task needs a `name`")
        else:
            draft.name_node = fields["name"]
            draft.name = self.ident(fields["name"], "task name")
        label = f"task {draft.name!r}" if draft.name else "this task"
        if "type" not in fields:
            if "type" not in misspelt:
                self.problem(node, f"{label} needs a `type` ({' | '.join(TASK_TYPES)})")
        else:
            draft.type_node = fields["type"]
            draft.type = self.choice(fields["type"], "task type", TASK_TYPES)
        if "prompt" in fields:
            draft.prompt = self.text(fields["prompt"], "`prompt`") or ""
        if "description" in fields:
            draft.description = self.text(fields["description"], "`description`") or ""
        if "required" in fields:
            draft.required = self.boolean(fields["required"], "`required`")
        if "agreement" in fields:
            draft.agreement = self.choice(fields["agreement"], "agreement level", AGREEMENT_LEVELS)
        if "labels" in fields:
            draft.labels_node = fields["labels"]
            draft.labels = self.labels(fields["labels"], draft, label)
        elif draft.type in CHOICE_TYPES and "labels" not in misspelt:
            self.problem(node, f"{label} ({draft.type}) needs `labels`")
        elif draft.type == "stance":
            draft.labels = [
                Label(value=v, text=v, key=DEFAULT_KEYS[i]) for i, v in enumerate(STANCE_VALUES)
            ]
        if "show_if" in fields:
            draft.show_if_node = fields["show_if"]
            draft.show_if = self.show_if(fields["show_if"])
        return draft

    def labels(self, node: Node, draft: _Draft, label: str) -> list[Label]:
        if draft.type == "text":
            self.problem(node, f"{label} is a text task; text tasks take no `labels`")
            return []
        items = self.sequence(node, "`labels`")
        if items is None:
            return []
        if not items:
            self.problem(node, f"{label} has an empty label list")
            return []
        if draft.type == "scale" and len(items) < 2:
            self.problem(node, f"{label} is a scale and needs at least 2 labels, got {len(items)}")
        read: list[tuple[Node, str, str, str | None, Node | None, str]] = []
        values: dict[str, Node] = {}
        for item in items:
            parsed = self.label(item)
            if parsed is None:
                continue
            value, text, key, key_node, desc = parsed
            if value in values:
                first = _where(values[value], item)
                self.problem(item, f"duplicate label value {value!r} in {label} (first on {first})")
                continue
            values[value] = item
            read.append((item, value, text, key, key_node, desc))
        if draft.type == "stance":
            for item, value, *_ in read:
                if value not in STANCE_VALUES:
                    self.problem(
                        item,
                        f"stance labels are {', '.join(STANCE_VALUES)}; {value!r} is not one"
                        f"{_suggest(value, STANCE_VALUES)}",
                    )
            missing = [v for v in STANCE_VALUES if v not in values]
            if missing:
                self.problem(node, f"{label} lacks the stance label(s) {', '.join(missing)}")
        # Keys: explicit ones first, then defaults 1-9, 0 to the rest, skipping taken ones.
        taken: dict[str, str] = {}
        for _item, value, _text, key, key_node, _desc in read:
            if key is None or key_node is None:
                continue
            if key in KEY_USES:
                self.problem(
                    key_node,
                    f"key {key!r} is kept by the annotation UI ({KEY_USES[key]}); choose another",
                )
            elif key in taken:
                self.problem(
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

    def label(self, node: Node) -> tuple[str, str, str | None, Node | None, str] | None:
        if isinstance(node, ScalarNode):  # short form: the value is also the text
            value = self.ident(node, "label value")
            return (value, value, None, None, "") if value is not None else None
        fields = self.mapping(node, "a label", LABEL_KEYS)
        if fields is None:
            return None
        if "value" not in fields:
            self.problem(node, "this label needs a `value`")
            return None
        value = self.ident(fields["value"], "label value")
        if value is None:
            return None
        text = self.text(fields["text"], "label `text`") if "text" in fields else value
        key: str | None = None
        key_node = fields.get("key")
        if key_node is not None:
            raw = self.text(key_node, "label `key`")
            if raw is not None:
                if raw != " " and (not raw or any(c.isspace() for c in raw)):
                    self.problem(key_node, f"label `key` {raw!r} is not a key name")
                else:
                    key = normalise_key(raw)
        desc = (
            self.text(fields["description"], "label `description`")
            if "description" in fields
            else ""
        )
        return value, text or value, key, key_node, desc or ""

    def show_if(self, node: Node) -> list[tuple[Node, str, list[tuple[Node, str]]]]:
        pairs = self.free_mapping(node, "`show_if`")
        if pairs is None:
            return []
        if not pairs:
            self.problem(
                node, "`show_if` is empty; name a task and the value(s) that show this one"
            )
        out = []
        for key_node, task, value_node in pairs:
            if isinstance(value_node, SequenceNode):
                if not value_node.value:
                    self.problem(value_node, f"`show_if` lists no values of {task!r}")
                    continue
                values = [(v, self.text(v, "a `show_if` value")) for v in value_node.value]
            else:
                values = [(value_node, self.text(value_node, "a `show_if` value"))]
            out.append((key_node, task, [(n, v) for n, v in values if v is not None]))
        return out

    # -- checks across tasks ------------------------------------------------------------------
    def cross_checks(self, drafts: list[_Draft], has_targets: bool) -> None:
        by_name: dict[str, _Draft] = {}
        for d in drafts:
            if d.name is None or d.name_node is None:
                continue
            if d.name in by_name:
                first = by_name[d.name].name_node or by_name[d.name].node
                self.problem(
                    d.name_node,
                    f"duplicate task name {d.name!r} (first on {_where(first, d.name_node)})",
                )
                continue
            by_name[d.name] = d
        for d in drafts:
            if d.type == "stance" and not has_targets and d.type_node is not None:
                self.problem(
                    d.type_node,
                    f"task {d.name!r} is a stance task; list the schema's `targets` "
                    "(e.g. targets: [中国, 美国])",
                )
        edges: dict[str, list[str]] = {}
        for d in drafts:
            for key_node, task, values in d.show_if:
                other = by_name.get(task)
                if other is None:
                    self.problem(
                        key_node, f"`show_if` names unknown task {task!r}{_suggest(task, by_name)}"
                    )
                    continue
                if task == d.name:
                    self.problem(key_node, f"task {task!r} cannot depend on itself")
                    continue
                if other.type not in CHOICE_TYPES:
                    if other.type is not None:
                        self.problem(
                            key_node,
                            f"`show_if` can only depend on a single, multi or scale task; "
                            f"{task!r} is {other.type}",
                        )
                    continue
                known = [lab.value for lab in other.labels]
                for value_node, value in values:
                    if value not in known and other.labels:
                        self.problem(
                            value_node,
                            f"task {task!r} has no value {value!r}"
                            f"{_suggest(value, known).replace(' (', '; ').rstrip(')')} "
                            f"(values: {', '.join(known)})",
                        )
                if d.name is not None:
                    edges.setdefault(d.name, []).append(task)
        self.cycles(edges, by_name)

    def cycles(self, edges: dict[str, list[str]], by_name: dict[str, _Draft]) -> None:
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
                            self.problem(node, f"`show_if` cycle: {' -> '.join([*path, start])}")
                    elif nxt not in path:
                        stack.append((nxt, [*path, nxt]))

    def build(self, d: _Draft) -> Task:
        task_type: TaskType = d.type  # type: ignore[assignment]
        required = d.required if d.required is not None else task_type not in ("text", "span")
        agreement = d.agreement or ("ordinal" if task_type == "scale" else "nominal")
        show_if = {
            task: tuple(dict.fromkeys(v for _n, v in values)) for _k, task, values in d.show_if
        }
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


def parse_schema(text: str, source: str = "<schema>") -> Schema:
    """Validate ``text``; raise ``SchemaError`` listing every problem found (up to a limit)."""
    root = compose(text, source)
    reader = _Reader(source)
    schema = reader.schema(root, text)
    if schema is None:
        problems = sorted(reader.problems)
        if len(problems) > MAX_PROBLEMS:
            last = problems[MAX_PROBLEMS - 1]
            more = len(problems) - MAX_PROBLEMS + 1
            problems[MAX_PROBLEMS - 1] = Problem(
                source, last.line, last.col, f"... and {more} more problems; fix these first"
            )
            problems = problems[:MAX_PROBLEMS]
        raise SchemaError(problems)
    return schema


def load_schema(path: str | Path) -> Schema:
    """Read and validate a schema file. The size cap is checked before the file is read."""
    path = Path(path)
    source = str(path)
    try:
        check_size(path.stat().st_size, source)
        with path.open("rb") as fh:
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise SchemaError([Problem(source, 1, 1, f"cannot read: {exc.strerror or exc}")]) from None
    check_size(len(data), source)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise SchemaError(
            [Problem(source, line, col, "not UTF-8 text; save the schema as UTF-8")]
        ) from None
    return parse_schema(text, source)
