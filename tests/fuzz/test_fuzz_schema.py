"""The schema loader on hostile YAML: a Schema, or SchemaError lines `FILE:LINE:COL: what`."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from annotator.schema import SchemaError, load_schema
from tests.fuzz.conftest import files, fuzz
from tests.fuzz.mutate import mutated

SCHEMAS = files("schemas/*.yaml")
YAML_TOKENS = (
    b"tasks:\n",
    b"  - name: x\n",
    b"    type: single\n",
    b"labels:",
    b"key: ",
    b"show_if:",
)


def test_fuzz_schema_loader() -> None:
    fuzz("schema loader", mutated(SCHEMAS, YAML_TOKENS), check)


def check(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "schema.yaml"
        path.write_bytes(data)
        try:
            load_schema(path)
        except SchemaError as exc:
            assert exc.problems
            where = re.compile(rf"{re.escape(str(path))}:\d+:\d+: \S")
            for line in str(exc).split("\n"):
                assert where.match(line), line
