"""Arrow arrays from Python lists, built from their buffers.

``pyarrow.array`` asks, on its first call in a process, whether pandas is installed, and
imports it to find out (0.3-0.45 s of a 100,000-record Parquet export, which never hands
pyarrow a pandas object). The columns our Parquet files hold (int64, float64, bool, string
and list<string>, each with nulls) are simple enough to lay out ourselves: the values and
offsets through the standard ``array`` module, validity bitmaps from one Python integer,
and ``pa.Array.from_buffers``, which imports nothing. The arrays hold the same values
``pyarrow.array`` would give (a test holds them equal), so the files are the same bytes.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from itertools import accumulate, chain, repeat
from operator import is_not
from typing import Any


def column(values: Sequence[Any], type_: Any) -> Any:
    """`values` (None: null) as an Arrow array of `type_`, as ``pa.array(values, type_)``
    gives it, for int64, float64, bool, string and list<string>.

    Each type is first laid out as if no value were None (a None then fails the join or the
    array with a TypeError, found in C rather than by a scan in Python)."""
    import pyarrow as pa

    if pa.types.is_string(type_):
        return _strings(values)
    if pa.types.is_list(type_) and pa.types.is_string(type_.value_type):
        return _lists(values, type_)
    code = "q" if pa.types.is_int64(type_) else "d" if pa.types.is_float64(type_) else None
    if code is None and not pa.types.is_boolean(type_):
        raise TypeError(f"no column builder for {type_}")
    n, valid = len(values), None
    try:
        data = pa.py_buffer(array(code, values)) if code else _bits(values, n)
    except TypeError:
        if None not in values:
            raise
        valid = _validity(values)
        fill = False if code is None else 0  # a null's slot holds any value: a zero
        values = [fill if v is None else v for v in values]
        data = pa.py_buffer(array(code, values)) if code else _bits(values, n)
    return pa.Array.from_buffers(type_, n, [valid, data])


def kernels() -> Any:
    """The module of Arrow's compute functions and their options: the compiled one alone
    where pyarrow has it (``pyarrow._compute``: not a public name, so any pyarrow without
    it gets the public ``pyarrow.compute``, which holds the same). ``pyarrow.compute`` builds
    a Python wrapper with a docstring for each of its hundreds of functions on import (about
    30 ms, a twentieth of a 100k-record Parquet export), and ``Array.take`` and
    ``Array.fill_null`` import it."""
    try:
        import pyarrow._compute as compute
    except ImportError:
        import pyarrow.compute as compute
    return compute


def call(function: str, *args: Any, options: Any = None) -> Any:
    """Arrow's compute `function` on `args`: the same kernel and options as the
    ``pyarrow.compute`` function of that name (see `kernels`)."""
    return kernels().call_function(function, list(args), options)


def take(values: Any, indices: Any) -> Any:
    """``values.take(indices)`` (bounds checked, as there), without ``pyarrow.compute``."""
    return call("take", values, indices, options=kernels().TakeOptions(boundscheck=True))


def places(keys: Sequence[Any]) -> tuple[list[Any], Any]:
    """The distinct `keys` (hashable, None too) in the order first seen, and each key's
    place among them as an Arrow int32 array: a column of few distinct values is then built
    from those alone and ``take``n (``distinct_array.take(where)``)."""
    import pyarrow as pa

    distinct = list(dict.fromkeys(keys))
    place = {k: i for i, k in enumerate(distinct)}
    where = array("i", map(place.__getitem__, keys))
    return distinct, pa.Array.from_buffers(pa.int32(), len(keys), [None, pa.py_buffer(where)])


def _lists(values: Sequence[Any], type_: Any) -> Any:
    import pyarrow as pa

    n = len(values)
    valid = _validity(values) if None in values else None
    lists = values if valid is None else [() if v is None else v for v in values]
    items = list(chain.from_iterable(lists))
    offsets = array("i", accumulate(map(len, lists), initial=0))
    return pa.Array.from_buffers(
        type_, n, [valid, pa.py_buffer(offsets)], children=[_strings(items)]
    )


def _strings(values: Sequence[Any]) -> Any:
    """A string array of `values` (str or None)."""
    import pyarrow as pa

    n, valid, texts = len(values), None, values
    try:
        joined = "".join(texts)
    except TypeError:
        if None not in values:
            raise
        valid = _validity(values)
        texts = ["" if v is None else v for v in values]
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


_DIGITS = bytes.maketrans(b"\0\1", b"01")  # a flag's byte as a binary digit


def _bits(flags: Any, n: int) -> Any:
    """An Arrow bitmap (least significant bit first) of `n` truth values (bools, or None:
    a TypeError): the flags, last first, are the binary digits of one number, whose
    little-endian bytes are the bitmap. All of it runs in C, without numpy (which a Parquet
    export does not load: ``export.arrow.load_pyarrow_alone``)."""
    import pyarrow as pa

    if not isinstance(flags, map) and None in flags:
        raise TypeError("None is not a truth value here")
    digits = bytes(map(bool, flags))[::-1].translate(_DIGITS)
    number = int(digits, 2) if digits else 0
    return pa.py_buffer(number.to_bytes((n + 7) // 8, "little"))
