"""`labels import` on hostile JSONL and CSV files, with our columns and the BABE preset:
labels imported, or each bad record named as `FILE:LINE: what`, or one UserError naming
the file; never another exception."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import strategies as st

from annotator.errors import UserError
from annotator.labels import Columns, babe_columns, import_labels
from tests.fuzz.conftest import fuzz
from tests.fuzz.mutate import csv_rows, jsonl, mutated
from tests.support.exports import new_project

FIELDS = (
    "text",
    "unit_id",
    "annotator",
    "task",
    "value",
    "values",
    "status",
    "document",
    "annotations",
    "url",
    "title",
    "kind",
)
BABE_FIELDS = (
    "text",
    "news_link",
    "outlet",
    "topic",
    "type",
    "label_bias",
    "label_opinion",
    "biased_words",
    "annotator_id",
    "mturk_id",
)
JSONL = [
    b'{"text": "Leaders met.", "annotator": "ann", "task": "bias", "value": "biased"}\n'
    b'{"unit_id": 1, "annotator": "bo", "values": {"bias": "non_biased", "bias_type": '
    b'["informational"]}, "status": "done"}\n'
    b'{"text": "Rain fell.", "document": {"url": "https://x.example", "title": "T"}, '
    b'"annotations": [{"annotator": "cy", "values": {"bias": "biased"}, "status": "flagged"}]}\n'
]
CSV = [
    b"text,annotator,task,value,status\nLeaders met.,ann,bias,biased,done\n"
    b'"Rain, fell.",bo,bias_type,"[""informational""]",skipped\n',
    b"sentence;news_link;outlet;topic;type;label_bias;label_opinion;biased_words;annotator_id\n"
    b"The mayor lied.;https://x.example;o;t;left;Biased;Expresses writer's opinion;"
    b"['lied'];7\n",
]
TARGETS = {
    "jsonl": (".jsonl", st.one_of(mutated(JSONL), jsonl(FIELDS))),
    "csv": (".csv", st.one_of(mutated(CSV), csv_rows(FIELDS))),
    "jsonl-babe": (".jsonl", st.one_of(mutated(JSONL), jsonl(BABE_FIELDS))),
    "csv-babe": (".csv", st.one_of(mutated(CSV), csv_rows(BABE_FIELDS))),
}


@pytest.fixture(scope="module")
def project() -> Iterator[tuple]:
    with tempfile.TemporaryDirectory() as folder:
        engine, proj = new_project(f"sqlite:///{Path(folder) / 'labels.db'}")
        yield engine, proj
        engine.dispose()


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_fuzz_labels_import(project, target: str) -> None:
    engine, proj = project
    suffix, inputs = TARGETS[target]

    def check(data: bytes) -> None:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"labels{suffix}"
            path.write_bytes(data)
            cols = babe_columns(path) if target.endswith("babe") else Columns()
            try:
                report = import_labels(engine, proj, path, cols)
            except UserError as exc:
                assert str(path) in str(exc) and "\n" not in str(exc)
                return
            for line in report.problems:
                assert line.startswith(f"{path.name}:") and "\n" not in line, line
            assert report.records >= report.created + report.updated + report.unchanged

    fuzz(f"labels import {target}", inputs, check)
