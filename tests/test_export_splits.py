"""Gold by vote and grouped, stratified, seeded splits."""

from __future__ import annotations

from annotator.analysis.aggregate import gold_for_unit, vote_multi, vote_single, vote_span
from annotator.export.splits import assign_splits


def test_single_vote_majority_tie_and_adjudication():
    assert vote_single(["a", "a", "b"]).value == "a"
    tie = vote_single(["a", "b"])
    assert tie.value is None and tie.source == "tie"
    anns = [{"values": {"t": "a"}, "status": "done"}, {"values": {"t": "b"}, "status": "done"}]
    gold = gold_for_unit({"t": "single"}, anns, {"t": "b"})
    assert gold["t"].value == "b" and gold["t"].source == "adjudicated"


def test_skipped_annotations_do_not_vote():
    anns = [
        {"values": {"t": "a"}, "status": "done"},
        {"values": {"t": "b"}, "status": "skipped"},
    ]
    assert gold_for_unit({"t": "single"}, anns)["t"].source == "unanimous"


def test_multi_and_span_vote_per_member():
    g = vote_multi([["x", "y"], ["x"], ["x", "z"]])
    assert g.value == ["x"] and g.source == "majority"
    spans = [
        [{"token_start": 1, "token_end": 3}],
        [{"token_start": 2, "token_end": 4}],
        [{"token_start": 2, "token_end": 3}],
    ]
    assert vote_span(spans).value == [{"token_start": 2, "token_end": 3}]


def test_splits_keep_documents_whole_and_follow_shares():
    docs = {d: (10, "biased" if d % 3 else "non_biased") for d in range(100)}
    out = assign_splits(docs, (0.8, 0.1, 0.1), seed=7)
    assert set(out) == set(docs)  # every document in exactly one split
    units = {s: sum(10 for d, name in out.items() if name == s) for s in set(out.values())}
    assert 760 <= units["train"] <= 840 and 80 <= units["test"] <= 120
    for label in ("biased", "non_biased"):  # stratified: each label in every split
        assert {out[d] for d in docs if docs[d][1] == label} == {"train", "validation", "test"}
    assert assign_splits(docs, (0.8, 0.1, 0.1), seed=7) == out
    assert assign_splits(docs, (0.8, 0.1, 0.1), seed=8) != out
