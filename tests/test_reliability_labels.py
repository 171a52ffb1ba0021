"""`labels import` on hostile files: each record is imported or named in one problem line.

Every case here ended in a Python traceback before (issue 10, item 1): a fuzzer found them.
"""

from __future__ import annotations

import json

import pytest

from annotator.labels import import_labels
from tests.support.exports import new_project

GOOD = b'{"text": "Rain fell.", "annotator": "a", "task": "bias", "value": "biased"}\n'

CASES = {
    "invalid-utf8.jsonl": (
        b'{"text": "A\xff b.", "annotator": "a", "task": "bias", "value": "biased"}\n',
        "not UTF-8",
    ),
    "huge-id.jsonl": (
        b'{"unit_id": 9223372036854775808, "annotator": "a", "task": "bias", "value": "biased"}\n',
        "is not a unit id",
    ),
    "huge-id-text.jsonl": (
        b'{"unit_id": "99999999999999999999999", "annotator": "a", "values": {"bias": "biased"}}\n',
        "is not a unit id",
    ),
    "deep.jsonl": (b"[" * 100_000 + b"\n", "nested too deeply"),
    "digits.jsonl": (
        b'{"unit_id": ' + b"1" * 5000 + b', "annotator": "a", "task": "bias", "value": "biased"}\n',
        "not usable JSON",
    ),
    "surrogate.jsonl": (
        b'{"text": "Bad \\ud800 x.", "annotator": "a", "task": "bias", "value": "biased"}\n',
        "surrogate",
    ),
    "nul-text.jsonl": (
        b'{"text": "Bad \\u0000 x.", "annotator": "a", "task": "bias", "value": "biased"}\n',
        "NUL",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_hostile_record_is_one_problem_line_and_the_good_ones_import(tmp_path, name):
    data, expected = CASES[name]
    path = tmp_path / name
    path.write_bytes(GOOD + data + GOOD.replace(b"Rain", b"Snow"))
    engine, proj = new_project(f"sqlite:///{tmp_path / 'a.db'}")
    report = import_labels(engine, proj, path)
    assert report.created == 2
    assert len(report.problems) == 1 and report.problems[0].startswith(f"{name}:2: ")
    assert expected in report.problems[0]


def test_a_csv_field_past_the_csv_module_limit_imports(tmp_path):
    path = tmp_path / "big.csv"
    long_text = "word " * 30_000 + "end."
    path.write_text(f"text,annotator,task,value\n{long_text},a,bias,biased\n", encoding="utf-8")
    engine, proj = new_project(f"sqlite:///{tmp_path / 'a.db'}")
    report = import_labels(engine, proj, path)
    assert report.problems == [] and report.created == 1


def test_invalid_utf8_in_a_csv_row_names_that_row(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(
        b"text,annotator,task,value\nA,a,bias,biased\nB\xfe,a,bias,biased\nC,a,bias,biased\n"
    )
    engine, proj = new_project(f"sqlite:///{tmp_path / 'a.db'}")
    report = import_labels(engine, proj, path)
    assert report.created == 2 and report.problems == ["bad.csv:3: not UTF-8 text"]


def test_document_fields_that_are_not_text_are_left_out(tmp_path):
    path = tmp_path / "doc.jsonl"
    records = [
        {
            "text": "One.",
            "document": {"url": {"a": 1}, "title": ["x"]},
            "annotator": "a",
            "values": {"bias": "biased"},
        },
        {
            "text": "Two.",
            "url": {"a": 1},
            "title": 7,
            "annotator": "a",
            "values": {"bias": "biased"},
        },
    ]
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    engine, proj = new_project(f"sqlite:///{tmp_path / 'a.db'}")
    report = import_labels(engine, proj, path)
    assert report.problems == [] and report.created == 2


def test_babe_columns_that_are_not_text_in_json_are_one_problem_each(tmp_path):
    # Found by the long fuzz profile: the preset's converters read CSV cells (text) only.
    from annotator.labels import babe_columns

    path = tmp_path / "babe.jsonl"
    records = [
        {"text": "One.", "label_bias": False},
        {"text": "Two.", "biased_words": [None]},
        {"text": "Three.", "label_bias": "Biased", "biased_words": ["Three"]},
    ]
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    engine, proj = new_project(f"sqlite:///{tmp_path / 'a.db'}")
    report = import_labels(engine, proj, path, babe_columns(path))
    assert report.problems == [
        "babe.jsonl:1: 'label_bias': expected text, got false",
        "babe.jsonl:2: 'biased_words': expected text, got [null]",
    ]
    assert report.created == 1


def test_a_unit_id_with_a_control_character_after_it(tmp_path):
    # Found by the long fuzz profile: str.strip() removed more than int() accepts.
    path = tmp_path / "ids.csv"
    path.write_bytes(b"unit_id,annotator,task,value\r\n0\x1f,a,bias,biased\r\n")
    engine, proj = new_project(f"sqlite:///{tmp_path / 'a.db'}")
    report = import_labels(engine, proj, path)
    assert report.problems == ["ids.csv:2: 'unit_id' 0 is not a unit id"]


def test_a_nul_character_in_a_value_is_refused_and_a_backslash_u0000_text_is_not(tmp_path):
    path = tmp_path / "notes.jsonl"
    lines = [
        {
            "text": "Rain fell.",
            "annotator": "a",
            "values": {"bias": "biased", "note": "C:\\u0000dir"},
        },
        {"text": "Snow fell.", "annotator": "a", "values": {"bias": "biased", "note": "a\u0000b"}},
    ]
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    engine, proj = new_project(f"sqlite:///{tmp_path / 'a.db'}")
    report = import_labels(engine, proj, path)
    assert report.created == 1  # the literal backslash text is a text like any other
    assert report.problems == ["notes.jsonl:2: a value contains a NUL character"]


def test_names_that_differ_only_by_spaces_are_one_annotator(tmp_path):
    path = tmp_path / "ours.jsonl"
    row = {
        "text": "Rain fell.",
        "annotations": [
            {"annotator": "alice", "values": {"bias": "biased"}, "status": "done"},
            {"annotator": "alice ", "values": {"bias": "non_biased"}, "status": "done"},
        ],
    }
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    engine, proj = new_project(f"sqlite:///{tmp_path / 'a.db'}")
    report = import_labels(engine, proj, path)
    assert report.problems == [] and report.created == 1
