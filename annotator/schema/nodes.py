"""Composed YAML nodes -> typed values, each problem recorded with the node's line and column.

Knows YAML, not the schema format: the rules for tasks, labels and the whole schema live in
``tasks``, ``crosscheck`` and ``loader``, which read through a ``NodeReader``.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from annotator.schema.errors import Problem

_IDENT = re.compile(r"^\w[\w.\-]*$")
YAML = "tag:yaml.org,2002:"
_SCALAR_TAGS = {YAML + t for t in ("str", "int", "float", "bool", "null", "timestamp")}
_ALLOWED_TAGS = _SCALAR_TAGS | {YAML + "seq", YAML + "map"}


def suggest(word: str, candidates: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def where(first: Node, here: Node) -> str:
    """Where the first of two duplicates is, precise enough to find on a one-line list."""
    line, col = first.start_mark.line + 1, first.start_mark.column + 1
    return f"line {line}" if line != here.start_mark.line + 1 else f"line {line}, column {col}"


def kind(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    tag = node.tag.removeprefix(YAML)
    return {"null": "nothing", "bool": "true/false", "int": "a number", "float": "a number"}.get(
        tag, f"{node.value!r}"
    )


class NodeReader:
    """Reads nodes into typed values; collects every problem instead of stopping at one."""

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
            tag = node.tag.replace(YAML, "!!", 1)
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
            self.problem(node, f"{what} should be a mapping of keys, got {kind(node)}")
            return None
        out: dict[str, Node] = {}
        keys: dict[str, Node] = {}
        self.misspelt = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag == YAML + "null":
                self.problem(key_node, f"keys in {what} should be words, got {kind(key_node)}")
                continue
            key = key_node.value
            if key in keys:
                first = where(keys[key], key_node)
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
            self.problem(node, f"{what} should be a mapping like {{task: value}}, got {kind(node)}")
            return None
        out: list[tuple[Node, str, Node]] = []
        seen: set[str] = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag == YAML + "null":
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
            self.problem(node, f"{what} should be a list, got {kind(node)}")
            return None
        return list(node.value)

    def text(self, node: Node, what: str) -> str | None:
        """Any scalar but null, as written: `yes` stays "yes", `1` stays "1"."""
        if not isinstance(node, ScalarNode) or node.tag == YAML + "null":
            self.problem(node, f"{what} should be text, got {kind(node)}")
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
        if isinstance(node, ScalarNode) and node.tag == YAML + "bool":
            return node.value.lower() in ("yes", "true", "on")
        self.problem(node, f"{what} should be true or false, got {kind(node)}")
        return None

    def integer(self, node: Node, what: str, low: int, high: int) -> int | None:
        if (
            isinstance(node, ScalarNode)
            and node.tag == YAML + "int"
            and re.fullmatch(r"[-+]?\d+", node.value)
        ):
            # Compared as text first: Python refuses to read a number of over 4,300 digits.
            digits = node.value.lstrip("+-").lstrip("0")
            value = int(node.value) if len(digits) <= 18 else None
            if value is not None and low <= value <= high:
                return value
            shown = node.value if len(node.value) <= 24 else node.value[:20] + "…"
            self.problem(node, f"{what} should be between {low} and {high}, got {shown}")
            return None
        self.problem(node, f"{what} should be a whole number, got {kind(node)}")
        return None

    def choice(self, node: Node, what: str, options: tuple[str, ...]) -> str | None:
        value = self.text(node, what)
        if value is None:
            return None
        if value not in options:
            self.problem(
                node,
                f"{what} {value!r} is not one of {', '.join(options)}{suggest(value, options)}",
            )
            return None
        return value
