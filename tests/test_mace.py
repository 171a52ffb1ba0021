"""MACE: a careful annotator is trusted over two who spam; exported as --gold-method mace."""

from __future__ import annotations

import json

import numpy as np

from annotator.analysis.mace import mace
from annotator.export.options import ExportOptions
from annotator.export.run import export_project
from tests.support.exports import build_store, project_of


def test_mace_learns_who_to_trust():
    rng = np.random.default_rng(7)
    truth = rng.integers(0, 2, 300)
    good = [np.where(rng.random(300) < 0.95, truth, 1 - truth) for _ in range(2)]
    spammers = [np.zeros(300, dtype=np.int64), rng.integers(0, 2, 300)]
    codes = np.vstack([*good, *spammers])
    codes[3, ::4] = -1  # one spammer skips some units
    result = mace(codes, 2)
    assert result.competence[0] > 0.85 and result.competence[1] > 0.85
    assert result.competence[2] < 0.3 and result.competence[3] < 0.3
    assert (result.labels() == truth).mean() > 0.9


def test_export_gold_method_mace(sqlite_url, tmp_path):
    engine, pid = build_store(sqlite_url, documents=6)
    opts = ExportOptions(gold=True, gold_method="mace", card=True)
    result = export_project(engine, project_of(engine, pid), "jsonl", tmp_path / "m.jsonl", opts)
    rows = [json.loads(x) for x in (tmp_path / "m.jsonl").read_text("utf-8").splitlines()]
    assert {r["gold_source"]["bias"] for r in rows} <= {"mace", "adjudicated", "tie"}
    assert any(r["gold_source"]["bias"] == "mace" for r in rows)
    assert all(set(r["gold_posterior"]) == {"bias", "opinion"} for r in rows)
    assert "Method `mace`" in result.card.read_text(encoding="utf-8")
