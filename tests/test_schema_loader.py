"""Schema validation: one test per rule, checking the line the author sees (FILE:LINE:COL: what)."""

from __future__ import annotations

import textwrap

import pytest

from annotator.schema import RESERVED_KEYS, SchemaError, parse_schema
from annotator.schema.loader import load_schema


def problems(text: str) -> list[str]:
    with pytest.raises(SchemaError) as info:
        parse_schema(textwrap.dedent(text), source="s.yaml")
    lines = str(info.value).splitlines()
    assert lines == [str(p) for p in info.value.problems]
    return lines


def schema(text: str):
    return parse_schema(textwrap.dedent(text), source="s.yaml")


# (rule, yaml, the exact problem lines)
RULES = [
    (
        "yaml syntax",
        """\
        name: t
        tasks:
          - name: bias
            type: single
            labels: [a, b
        """,
        ["s.yaml:6:1: YAML syntax error: expected ',' or ']', but got '<stream end>'"],
    ),
    (
        "tabs",
        "name: t\ntasks:\n\t- name: bias\n",
        [
            "s.yaml:3:1: YAML syntax error: found character '\\t' that cannot start any token "
            "(indent with spaces, not tabs)"
        ],
    ),
    (
        "two documents",
        "name: t\n---\nname: u\n",
        [
            "s.yaml:2:1: YAML syntax error: expected a single document in the stream, "
            "but found another document"
        ],
    ),
    (
        "empty file",
        "",
        ["s.yaml:1:1: the schema is empty; it needs at least `name` and `tasks`"],
    ),
    (
        "not a mapping",
        "- bias\n",
        ["s.yaml:1:1: the schema should be a mapping of keys, got a list"],
    ),
    (
        "missing name",
        """\
        tasks:
          - {name: bias, type: single, labels: [a, b]}
        """,
        ["s.yaml:1:1: the schema needs `name`"],
    ),
    (
        "unknown top-level key, with suggestion",
        """\
        name: t
        guidlines: read me
        tasks:
          - {name: bias, type: single, labels: [a, b]}
        """,
        ["s.yaml:2:1: unknown key 'guidlines' in the schema (did you mean 'guidelines'?)"],
    ),
    (
        "misspelt required key is reported once",
        """\
        name: t
        taks:
          - {name: bias, type: single, labels: [a, b]}
        """,
        ["s.yaml:2:1: unknown key 'taks' in the schema (did you mean 'tasks'?)"],
    ),
    (
        "unknown task key",
        """\
        name: t
        tasks:
          - name: bias
            type: single
            lables: [a, b]
        """,
        ["s.yaml:5:5: unknown key 'lables' in a task (did you mean 'labels'?)"],
    ),
    (
        "unknown label key",
        """\
        name: t
        tasks:
          - name: bias
            type: single
            labels:
              - {value: a, txt: A}
        """,
        ["s.yaml:6:20: unknown key 'txt' in a label (did you mean 'text'?)"],
    ),
    (
        "unknown key without a close match",
        """\
        name: t
        colour: red
        tasks:
          - {name: bias, type: single, labels: [a, b]}
        """,
        ["s.yaml:2:1: unknown key 'colour' in the schema"],
    ),
    (
        "duplicate YAML key",
        """\
        name: t
        name: u
        tasks:
          - {name: bias, type: single, labels: [a, b]}
        """,
        ["s.yaml:2:1: duplicate key 'name' in the schema (first on line 1)"],
    ),
    (
        "wrong type: bool",
        """\
        name: t
        tasks:
          - name: bias
            type: single
            required: maybe
            labels: [a, b]
        """,
        ["s.yaml:5:15: `required` should be true or false, got 'maybe'"],
    ),
    (
        "wrong type: list expected",
        """\
        name: t
        tasks: {bias: single}
        """,
        ["s.yaml:2:8: `tasks` should be a list, got a mapping"],
    ),
    (
        "wrong type: number expected",
        """\
        name: t
        overlap: two
        tasks:
          - {name: bias, type: single, labels: [a, b]}
        """,
        ["s.yaml:2:10: `overlap` should be a whole number, got 'two'"],
    ),
    (
        "number out of range",
        """\
        name: t
        context: {before: -1, after: 1}
        tasks:
          - {name: bias, type: single, labels: [a, b]}
        """,
        ["s.yaml:2:19: `context.before` should be between 0 and 20, got -1"],
    ),
    (
        "wrong type: text expected",
        """\
        name: t
        tasks:
          - name: bias
            type: single
            prompt: [what, is, this]
            labels: [a, b]
        """,
        ["s.yaml:5:13: `prompt` should be text, got a list"],
    ),
    (
        "unknown task type",
        """\
        name: t
        tasks:
          - name: bias
            type: singel
            labels: [a, b]
        """,
        [
            "s.yaml:4:11: task type 'singel' is not one of single, multi, scale, span, text, "
            "stance (did you mean 'single'?)"
        ],
    ),
    (
        "unknown agreement level",
        """\
        name: t
        tasks:
          - name: op
            type: scale
            agreement: ordnial
            labels: [a, b]
        """,
        [
            "s.yaml:5:16: agreement level 'ordnial' is not one of nominal, ordinal, interval, "
            "ratio (did you mean 'ordinal'?)"
        ],
    ),
    (
        "task without type",
        """\
        name: t
        tasks:
          - name: bias
            labels: [a, b]
        """,
        ["s.yaml:3:5: task 'bias' needs a `type` (single | multi | scale | span | text | stance)"],
    ),
    (
        "task name not an identifier",
        """\
        name: t
        tasks:
          - name: is it biased
            type: text
        """,
        [
            "s.yaml:3:11: task name 'is it biased' should be an identifier (letters, digits, "
            "_ . -, no spaces); put free wording in `text` or `prompt`"
        ],
    ),
    (
        "duplicate task names",
        """\
        name: t
        tasks:
          - {name: bias, type: single, labels: [a, b]}
          - {name: bias, type: text}
        """,
        ["s.yaml:4:12: duplicate task name 'bias' (first on line 3)"],
    ),
    (
        "duplicate label values",
        """\
        name: t
        tasks:
          - name: bias
            type: single
            labels: [a, b, a]
        """,
        ["s.yaml:5:20: duplicate label value 'a' in task 'bias' (first on line 5, column 14)"],
    ),
    (
        "two labels on one key",
        """\
        name: t
        tasks:
          - name: bias
            type: single
            labels:
              - {value: a, key: x}
              - {value: b, key: x}
        """,
        ["s.yaml:7:25: key 'x' is on two labels of task 'bias': 'a' and 'b'"],
    ),
    (
        "explicit key against a default key",
        """\
        name: t
        tasks:
          - name: bias
            type: single
            labels:
              - {value: a, key: "2"}
              - {value: b, key: "2"}
        """,
        ["s.yaml:7:25: key '2' is on two labels of task 'bias': 'a' and 'b'"],
    ),
    (
        "reserved key",
        """\
        name: t
        tasks:
          - name: bias
            type: single
            labels:
              - {value: a, key: u}
              - {value: b}
        """,
        ["s.yaml:6:25: key 'u' is kept by the annotation UI (undo); choose another"],
    ),
    (
        "reserved key under another spelling",
        """\
        name: t
        tasks:
          - name: bias
            type: single
            labels:
              - {value: a, key: Return}
              - {value: b}
        """,
        ["s.yaml:6:25: key 'enter' is kept by the annotation UI (save); choose another"],
    ),
    (
        "key with spaces",
        """\
        name: t
        tasks:
          - name: bias
            type: single
            labels:
              - {value: a, key: "ctrl x"}
              - {value: b}
        """,
        ["s.yaml:6:25: label `key` 'ctrl x' is not a key name"],
    ),
    (
        "show_if names an unknown task",
        """\
        name: t
        tasks:
          - {name: bias, type: single, labels: [a, b]}
          - {name: words, type: span, show_if: {bais: a}}
        """,
        ["s.yaml:4:41: `show_if` names unknown task 'bais' (did you mean 'bias'?)"],
    ),
    (
        "show_if names an unknown value",
        """\
        name: t
        tasks:
          - {name: bias, type: single, labels: [biased, other]}
          - name: words
            type: span
            show_if: {bias: [other, biassed]}
        """,
        [
            "s.yaml:6:29: task 'bias' has no value 'biassed'; did you mean 'biased'? "
            "(values: biased, other)"
        ],
    ),
    (
        "show_if on itself",
        """\
        name: t
        tasks:
          - {name: bias, type: single, labels: [a, b], show_if: {bias: a}}
        """,
        ["s.yaml:3:58: task 'bias' cannot depend on itself"],
    ),
    (
        "show_if on a task without values",
        """\
        name: t
        tasks:
          - {name: note, type: text}
          - {name: bias, type: single, labels: [a, b], show_if: {note: a}}
        """,
        ["s.yaml:4:58: `show_if` can only depend on a single, multi or scale task; 'note' is text"],
    ),
    (
        "show_if with an empty list",
        """\
        name: t
        tasks:
          - {name: bias, type: single, labels: [a, b]}
          - {name: words, type: span, show_if: {bias: []}}
        """,
        ["s.yaml:4:47: `show_if` lists no values of 'bias'"],
    ),
    (
        "show_if cycle",
        """\
        name: t
        tasks:
          - name: a
            type: single
            labels: [x, y]
            show_if: {c: x}
          - name: b
            type: single
            labels: [x, y]
            show_if: {a: y}
          - name: c
            type: single
            labels: [x, y]
            show_if: {b: x}
        """,
        ["s.yaml:6:14: `show_if` cycle: a -> c -> b -> a"],
    ),
    (
        "empty label list",
        """\
        name: t
        tasks:
          - name: bias
            type: single
            labels: []
        """,
        ["s.yaml:5:13: task 'bias' has an empty label list"],
    ),
    (
        "choice task without labels",
        """\
        name: t
        tasks:
          - name: bias
            type: multi
        """,
        ["s.yaml:3:5: task 'bias' (multi) needs `labels`"],
    ),
    (
        "scale with one label",
        """\
        name: t
        tasks:
          - name: opinion
            type: scale
            labels: [only]
        """,
        ["s.yaml:5:13: task 'opinion' is a scale and needs at least 2 labels, got 1"],
    ),
    (
        "text task with labels",
        """\
        name: t
        tasks:
          - name: note
            type: text
            labels: [a, b]
        """,
        ["s.yaml:5:13: task 'note' is a text task; text tasks take no `labels`"],
    ),
    (
        "label value with spaces",
        """\
        name: t
        tasks:
          - name: bias
            type: single
            labels: [very biased, fine]
        """,
        [
            "s.yaml:5:14: label value 'very biased' should be an identifier (letters, digits, "
            "_ . -, no spaces); put free wording in `text` or `prompt`"
        ],
    ),
    (
        "stance without targets",
        """\
        name: t
        tasks:
          - {name: stance, type: stance}
        """,
        [
            "s.yaml:3:26: task 'stance' is a stance task; list the schema's `targets` "
            "(e.g. targets: [中国, 美国])"
        ],
    ),
    (
        "stance with a foreign value",
        """\
        name: t
        targets: [China]
        tasks:
          - name: stance
            type: stance
            labels: [favor, against, pro]
        """,
        [
            "s.yaml:6:13: task 'stance' lacks the stance label(s) neutral",
            "s.yaml:6:30: stance labels are favor, against, neutral; 'pro' is not one",
        ],
    ),
    (
        "duplicate target",
        """\
        name: t
        targets: [中国, 美国, 中国]
        tasks:
          - {name: stance, type: stance}
        """,
        ["s.yaml:2:19: duplicate target '中国'"],
    ),
    (
        "bad language code",
        """\
        name: t
        language: Chinese
        tasks:
          - {name: bias, type: single, labels: [a, b]}
        """,
        ["s.yaml:2:11: `language` 'Chinese' should be a language code like zh, en or zh-Hant"],
    ),
    (
        "no tasks",
        """\
        name: t
        tasks: []
        """,
        ["s.yaml:2:8: `tasks` is empty; a schema needs at least one task"],
    ),
]


@pytest.mark.parametrize(("text", "expected"), [r[1:] for r in RULES], ids=[r[0] for r in RULES])
def test_each_rule_reports_its_line_and_column(text, expected):
    assert problems(text) == expected


def test_every_problem_is_reported_in_file_order():
    lines = problems(
        """\
        name: t
        overlap: 0
        tasks:
          - name: bias
            type: single
            labels: [a, a]
          - {name: note, type: text, required: perhaps}
        """
    )
    assert [line.split(": ", 1)[0] for line in lines] == [
        "s.yaml:2:10",
        "s.yaml:6:17",
        "s.yaml:7:40",
    ]


def test_reserved_keys_are_the_ui_keys():
    assert {"enter", "tab", "shift+tab", "left", "right", "u", "s", "f", "q", "?", "space"} <= (
        RESERVED_KEYS
    )
    assert {"escape", "ctrl+p"} <= RESERVED_KEYS
    for key in sorted(RESERVED_KEYS):
        label = f"{{value: a, key: '{key}'}}"
        text = f"name: t\ntasks:\n  - {{name: b, type: single, labels: [{label}]}}\n"
        with pytest.raises(SchemaError, match="kept by the annotation UI"):
            parse_schema(text)


def test_error_names_the_file(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("name: t\ntasks: 3\n", encoding="utf-8")
    with pytest.raises(SchemaError) as info:
        load_schema(path)
    assert str(info.value) == f"{path}:2:8: `tasks` should be a list, got a number"


# -- short forms and defaults -------------------------------------------------------------


def test_short_label_list_gets_keys_one_to_nine_and_text_from_value():
    s = schema(
        """\
        name: quick
        tasks:
          - {name: bias, type: single, labels: [biased, non_biased, unsure]}
        """
    )
    task = s.task("bias")
    assert [(lab.value, lab.text, lab.key) for lab in task.labels] == [
        ("biased", "biased", "1"),
        ("non_biased", "non_biased", "2"),
        ("unsure", "unsure", "3"),
    ]


def test_default_keys_skip_keys_given_explicitly_and_run_to_zero():
    s = schema(
        """\
        name: t
        tasks:
          - name: topic
            type: multi
            labels: [a, {value: b, key: "1"}, c, d, e, f, g, h, i, j, k]
        """
    )
    keys = [lab.key for lab in s.task("topic").labels]
    assert keys == ["2", "1", "3", "4", "5", "6", "7", "8", "9", "0", None]


def test_yaml_words_stay_words_in_labels():
    # `yes`/`no`/`on` are booleans to YAML 1.1, and 1 is a number; labels keep what was written.
    s = schema(
        """\
        name: t
        tasks:
          - {name: agree, type: single, labels: [yes, no, on]}
          - {name: likert, type: scale, labels: [1, 2, 3, 4, 5]}
        """
    )
    assert s.task("agree").values == ("yes", "no", "on")
    assert s.task("likert").values == ("1", "2", "3", "4", "5")
    assert s.task("likert").agreement == "ordinal"


def test_defaults_for_required_agreement_context_and_overlap():
    s = schema(
        """\
        name: t
        context: 3
        tasks:
          - {name: bias, type: single, labels: [a, b]}
          - {name: words, type: span}
          - {name: note, type: text}
          - {name: must_note, type: text, required: true}
        """
    )
    assert (s.context_before, s.context_after, s.overlap) == (3, 3, 1)
    assert [t.required for t in s.tasks] == [True, False, False, True]
    assert [t.agreement for t in s.tasks] == ["nominal"] * 4


def test_show_if_short_and_list_forms():
    s = schema(
        """\
        name: t
        tasks:
          - {name: bias, type: single, labels: [a, b, c]}
          - {name: why, type: text, show_if: {bias: a}}
          - {name: words, type: span, show_if: {bias: [a, c]}}
        """
    )
    assert s.task("why").show_if == {"bias": ("a",)}
    assert s.task("words").show_if == {"bias": ("a", "c")}


def test_stance_task_gets_the_three_values_and_the_targets():
    s = schema(
        """\
        name: t
        targets: [中国, 美国]
        tasks:
          - {name: stance, type: stance}
        """
    )
    assert s.targets == ("中国", "美国")
    assert [(lab.value, lab.key) for lab in s.task("stance").labels] == [
        ("favor", "1"),
        ("against", "2"),
        ("neutral", "3"),
    ]


def test_full_label_form_and_metadata():
    text = textwrap.dedent(
        """\
        name: media-bias
        description: test
        language: zh-Hans
        guidelines: |
          # 指南
          read me
        context: {before: 0, after: 4}
        overlap: 3
        tasks:
          - name: bias
            type: single
            prompt: 有偏见吗？
            description: the main task
            labels:
              - {value: biased, text: 有偏见, key: "a", description: loaded}
              - {value: non_biased, text: 无偏见}
        """
    )
    s = parse_schema(text)
    assert s.language == "zh-Hans"
    assert s.guidelines == "# 指南\nread me\n"
    assert (s.context_before, s.context_after, s.overlap) == (0, 4, 3)
    first, second = s.task("bias").labels
    assert (first.text, first.key, first.description) == ("有偏见", "a", "loaded")
    assert (second.text, second.key) == ("无偏见", "1")
    assert s.yaml_text == text
    import hashlib

    assert s.content_hash == hashlib.sha256(text.encode()).hexdigest()
    assert s.short_hash == s.content_hash[:12]


def test_broken_fixture_lists_every_mistake_in_file_order():
    from pathlib import Path

    path = Path(__file__).parent / "fixtures" / "schema" / "broken.yaml"
    with pytest.raises(SchemaError) as info:
        load_schema(path)
    assert [f"{p.line}:{p.col}: {p.message}" for p in info.value.problems] == [
        "3:11: `language` 'chinese' should be a language code like zh, en or zh-Hant",
        "9:34: key '1' is on two labels of task 'bias': 'biased' and 'non_biased'",
        "10:30: key 's' is kept by the annotation UI (skip); choose another",
        "11:11: duplicate task name 'bias' (first on line 5)",
        "13:13: task 'bias' has an empty label list",
        "16:21: task 'bias' has no value 'biassed'; did you mean 'biased'? "
        "(values: biased, non_biased, unsure)",
        "19:5: unknown key 'lables' in a task (did you mean 'labels'?)",
    ]
