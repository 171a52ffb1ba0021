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

This module reads the top level and assembles the ``Schema``; ``nodes`` turns YAML nodes into
typed values with their line:col, ``tasks`` reads one task (labels, keys, show_if) and
``crosscheck`` holds the rules across tasks.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from yaml.nodes import Node, ScalarNode

from annotator.schema.crosscheck import cross_check
from annotator.schema.errors import Problem, SchemaError
from annotator.schema.model import Schema
from annotator.schema.nodes import YAML, NodeReader
from annotator.schema.tasks import TaskDraft, build_task, read_task
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
    "lexicon",
)
CONTEXT_KEYS = ("before", "after")
MAX_CONTEXT = 20
MAX_OVERLAP = 100
MAX_PROBLEMS = 50  # enough to fix in one go; more is noise

_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")


def read_schema(r: NodeReader, root: Node | None, text: str) -> Schema | None:
    if root is None:
        r.problems.append(
            Problem(r.source, 1, 1, "the schema is empty; it needs at least `name` and `tasks`")
        )
        return None
    r.check_tags(root)
    if r.problems:  # a foreign tag makes the rest of the document meaningless
        return None
    top = r.mapping(root, "the schema", TOP_KEYS)
    if top is None:
        return None
    for required in ("name", "tasks"):
        if required not in top and required not in r.misspelt:
            r.problem(root, f"the schema needs `{required}`")
    name = r.text(top["name"], "`name`") if "name" in top else None
    description = r.text(top["description"], "`description`") if "description" in top else ""
    guidelines = r.text(top["guidelines"], "`guidelines`") if "guidelines" in top else ""
    language = read_language(r, top.get("language"))
    before, after = read_context(r, top.get("context"))
    overlap = r.integer(top["overlap"], "`overlap`", 1, MAX_OVERLAP) if "overlap" in top else 1
    targets = read_targets(r, top.get("targets"))
    lexicon = read_lexicon_option(r, top.get("lexicon"))
    drafts = read_tasks(r, top.get("tasks"))
    cross_check(r, drafts, bool(targets))
    if r.problems:
        return None
    return Schema(
        name=name or "",
        tasks=tuple(build_task(d) for d in drafts if d.scope == "unit"),
        document_tasks=tuple(build_task(d) for d in drafts if d.scope == "document"),
        description=description or "",
        language=language,
        guidelines=guidelines or "",
        context_before=before,
        context_after=after,
        overlap=overlap or 1,
        targets=targets,
        lexicon=lexicon,
        yaml_text=text,
        content_hash=hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
    )


def read_language(r: NodeReader, node: Node | None) -> str | None:
    if node is None or (isinstance(node, ScalarNode) and node.tag == YAML + "null"):
        return None
    value = r.text(node, "`language`")
    if value is not None and not _LANGUAGE.match(value):
        r.problem(node, f"`language` {value!r} should be a language code like zh, en or zh-Hant")
        return None
    return value


def read_context(r: NodeReader, node: Node | None) -> tuple[int, int]:
    before, after = 2, 1
    if node is None:
        return before, after
    if isinstance(node, ScalarNode):  # short form: one number for both sides
        both = r.integer(node, "`context`", 0, MAX_CONTEXT)
        return (both, both) if both is not None else (before, after)
    ctx = r.mapping(node, "`context`", CONTEXT_KEYS)
    if ctx is None:
        return before, after
    if "before" in ctx:
        before = r.integer(ctx["before"], "`context.before`", 0, MAX_CONTEXT) or 0
    if "after" in ctx:
        after = r.integer(ctx["after"], "`context.after`", 0, MAX_CONTEXT) or 0
    return before, after


def read_lexicon_option(r: NodeReader, node: Node | None) -> str | None:
    """`lexicon`: a file of loaded words (one a line) marked in each sentence; its path,
    relative to the project's folder. The file itself is read when the screen opens."""
    if node is None or (isinstance(node, ScalarNode) and node.tag == YAML + "null"):
        return None
    value = r.text(node, "`lexicon`")
    if value is None:
        return None
    value = value.strip()
    if not value or len(value) > 1000 or any(c in value for c in "\0\n\r"):
        r.problem(node, "`lexicon` should be the path of a word list, like loaded_words.txt")
        return None
    return value


def read_targets(r: NodeReader, node: Node | None) -> tuple[str, ...]:
    if node is None:
        return ()
    items = r.sequence(node, "`targets`")
    if items is None:
        return ()
    out: list[str] = []
    for item in items:
        value = r.text(item, "a target")
        if value is None:
            continue
        value = value.strip()
        if not value:
            r.problem(item, "a target should not be empty")
        elif value in out:
            r.problem(item, f"duplicate target {value!r}")
        else:
            out.append(value)
    if not items:
        r.problem(node, "`targets` is empty; list the targets or leave it out")
    return tuple(out)


def read_tasks(r: NodeReader, node: Node | None) -> list[TaskDraft]:
    if node is None:
        return []
    items = r.sequence(node, "`tasks`")
    if items is None:
        return []
    if not items:
        r.problem(node, "`tasks` is empty; a schema needs at least one task")
    return [d for d in (read_task(r, item) for item in items) if d is not None]


def parse_schema(text: str, source: str = "<schema>") -> Schema:
    """Validate ``text``; raise ``SchemaError`` listing every problem found (up to a limit)."""
    root = compose(text, source)
    reader = NodeReader(source)
    schema = read_schema(reader, root, text)
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
