"""The shipped schemas: valid, readable, shaped as the issue says, and packaged unchanged."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from annotator.cli.schema import schema_app
from annotator.schema import (
    BUILTIN_SCHEMAS,
    RESERVED_KEYS,
    STANCE_VALUES,
    builtin_schema,
    default_schema,
    load_schema,
)

REPO = Path(__file__).resolve().parents[1]
SCHEMAS = REPO / "schemas"
BUILTIN = REPO / "annotator" / "schema" / "builtin"
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_builtin_names_match_the_schemas_folder():
    assert sorted(p.stem for p in SCHEMAS.glob("*.yaml")) == sorted(BUILTIN_SCHEMAS)


@pytest.mark.parametrize("name", BUILTIN_SCHEMAS)
def test_packaged_copy_is_identical_to_schemas_folder(name):
    # schemas/ is the source; if this fails, run: cp schemas/*.yaml annotator/schema/builtin/
    assert (BUILTIN / f"{name}.yaml").read_bytes() == (SCHEMAS / f"{name}.yaml").read_bytes()


@pytest.mark.parametrize("name", BUILTIN_SCHEMAS)
def test_shipped_schema_passes_and_is_keyboard_ready(name):
    schema = load_schema(SCHEMAS / f"{name}.yaml")
    assert schema.content_hash == builtin_schema(name).content_hash
    for task in schema.tasks:
        for label in task.labels:
            assert label.key is not None, f"{task.name}.{label.value} has no key"
            assert label.key not in RESERVED_KEYS
            assert CJK.search(label.text), f"{task.name}.{label.value} has no Chinese text"
    # Guidelines worth reading, in Chinese and in English.
    assert len(schema.guidelines) > 800
    assert CJK.search(schema.guidelines)
    assert len(re.findall(r"\b[a-z]{3,}\b", schema.guidelines)) > 60


def test_check_command_passes_every_shipped_schema():
    files = [str(SCHEMAS / f"{name}.yaml") for name in BUILTIN_SCHEMAS]
    result = CliRunner().invoke(schema_app, ["check", *files])
    assert result.exit_code == 0, result.output
    assert [line.split(": ok (")[0] for line in result.output.splitlines()] == files


def test_media_bias_is_the_default_with_the_babe_values():
    schema = default_schema()
    assert schema.name == "media-bias"
    assert schema.language == "zh"
    assert [(t.name, t.type) for t in schema.tasks] == [
        ("bias", "single"),
        ("opinion", "scale"),
        ("biased_words", "span"),
        ("bias_type", "multi"),
        ("note", "text"),
    ]
    assert schema.task("bias").values == ("biased", "non_biased")
    opinion = schema.task("opinion")
    assert opinion.values == (
        "entirely_factual",
        "somewhat_factual_but_opinionated",
        "expresses_writers_opinion",
    )
    assert opinion.agreement == "ordinal"
    assert schema.task("biased_words").show_if == {"bias": ("biased",)}
    bias_type = schema.task("bias_type")
    assert bias_type.values == (
        "word_choice_labelling",
        "epistemological",
        "informational",
        "other",
    )
    assert bias_type.show_if == {"bias": ("biased",)}
    assert schema.task("note").required is False
    assert schema.task("bias").label("biased").text == "有偏见"


def test_stance_schema():
    schema = builtin_schema("stance")
    assert len(schema.targets) >= 2
    (task,) = schema.tasks
    assert task.type == "stance"
    assert task.values == STANCE_VALUES


def test_frames_schema_has_the_15_mfc_frames_and_a_5_point_tone():
    schema = builtin_schema("frames")
    frames, tone = schema.task("frames"), schema.task("tone")
    assert frames.type == "multi"
    assert len(frames.values) == 15
    assert {"economic", "morality", "political", "public_opinion", "other"} <= set(frames.values)
    assert len({lab.key for lab in frames.labels}) == 15
    assert tone.type == "scale"
    assert len(tone.values) == 5
    assert tone.agreement == "ordinal"


def test_bias_quick_is_one_keystroke_per_sentence():
    schema = builtin_schema("bias_quick")
    (task,) = schema.tasks
    assert (task.name, task.type) == ("bias", "single")
    assert task.values == ("biased", "non_biased")
    assert [lab.key for lab in task.labels] == ["1", "2"]
    assert not task.show_if


def test_unknown_builtin_name():
    with pytest.raises(KeyError, match="no built-in schema 'nope'"):
        builtin_schema("nope")
