"""Compose YAML into a node tree (keeping line and column) with limits for hostile input.

We never construct Python objects from the YAML: the loader reads the nodes itself, so no tag
can run code, and the limits below make bad input fail fast with one clear line.
"""

from __future__ import annotations

import yaml
from yaml.events import AliasEvent, CollectionStartEvent, NodeEvent
from yaml.nodes import Node

from annotator.schema.errors import Problem, SchemaError

MAX_BYTES = 1_000_000  # a real schema is a few KB
MAX_DEPTH = 16  # the format itself needs 6 levels
MAX_NODES = 20_000  # a 15-frame schema has ~150; a 1 MB list of tiny items would have 300,000


class _LimitedLoader(yaml.SafeLoader):
    """SafeLoader's composer with aliases refused and nesting capped.

    Anchors and aliases are refused outright: a schema has no use for them, and refusing them
    removes alias bombs ("billion laughs") entirely rather than merely bounding them.
    """

    def __init__(self, stream: str, source: str) -> None:
        super().__init__(stream)
        self._source = source
        self._depth = 0
        self._nodes = 0

    def _fail(self, event: yaml.events.Event, message: str) -> None:
        mark = event.start_mark
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
        raise SchemaError([Problem(self._source, line, col, message)])

    def compose_node(self, parent: Node | None, index: int) -> Node | None:  # type: ignore[override]
        event = self.peek_event()
        self._nodes += 1
        if self._nodes > MAX_NODES:
            self._fail(event, f"more than {MAX_NODES:,} YAML values; a schema never needs that")
        if isinstance(event, AliasEvent) or (isinstance(event, NodeEvent) and event.anchor):
            self._fail(event, "YAML anchors and aliases (&name, *name) are not allowed in a schema")
        if isinstance(event, CollectionStartEvent):
            self._depth += 1
            if self._depth > MAX_DEPTH:
                self._fail(
                    event, f"nested deeper than {MAX_DEPTH} levels; a schema never needs that"
                )
            try:
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1
        return super().compose_node(parent, index)


def _position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, col


def check_size(size: int, source: str) -> None:
    if size > MAX_BYTES:
        raise SchemaError(
            [
                Problem(
                    source, 1, 1, f"file is {size:,} bytes; a schema may be at most {MAX_BYTES:,}"
                )
            ]
        )


def compose(text: str, source: str) -> Node | None:
    """The document's root node (None for an empty document); SchemaError on bad YAML."""
    check_size(len(text.encode("utf-8", "surrogatepass")), source)
    loader = None
    try:
        loader = _LimitedLoader(text, source)
        return loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = exc.problem or exc.context or "not valid YAML"
        if exc.context and what.startswith("but "):
            what = f"{exc.context}, {what}"
        if "'\\t'" in what:
            what += " (indent with spaces, not tabs)"
        if "block" in what or "mapping values" in what:
            what += " (check the indentation and the colons)"
        raise SchemaError([Problem(source, line, col, f"YAML syntax error: {what}")]) from None
    except yaml.reader.ReaderError as exc:
        line, col = _position(text, exc.position)
        raise SchemaError(
            [Problem(source, line, col, f"character U+{exc.character:04X} is not allowed in YAML")]
        ) from None
    except RecursionError:
        raise SchemaError([Problem(source, 1, 1, "nested too deeply")]) from None
    finally:
        if loader is not None:
            loader.dispose()
