"""Typed, validated schema objects. Built only by the loader; everything else reads them."""

from annotator.schema.builtin import BUILTIN_SCHEMAS, builtin_schema, default_schema
from annotator.schema.errors import Problem, SchemaError
from annotator.schema.keys import RESERVED_KEYS
from annotator.schema.loader import load_schema, parse_schema
from annotator.schema.model import STANCE_VALUES, Label, Schema, Task

__all__ = [
    "BUILTIN_SCHEMAS",
    "RESERVED_KEYS",
    "STANCE_VALUES",
    "Label",
    "Problem",
    "Schema",
    "SchemaError",
    "Task",
    "builtin_schema",
    "default_schema",
    "load_schema",
    "parse_schema",
]
