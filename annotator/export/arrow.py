"""Arrow and Parquet for the parquet and hf exports: task values as columns, and the one
Parquet file writer both use.

A task's column holds a list of strings for ``multi``, JSON text for ``span`` and ``stance``
(their shape varies) and text for the rest. pyarrow is imported inside the functions: it is
an extra, and the rest of the package works without it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import IO, Any

COMPRESSION = "zstd"
WRITE_BUFFER = 4 << 20  # bytes held before a Python file is written (see ParquetFile)


# Packages pyarrow imports when they are installed, for what no export does: numpy to
# exchange arrays with numpy (40-90 ms on our 2-core machine, OpenBLAS starting its threads
# included), cloudpickle to pickle Python objects (5-10 ms). See `load_pyarrow_alone`.
NOT_FOR_PYARROW = ("numpy", "cloudpickle")


def load_pyarrow_alone() -> None:
    """Import pyarrow without the packages it would load for nothing (`NOT_FOR_PYARROW`),
    for a process about to write Parquet (the CLI's export): together a sixth of a
    100,000-record Parquet export.

    pyarrow runs without either (numpy since version 16, which the extra asks for): the
    columns are laid out from Python's own buffers (``export.arrow_columns``). So they are
    hidden while pyarrow and what the writers use of it load; afterwards they import as usual
    (the card's agreement uses numpy), but this process's pyarrow never takes numpy values
    (``pa.array`` of a numpy array raises): nothing handed to it here may be one. One loaded
    already stays as it is; nothing is done where pyarrow is loaded, and nothing said where
    it is missing (``check_extra`` says it)."""
    if "pyarrow" in sys.modules:
        return
    hidden = [name for name in NOT_FOR_PYARROW if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # its import: ImportError
    try:
        # All the Parquet writers load, now: each of these modules tries numpy.
        import pyarrow.parquet  # noqa: F401

        from annotator.export.arrow_columns import kernels

        kernels()
    except ImportError:
        pass
    finally:
        for name in hidden:
            del sys.modules[name]


# What a task kind's Parquet/HF column holds (tests/test_kinds_registry.py keeps it whole):
# a list of strings, JSON text (a shape that varies), or one string.
COLUMNS: dict[str, str] = {
    "single": "text",
    "multi": "list",
    "scale": "text",
    "span": "json",
    "stance": "json",
    "text": "text",
}


def task_is_list(kind: str) -> bool:
    """Whether a task's column holds lists of strings (else one string a row)."""
    return COLUMNS[kind] == "list"


def task_column_type(kind: str) -> Any:
    """The Arrow type of a task's column."""
    import pyarrow as pa

    return pa.list_(pa.string()) if task_is_list(kind) else pa.string()


def task_converter(kind: str) -> Callable[[Any], Any]:
    """A task's stored value -> its column value (None stays None)."""
    if task_is_list(kind):
        return lambda v: (
            None if v is None else [str(x) for x in (v if isinstance(v, list) else [v])]
        )
    if COLUMNS[kind] == "json":
        dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        return lambda v: None if v is None else dumps(v)
    return lambda v: None if v is None else str(v)


def record_batch(columns: list[list[Any]], schema: Any) -> Any:
    """Python column lists, in `schema` order, as one record batch of that schema (built
    without ``pa.array``, which would load pandas: see ``arrow_columns``)."""
    import pyarrow as pa

    from annotator.export.arrow_columns import column

    arrays = [column(c, schema.field(i).type) for i, c in enumerate(columns)]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


class ParquetFile:
    """A Parquet file (zstd) written a record batch at a time, each batch one row group;
    counts the rows and the batches' in-memory bytes (the hf card declares both).

        with ParquetFile(sink, schema) as out:
            out.write(batch)
    """

    def __init__(self, sink: str | IO[bytes] | Any, schema: Any) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.schema = schema
        self._buffer = None
        if hasattr(sink, "write"):
            # A Python file is written by pyarrow's C++ through a Python call per page (about
            # 100 per row group), each taking the GIL from the thread reading the store;
            # Arrow's own buffer in between hands the file a few large writes instead.
            raw = pa.PythonFile(sink, mode="w")
            sink = self._buffer = pa.BufferedOutputStream(raw, buffer_size=WRITE_BUFFER)
        self._writer = pq.ParquetWriter(sink, schema, compression=COMPRESSION)
        self.rows = 0
        self.nbytes = 0

    def write(self, batch: Any) -> None:
        self._writer.write_batch(batch, row_group_size=max(batch.num_rows, 1))
        self.rows += batch.num_rows
        self.nbytes += batch.nbytes

    def close(self) -> None:
        self._writer.close()
        if self._buffer is not None:
            self._buffer.detach()  # what it holds, written to the file (left open: its owner's)

    def __enter__(self) -> ParquetFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
