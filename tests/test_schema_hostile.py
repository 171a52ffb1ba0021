"""Hostile or broken YAML fails fast with one clear line, and never runs anything."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from annotator.cli.schema import schema_app
from annotator.schema import SchemaError, load_schema, parse_schema
from annotator.schema.yamlsafe import MAX_BYTES, MAX_DEPTH

BILLION_LAUGHS = """\
name: lol
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
tasks: *i
"""


def one_line(exc: SchemaError) -> str:
    assert len(exc.problems) == 1
    return str(exc)


def test_alias_bomb_is_refused_at_the_first_anchor():
    with pytest.raises(SchemaError) as info:
        parse_schema(BILLION_LAUGHS, "bomb.yaml")
    assert one_line(info.value) == (
        "bomb.yaml:2:4: YAML anchors and aliases (&name, *name) are not allowed in a schema"
    )


def test_a_lone_alias_is_refused_too():
    with pytest.raises(SchemaError, match=r"s:2:8: YAML anchors and aliases"):
        parse_schema("name: t\ntasks: *x\n", "s")


def test_huge_file_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.yaml"
    with path.open("w", encoding="utf-8") as fh:
        fh.write("name: t\n")
        fh.write("# padding\n" * (MAX_BYTES // 10 + 10))
    with pytest.raises(SchemaError) as info:
        load_schema(path)
    size = path.stat().st_size
    assert one_line(info.value) == (
        f"{path}:1:1: file is {size:,} bytes; a schema may be at most {MAX_BYTES:,}"
    )


def test_huge_text_is_refused_by_parse_too():
    with pytest.raises(SchemaError, match="a schema may be at most"):
        parse_schema("x" * (MAX_BYTES + 1))


def test_deep_flow_nesting_fails_at_the_limit():
    text = "name: t\ntasks: " + "[" * 100_000 + "]" * 100_000 + "\n"
    with pytest.raises(SchemaError) as info:
        parse_schema(text, "deep.yaml")
    # The root mapping is level 1; the first "[" (column 8) is level 2, so the first one past
    # the limit, level MAX_DEPTH + 1, is at column 8 + MAX_DEPTH - 1.
    col = len("tasks: ") + MAX_DEPTH
    assert one_line(info.value) == (
        f"deep.yaml:2:{col}: nested deeper than {MAX_DEPTH} levels; a schema never needs that"
    )


def test_deep_block_nesting_fails_at_the_limit():
    text = "".join(f"{' ' * i}k{i}:\n" for i in range(200))
    with pytest.raises(SchemaError, match=f"nested deeper than {MAX_DEPTH} levels"):
        parse_schema(text)


def test_python_tags_are_refused_and_never_run(tmp_path):
    marker = tmp_path / "ran"
    text = f"name: !!python/object/apply:os.system ['touch {marker}']\ntasks: []\n"
    with pytest.raises(SchemaError) as info:
        parse_schema(text, "evil.yaml")
    assert one_line(info.value) == (
        "evil.yaml:1:7: YAML tag !!python/object/apply:os.system is not allowed in a schema"
    )
    assert not marker.exists()


def test_custom_tags_are_refused():
    with pytest.raises(SchemaError, match=r"s:1:7: YAML tag !env is not allowed"):
        parse_schema("name: !env HOME\ntasks: []\n", "s")


def test_not_utf8(tmp_path):
    path = tmp_path / "gbk.yaml"
    path.write_bytes("name: t\ndescription: café\n".encode("latin-1"))
    with pytest.raises(SchemaError) as info:
        load_schema(path)
    assert one_line(info.value) == f"{path}:2:17: not UTF-8 text; save the schema as UTF-8"


def test_control_characters(tmp_path):
    path = tmp_path / "bin.yaml"
    path.write_bytes(b"name: t\x00\x01\n")
    with pytest.raises(SchemaError) as info:
        load_schema(path)
    assert one_line(info.value) == f"{path}:1:8: character U+0000 is not allowed in YAML"


def test_missing_file(tmp_path):
    path = tmp_path / "nope.yaml"
    with pytest.raises(SchemaError) as info:
        load_schema(path)
    assert one_line(info.value) == f"{path}:1:1: cannot read: No such file or directory"


def test_utf8_bom_is_accepted_and_hashed_as_written(tmp_path):
    path = tmp_path / "bom.yaml"
    data = "\ufeffname: t\ntasks:\n  - {name: note, type: text}\n".encode()
    path.write_bytes(data)
    schema = load_schema(path)
    import hashlib

    assert schema.content_hash == hashlib.sha256(data).hexdigest()


def test_check_command_prints_one_line_per_problem_and_exits_1(tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text("name: g\ntasks:\n  - {name: bias, type: single, labels: [a, b]}\n")
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(BILLION_LAUGHS)
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: b\ntasks:\n  - {name: bias, type: single, labels: [a, a], key: 1}\n")
    result = CliRunner().invoke(schema_app, ["check", str(good), str(bomb), str(bad)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith(f"{good}: ok (g, 1 task, ")
    assert (
        lines[1]
        == f"{bomb}:2:4: YAML anchors and aliases (&name, *name) are not allowed in a schema"
    )
    assert lines[2:] == [
        f"{bad}:3:44: duplicate label value 'a' in task 'bias' (first on line 3, column 41)",
        f"{bad}:3:48: unknown key 'key' in a task",
    ]
    assert "Traceback" not in result.output


def test_check_command_exits_0_when_all_pass(tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text("name: g\ntasks:\n  - {name: a, type: text}\n  - {name: b, type: text}\n")
    result = CliRunner().invoke(schema_app, ["check", str(good)])
    assert result.exit_code == 0
    assert result.output == f"{good}: ok (g, 2 tasks, {load_schema(good).short_hash})\n"


def test_a_megabyte_of_tiny_values_fails_fast_at_the_node_limit():
    from annotator.schema.yamlsafe import MAX_NODES

    text = "name: t\ntasks: [" + "a, " * 300_000 + "a]\n"
    with pytest.raises(SchemaError) as info:
        parse_schema(text, "many.yaml")
    # Node MAX_NODES + 1: the root mapping and its 2 keys and 1 value, the list, then items.
    col = len("tasks: [") + 1 + 3 * (MAX_NODES - 5)
    assert one_line(info.value) == (
        f"many.yaml:2:{col}: more than {MAX_NODES:,} YAML values; a schema never needs that"
    )


def test_problem_list_is_capped_with_a_count_of_the_rest():
    from annotator.schema.loader import MAX_PROBLEMS

    text = "name: t\ntasks: [" + "a, " * 299 + "a]\n"
    with pytest.raises(SchemaError) as info:
        parse_schema(text, "s")
    lines = str(info.value).splitlines()
    assert len(lines) == MAX_PROBLEMS
    assert lines[0] == "s:2:9: a task should be a mapping of keys, got 'a'"
    assert lines[-1].endswith(f": ... and {300 - MAX_PROBLEMS + 1} more problems; fix these first")


def test_a_number_of_thousands_of_digits_is_out_of_range_not_a_crash():
    from annotator.schema import SchemaError, parse_schema

    text = (
        "name: x\noverlap: "
        + "9" * 5001
        + "\ntasks:\n  - {name: b, type: single, labels: [a, b]}\n"
    )
    with pytest.raises(SchemaError) as err:
        parse_schema(text, "big.yaml")
    assert "big.yaml:2:10: `overlap` should be between 1 and 100, got 99999999999999999999…" in str(
        err.value
    )
