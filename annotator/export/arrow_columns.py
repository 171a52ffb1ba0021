"""Arrow arrays from Python lists, built from their buffers.

``pyarrow.array`` asks, on its first call in a process, whether pandas is installed, and
imports it to find out (0.3-0.45 s of a 100,000-record Parquet export, which never hands
pyarrow a pandas object). The columns our Parquet files hold (int64, float64, bool, string
and list<string>, each with nulls) are simple enough to lay out ourselves: the values and
offsets through the standard ``array`` module, validity bitmaps through numpy (which
pyarrow loads in any case), and ``pa.Array.from_buffers``, which imports nothing. The arrays
hold the same values ``pyarrow.array`` would give (a test holds them equal), so the files are
the same bytes.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from itertools import accumulate, chain, repeat
from operator import is_not
from typing import Any


def column(values: Sequence[Any], type_: Any) -> Any:
    """`values` (None: null) as an Arrow array of `type_`, as ``pa.array(values, type_)``
    gives it, for int64, float64, bool, string and list<string>."""
    import pyarrow as pa

    n = len(values)
    valid = _validity(values) if None in values else None
    if pa.types.is_string(type_):
        return _strings(values, n, valid)
    if pa.types.is_list(type_) and pa.types.is_string(type_.value_type):
        lists = values if valid is None else [() if v is None else v for v in values]
        items = list(chain.from_iterable(lists))
        child = _strings(items, -1, _validity(items) if None in items else None)
        offsets = array("i", accumulate(map(len, lists), initial=0))
        return pa.Array.from_buffers(type_, n, [valid, pa.py_buffer(offsets)], children=[child])
    if valid is not None:  # a null's slot holds any value: a zero
        fill = False if pa.types.is_boolean(type_) else 0
        values = [fill if v is None else v for v in values]
    if pa.types.is_int64(type_):
        data = pa.py_buffer(array("q", values))
    elif pa.types.is_float64(type_):
        data = pa.py_buffer(array("d", values))
    elif pa.types.is_boolean(type_):
        data = _bits(map(bool, values), n)
    else:
        raise TypeError(f"no column builder for {type_}")
    return pa.Array.from_buffers(type_, n, [valid, data])


def _strings(values: Sequence[Any], n: int, valid: Any) -> Any:
    """A string array of `values` (str or None); `n` -1: count them."""
    import pyarrow as pa

    n = len(values) if n < 0 else n
    texts = values if valid is None else ["" if v is None else v for v in values]
    joined = "".join(texts)
    data = joined.encode("utf-8")
    if len(data) == len(joined):  # all ASCII: a character is a byte
        sizes: Any = map(len, texts)
    else:
        sizes = map(len, map(str.encode, texts))
    offsets = array("i", accumulate(sizes, initial=0))
    if offsets[-1] != len(data) or len(data) >= 2**31:
        raise ValueError("string column too large for 32-bit offsets")
    buffers = [valid, pa.py_buffer(offsets), pa.py_buffer(data)]
    return pa.Array.from_buffers(pa.string(), n, buffers)


def _validity(values: Sequence[Any]) -> Any:
    return _bits(map(is_not, values, repeat(None)), len(values))


def _bits(flags: Any, n: int) -> Any:
    """An Arrow bitmap (least significant bit first) of `n` truth values."""
    import numpy as np
    import pyarrow as pa

    packed = np.packbits(np.fromiter(flags, dtype=bool, count=n), bitorder="little")
    return pa.py_buffer(packed.tobytes())
