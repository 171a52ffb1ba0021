"""Hypothesis strategies for hostile files: seed files mutated the way fuzzers do (tokens
known to hurt parsers spliced in, slices cut or repeated, bytes flipped, files spliced),
and structured records whose values are hostile."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

# Each of these broke a parser somewhere (ours, or one we call): encodings, escapes,
# nesting, numbers, markup, YAML and CSV syntax.
HOSTILE: tuple[bytes, ...] = (
    b"\x00",
    b"\xff",
    b"\xfe\xff",
    b"\xef\xbb\xbf",
    b"\xed\xa0\x80",  # a surrogate in CESU-8
    b"\xc3",  # a truncated UTF-8 sequence
    b"\\ud800",
    b"\\udfff\\ud800",
    b"\\u0000",
    "\u2028\u202e\u200b\ufeff".encode(),
    b"&#99999999;",
    b"&#x110000;",
    b"&#xD800;",
    b"&#0;",
    b"&amp;#99999999;",
    b"&nosuchentity;",
    b"9" * 5000,
    b"9223372036854775808",
    b"-1",
    b"1e999",
    b"NaN",
    b"2020-02-30",
    b"2020-13-45T25:61:61+99:99",
    b"0000-00-00",
    b"\n",
    b"\r",
    b"\r\n",
    b"\n\n",
    b"\t",
    b'"',
    b"'",
    b",",
    b";",
    b":",
    b"---\n",
    b"...\n",
    b"------\n",
    b"<!--",
    b"-->",
    b"<!--1684330744000-->",
    b"<![CDATA[",
    b"]]>",
    b"<",
    b">",
    b"<div>",
    b"</div>",
    b"<p>",
    b"<script>",
    b"<img src=",
    b"<br>",
    b"<html>",
    b"<rss>",
    b"<feed>",
    b"<item>",
    b"<entry>",
    b"&",
    b"[",
    b"]",
    b"{",
    b"}",
    b"[link=https://evil.example]click me",
    b'=HYPERLINK("http://evil.example","click")',
    b"https://",
    b"www.",
    b"*a",
    b"&a ",
    b"!!python/object/apply:os.system ['true']",
    b"<<: *a",
    b"? ",
    b"- ",
    b"|\n",
    b">\n",
    b"%YAML 1.1\n",
    b"title: ",
    b"date: ",
    b"tags: ",
    b'"text": ',
    b'"unit_id": ',
    b'"annotator": ',
    b'"values": ',
    b'"document": ',
    b'"annotations": ',
    b"[keys]\n",
    b'= "',
    b"a.b.c = 1\n",
)
# How often a token repeats: deep nesting and long runs are where time and stack go.
REPEATS = (1, 1, 1, 1, 2, 3, 50, 1000, 5000)
MAX_SIZE = 256 * 1024


@st.composite
def mutated(draw: st.DrawFn, seeds: Sequence[bytes], extra: Sequence[bytes] = ()) -> bytes:
    """A seed with up to eight mutations."""
    data = bytearray(draw(st.sampled_from(seeds)))
    tokens = (*HOSTILE, *extra)
    for _ in range(draw(st.integers(0, 8))):
        op = draw(
            st.sampled_from(("insert", "insert", "delete", "repeat", "byte", "random", "splice"))
        )
        pos = draw(st.integers(0, len(data)))
        if op == "insert":
            token = draw(st.sampled_from(tokens))
            data[pos:pos] = token * draw(st.sampled_from(REPEATS))
        elif op == "delete":
            del data[pos : draw(st.integers(pos, min(len(data), pos + 400)))]
        elif op == "repeat":
            piece = bytes(data[pos : draw(st.integers(pos, min(len(data), pos + 40)))])
            data[pos:pos] = piece * draw(st.sampled_from(REPEATS))
        elif op == "byte" and data:
            data[min(pos, len(data) - 1)] = draw(st.integers(0, 255))
        elif op == "random":
            data[pos:pos] = draw(st.binary(max_size=64))
        elif op == "splice":
            other = draw(st.sampled_from(seeds))
            data[pos:] = other[draw(st.integers(0, len(other))) :]
        if len(data) > MAX_SIZE:
            del data[MAX_SIZE:]
    return bytes(data)


HOSTILE_TEXT = st.sampled_from(
    [t.decode("utf-8", errors="surrogateescape") for t in HOSTILE]
    + ["\ud800", "\x00", "", " ", "\u3000", "a" * 200_000]
)
TEXT = st.one_of(st.text(max_size=40), HOSTILE_TEXT)
SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    TEXT,
)
JSON_VALUE = st.recursive(
    SCALAR,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(TEXT, inner, max_size=4)),
    max_leaves=12,
)


def records(fields: Sequence[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Records whose keys are mostly the field names a reader looks for."""
    keys = st.one_of(st.sampled_from(list(fields)), TEXT)
    return st.dictionaries(keys, JSON_VALUE, max_size=len(fields) + 2)


@st.composite
def jsonl(draw: st.DrawFn, fields: Sequence[str]) -> bytes:
    lines = []
    for record in draw(st.lists(records(fields), min_size=1, max_size=5)):
        text = json.dumps(record, ensure_ascii=draw(st.booleans()), allow_nan=True)
        lines.append(text.encode("utf-8", errors="surrogatepass"))
    return b"\n".join(lines) + b"\n"


@st.composite
def csv_rows(draw: st.DrawFn, fields: Sequence[str]) -> bytes:
    import csv
    import io

    header = draw(st.lists(st.sampled_from(list(fields)), min_size=1, max_size=len(fields)))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=draw(st.sampled_from([",", ";", "\t"])))
    writer.writerow(header)
    for _ in range(draw(st.integers(1, 5))):
        writer.writerow([draw(st.one_of(TEXT, st.integers().map(str))) for _ in header])
    return buffer.getvalue().encode("utf-8", errors="surrogatepass")
