"""README's "A project, start to finish", run line by line in a fresh copy of what a clone
has (the shipped schemas and the bundled sample), with the virtual environment's commands on
PATH as the README's `activate` step puts them. The two interactive `annotate` lines are
stood in for by labels saved as those annotators (alice and bob disagree on some sentences),
so agreement, export and report run on real labels; the hf export must load in `datasets`."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent  # the venv's bin: where `annotator` is installed


def walkthrough_lines() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- walkthrough -->\n```sh\n(.*?)```\n<!-- /walkthrough -->", text, re.S)
    assert block, "README: the walk-through block (<!-- walkthrough -->) is missing"
    return [line for line in block.group(1).splitlines() if line.strip()]


def label_as(name: str, env: dict[str, str], cwd: Path) -> None:
    """What `annotator annotate --annotator NAME` leaves behind: a done label per unit."""
    from annotator.store.engine import open_store

    with open_store(str(cwd / env["ANNOTATOR_DB"])).connect() as conn:
        from sqlalchemy import text

        units = list(conn.execute(text("SELECT id, text FROM unit ORDER BY id")))
    records = []
    for i, (_, body) in enumerate(units):
        bias = "biased" if (i % 3 == 0) != (name == "bob" and i % 5 == 0) else "non_biased"
        values = {"bias": bias, "opinion": "entirely_factual"}
        if bias == "biased":
            values["bias_type"] = ["word_choice_labelling"]
        records.append({"text": body, "annotator": name, "values": values})
    path = cwd / f"{name}.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), "utf-8")
    done = subprocess.run(
        ["annotator", "labels", "import", str(path)],
        cwd=cwd, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr + done.stdout


def test_the_walkthrough_runs_line_by_line(tmp_path, monkeypatch):
    if not (BIN / "annotator").exists():
        pytest.skip("the annotator command is not installed next to this Python")
    shutil.copytree(REPO / "schemas", tmp_path / "schemas")
    shutil.copytree(REPO / "annotator" / "samples", tmp_path / "annotator" / "samples")
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("ANNOTATOR_DB", None)
    env.update(HF_DATASETS_OFFLINE="1", HF_HUB_OFFLINE="1", COLUMNS="120")
    for line in walkthrough_lines():
        command = line.split("  #")[0].strip()
        if command.startswith("export "):
            key, _, value = command[len("export ") :].partition("=")
            env[key] = value
            continue
        words = shlex.split(command)
        if words[:2] == ["annotator", "annotate"]:
            label_as(words[words.index("--annotator") + 1], env, tmp_path)
            continue
        done = subprocess.run(
            ["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True,
            check=False, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
        assert "Traceback" not in done.stderr, command
        if words[:2] == ["annotator", "agreement"]:
            assert "bias" in done.stdout
    datasets = pytest.importorskip("datasets")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "cache"))
    ds = datasets.load_dataset(str(tmp_path / "exports" / "zh-news"))
    assert sum(len(split) for split in ds.values()) > 0
    assert (tmp_path / "exports" / "zh-news.html").is_file()
    assert "overlap: 2" in (tmp_path / "zh-news.yaml").read_text(encoding="utf-8")
