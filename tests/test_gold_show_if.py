"""Gold obeys the schema's show_if: property tests over random label tables with chains,
and the media_bias case from issue 11 (adjudicated non_biased, bias_type left empty)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.analysis.aggregate import ADJUDICATED, NOT_SHOWN, TIE, gold_for_unit
from annotator.schema import builtin_schema
from annotator.schema.visibility import parents_first, show_if_of, shown, with_parents

# A chain: a -> b (shown when a = yes) -> c (shown when b has x) -> s (span, when c = on).
TYPES = {"a": "single", "b": "multi", "c": "single", "s": "span", "free": "single"}
SHOW_IF = {"b": {"a": ("yes",)}, "c": {"b": ("x",)}, "s": {"c": ("on",)}}
CHOICES = {"a": ["yes", "no"], "b": [["x"], ["y"], ["x", "y"]], "c": ["on", "off"]}
SPANS = [[{"token_start": 0, "token_end": 1}], [{"token_start": 1, "token_end": 3}], None]


@st.composite
def annotation(draw) -> dict:
    values: dict = {"free": draw(st.sampled_from(["p", "q"]))}
    for task in ("a", "b", "c"):
        if draw(st.booleans()):  # sometimes a value even where the task was hidden (stale)
            values[task] = draw(st.sampled_from(CHOICES[task]))
    values["s"] = draw(st.sampled_from(SPANS))
    return {"values": values, "status": draw(st.sampled_from(["done", "done", "skipped"]))}


adjudication = st.dictionaries(
    st.sampled_from(["a", "b", "c", "s", "free"]),
    st.sampled_from(["yes", "no", ["x"], "on", "off", "p"]),
    max_size=3,
)


@settings(max_examples=300, deadline=None)
@given(st.lists(annotation(), max_size=5), adjudication)
def test_hidden_tasks_have_no_gold_and_adjudication_wins(anns, adjudicated):
    golds = gold_for_unit(TYPES, anns, adjudicated, show_if=SHOW_IF)
    values = {t: g.value for t, g in golds.items()}
    for task, conditions in SHOW_IF.items():
        parent_shown = all(golds[p].source != NOT_SHOWN for p in conditions)
        if not (parent_shown and shown(conditions, values)):
            assert golds[task].value is None and golds[task].source == NOT_SHOWN
    for task, value in adjudicated.items():
        if golds[task].source != NOT_SHOWN:
            assert golds[task].source == ADJUDICATED and golds[task].value == value
    for task, g in golds.items():
        if g.source == TIE and TYPES[task] == "single":
            assert g.value is None


@settings(max_examples=200, deadline=None)
@given(st.lists(annotation(), min_size=1, max_size=5))
def test_only_annotators_who_saw_a_task_vote_on_it(anns):
    golds = gold_for_unit(TYPES, anns, show_if=SHOW_IF)
    if golds["c"].source == NOT_SHOWN:
        return
    saw_c = [
        a["values"]
        for a in anns
        if a["status"] == "done"
        and a["values"].get("a") == "yes"
        and "x" in (a["values"].get("b") or [])
    ]
    assert golds["c"].votes == sum(1 for v in saw_c if v.get("c"))


def test_parents_come_first_and_selections_pull_their_parents():
    assert parents_first(["s", "c", "free", "b", "a"], SHOW_IF) == ["a", "b", "c", "s", "free"]
    schema = builtin_schema("media_bias")
    assert list(with_parents(schema, ["bias_type"])) == ["bias", "bias_type"]
    assert show_if_of(schema)["biased_words"] == {"bias": ("biased",)}


def media_bias_gold(anns, adjudicated=None):
    schema = builtin_schema("media_bias")
    types = {t.name: t.type for t in schema.tasks}
    return gold_for_unit(types, anns, adjudicated, show_if=show_if_of(schema))


ALICE = {
    "bias": "biased",
    "opinion": "entirely_factual",
    "bias_type": ["informational", "word_choice_labelling"],
    "biased_words": [{"token_start": 2, "token_end": 3}],
}
BOB = {"bias": "non_biased", "opinion": "entirely_factual"}


def test_adjudicated_parent_empties_its_dependent_tasks():
    anns = [{"values": ALICE, "status": "done"}, {"values": BOB, "status": "done"}]
    golds = media_bias_gold(anns, {"bias": "non_biased"})
    assert golds["bias"].value == "non_biased" and golds["bias"].source == ADJUDICATED
    for task in ("bias_type", "biased_words"):
        assert golds[task].value is None and golds[task].source == NOT_SHOWN


def test_a_tied_parent_shows_nothing_below_it():
    anns = [{"values": ALICE, "status": "done"}, {"values": BOB, "status": "done"}]
    golds = media_bias_gold(anns)
    assert golds["bias"].source == TIE
    assert golds["bias_type"].source == NOT_SHOWN and golds["bias_type"].value is None


def test_dependent_gold_counts_only_those_who_saw_it():
    carol = {**ALICE, "bias_type": ["epistemological"], "biased_words": None}
    anns = [{"values": v, "status": "done"} for v in (ALICE, carol, BOB, BOB, ALICE)]
    golds = media_bias_gold(anns, {"bias": "biased"})
    # Three saw bias_type (alice twice, carol): informational 2 of 3 is a majority.
    assert golds["bias_type"].votes == 3
    assert golds["bias_type"].value == ["informational", "word_choice_labelling"]
    # carol saw the span task and marked nothing: token 2 has 2 of 3.
    assert golds["biased_words"].value == [{"token_start": 2, "token_end": 3}]
