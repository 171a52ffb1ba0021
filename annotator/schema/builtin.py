"""The schemas shipped with the package (copies of the repository's ``schemas/*.yaml``).

``schemas/`` at the repository top is the canonical source; ``builtin/`` holds identical copies
so an installed package has them too (a test keeps the two equal).
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from annotator.schema.loader import parse_schema
from annotator.schema.model import Schema

BUILTIN_SCHEMAS: tuple[str, ...] = ("media_bias", "stance", "frames", "bias_quick")
DEFAULT_SCHEMA = "media_bias"


def builtin_text(name: str) -> str:
    if name not in BUILTIN_SCHEMAS:
        raise KeyError(f"no built-in schema {name!r} (built in: {', '.join(BUILTIN_SCHEMAS)})")
    return (files("annotator.schema") / "builtin" / f"{name}.yaml").read_text(encoding="utf-8")


@cache
def builtin_schema(name: str) -> Schema:
    """A shipped schema by name (``media_bias``, ``stance``, ``frames``, ``bias_quick``)."""
    return parse_schema(builtin_text(name), source=f"schemas/{name}.yaml")


def default_schema() -> Schema:
    return builtin_schema(DEFAULT_SCHEMA)
