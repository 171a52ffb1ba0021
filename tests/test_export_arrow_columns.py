"""Arrow columns built from their buffers (export.arrow_columns) hold what pyarrow.array
gives for the same lists, so Parquet files stay the same bytes; and a Parquet export no
longer loads pandas."""

from __future__ import annotations

import subprocess
import sys

import pytest

pa = pytest.importorskip("pyarrow")

from annotator.export.arrow_columns import column  # noqa: E402

TEXTS = ["", "a", "偏见", 'naïve, "quoted"', "emoji 🙂", "x" * 300, None]
CASES = {
    "int64": (pa.int64(), [0, 1, -5, 2**62, None, 7]),
    "float64": (pa.float64(), [0.0, 1.5, -2.25, float("inf"), float("nan"), None, 3]),
    "bool": (pa.bool_(), [True, False, None, True, True, False, False, True, None, True]),
    "string": (pa.string(), TEXTS),
    "ascii strings": (pa.string(), ["done", "skipped", None, "2026-01-01T00:00:00.000000Z"]),
    "list<string>": (pa.list_(pa.string()), [["a", "偏"], [], None, ["b"], ["c", None]]),
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("nulls", [True, False])
def test_columns_equal_pyarrows_own(case, nulls):
    type_, values = CASES[case]
    if not nulls:
        values = [v for v in values if v is not None]
    mine, theirs = column(values, type_), pa.array(values, type_)
    mine.validate(full=True)
    assert mine.type == theirs.type and mine.null_count == theirs.null_count
    assert mine.to_pylist() == theirs.to_pylist() or case == "float64"  # nan != nan
    assert mine.equals(theirs) or case == "float64"
    if case == "float64":
        assert [str(x) for x in mine.to_pylist()] == [str(x) for x in theirs.to_pylist()]


def test_long_columns_and_no_values():
    values = [f"unit {i} 句子" if i % 7 else None for i in range(20_000)]
    assert column(values, pa.string()).equals(pa.array(values, pa.string()))
    assert column([], pa.string()).equals(pa.array([], pa.string()))
    assert column([None, None], pa.int64()).equals(pa.array([None, None], pa.int64()))


def test_a_parquet_export_does_not_load_pandas(tmp_path):
    pytest.importorskip("pandas")  # (where pandas is absent there is nothing to show)
    from tests.support.exports import build_store

    url = f"sqlite:///{tmp_path / 'p.db'}"
    build_store(url, documents=3)
    out = tmp_path / "out.parquet"
    argv = ["annotator", "export", "-f", "parquet", "-o", str(out), "--db", url]
    assert _exports_without(argv, "pandas")
    assert out.stat().st_size > 0


def test_places_give_each_key_its_distinct_value():
    from annotator.export.arrow_columns import places

    distinct, where = places(["done", None, "done", "skipped", None])
    assert distinct == ["done", None, "skipped"]
    assert where.to_pylist() == [0, 1, 0, 2, 1]
    taken = column(distinct, pa.string()).take(where)
    assert taken.to_pylist() == ["done", None, "done", "skipped", None]


def test_compute_calls_give_what_pyarrow_compute_gives():
    """The Parquet writer calls Arrow's kernels without loading ``pyarrow.compute``: each
    call gives what the ``pyarrow.compute`` function (or the Array method) gives."""
    import pyarrow.compute as pc

    from annotator.export.arrow_columns import call, kernels, take

    ReplaceSubstringOptions, SetLookupOptions = (
        kernels().ReplaceSubstringOptions,
        kernels().SetLookupOptions,
    )

    texts = pa.array(["b", None, "a a", "偏 见", "b"])
    where = pa.array([4, 0, 2, 2, 1], pa.int32())
    assert take(texts, where).equals(texts.take(where))
    with pytest.raises(IndexError):  # bounds are checked, as Array.take checks them
        take(texts, pa.array([5], pa.int32()))
    keys = pa.array([3, None, 1, 3, 9])
    value_set = pa.array([1, 3])
    assert call("index_in", keys, options=SetLookupOptions(value_set)).equals(
        pc.index_in(keys, value_set=value_set)
    )
    fill = pa.array(["train"])[0]
    assert call("coalesce", texts, fill).equals(texts.fill_null(fill))
    first_space = ReplaceSubstringOptions(" ", "T", max_replacements=1)
    assert call("replace_substring", texts, options=first_space).equals(
        pc.replace_substring(texts, " ", "T", max_replacements=1)
    )
    z, nothing = pa.array(["Z", ""])
    assert call("binary_join_element_wise", texts, z, nothing).equals(
        pc.binary_join_element_wise(texts, z, nothing)
    )


def test_a_parquet_export_does_not_load_pyarrow_compute(tmp_path):
    """``pyarrow.compute`` wraps every kernel in Python on import (tens of milliseconds of
    each export); the writer reaches the kernels it needs without it."""
    from tests.support.exports import build_store

    url = f"sqlite:///{tmp_path / 'p.db'}"
    build_store(url, documents=3)
    out = tmp_path / "out.parquet"
    argv = ["annotator", "export", "-f", "parquet", "-o", str(out), "--db", url, "--split", "80/20"]
    assert _exports_without(argv, "pyarrow.compute")
    import pyarrow.parquet as pq

    assert pq.read_table(out).num_rows > 0


def test_without_the_compiled_module_the_public_one_serves(monkeypatch):
    """``pyarrow._compute`` is not a public name: a pyarrow without it still exports."""
    import sys

    import pyarrow.compute as pc  # (before: it imports the compiled module itself)

    from annotator.export.arrow_columns import call, kernels

    monkeypatch.setitem(sys.modules, "pyarrow._compute", None)  # import raises ImportError

    assert kernels() is pc
    assert call("index_in", pa.array([3, 1]), options=pc.SetLookupOptions(pa.array([1]))).equals(
        pa.array([None, 0], pa.int32())
    )


def _export_loads(argv: list[str], module: str) -> str:
    """`annotator ARGV` (an export) in a fresh process: its exit code and whether it
    loaded `module`, as "0 False"."""
    probe = (
        "import sys\n"
        "from annotator.cli.failures import guarded\n"
        "from annotator.cli.app import app\n"
        f"sys.argv = {argv!r}\n"
        "code = guarded(app)\n"
        f"print(code, {module!r} in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return done.stdout.strip().splitlines()[-1]


def _exports_without(argv: list[str], module: str) -> bool:
    """Whether `annotator ARGV` (an export) succeeds in a fresh process without loading
    `module`."""
    return _export_loads(argv, module) == "0 False"


def test_a_parquet_export_does_not_load_numpy_and_a_card_still_can(tmp_path):
    """pyarrow would load numpy (and start OpenBLAS) and cloudpickle for nothing: the export
    hides them while pyarrow loads; the card's agreement, which needs numpy, loads it
    afterwards as usual."""
    from tests.support.exports import build_store

    url = f"sqlite:///{tmp_path / 'p.db'}"
    build_store(url, documents=3)
    out = tmp_path / "out.parquet"
    argv = ["annotator", "export", "-f", "parquet", "-o", str(out), "--db", url, "--gold"]
    assert _exports_without(argv, "numpy")
    assert _exports_without(argv, "cloudpickle")
    folder = tmp_path / "hf"
    hf = ["annotator", "export", "-f", "hf", "-o", str(folder), "--db", url]
    assert _export_loads(hf, "numpy") == "0 True"
    assert "Krippendorff" in (folder / "README.md").read_text(encoding="utf-8")
    import pyarrow.parquet as pq

    assert pq.read_table(out).num_rows > 0


def test_validity_bitmaps_across_byte_edges():
    """A bitmap's bits, least significant first, across whole and partial bytes."""
    for n in (1, 7, 8, 9, 16, 17, 1000):
        values = [i if i % 3 else None for i in range(n)]
        assert column(values, pa.int64()).equals(pa.array(values, pa.int64()))
        flags = [i % 5 == 0 for i in range(n)]
        assert column(flags, pa.bool_()).equals(pa.array(flags, pa.bool_()))


def test_a_parquet_file_on_a_python_file_is_written_in_few_writes_and_left_open(tmp_path):
    """pyarrow writes a Python file page by page, a Python call each (the GIL taken from the
    thread that reads the store each time); `ParquetFile` buffers them: the same bytes as
    pyarrow writing the path itself, in a few writes, and the file left to its owner (who
    syncs and closes it)."""
    from annotator.export.arrow import ParquetFile, record_batch

    schema = pa.schema([pa.field("n", pa.int64()), pa.field("text", pa.string())])
    batches = [
        record_batch([list(range(i, i + 500)), [f"t{j}" for j in range(i, i + 500)]], schema)
        for i in range(0, 3000, 500)
    ]

    class Counted:
        def __init__(self, fh):
            self.fh, self.writes = fh, 0

        def write(self, data):
            self.writes += 1
            return self.fh.write(data)

        def __getattr__(self, name):
            return getattr(self.fh, name)

    with (tmp_path / "mine.parquet").open("wb") as fh:
        sink = Counted(fh)
        with ParquetFile(sink, schema) as out:
            for batch in batches:
                out.write(batch)
        assert not fh.closed
        fh.flush()
    with ParquetFile(str(tmp_path / "theirs.parquet"), schema) as out:
        for batch in batches:
            out.write(batch)
    assert (tmp_path / "mine.parquet").read_bytes() == (tmp_path / "theirs.parquet").read_bytes()
    assert 0 < sink.writes <= 3
