"""Assistance: models trained on a small made-up project, kept in the store and read back,
suggestions for the annotation session, the `assisted` flag on labels, and `annotator model`."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from annotator.assist.kinds import KINDS
from annotator.assist.model import AssistUnavailable, TaskModel
from annotator.assist.suggest import Suggester
from annotator.assist.train import train_project
from annotator.cli.app import app
from annotator.errors import UserError
from annotator.schema import builtin_schema
from annotator.schema.model import Label, Schema, Task
from annotator.schema.tasks import TASK_TYPES
from annotator.store import assist_models
from annotator.store.annotations import save_annotation, undo_save
from annotator.store.annotators import get_or_create_annotator
from annotator.store.engine import StoreError, open_store, session_scope
from annotator.store.models import Document, Unit
from annotator.store.projects import create_project
from annotator.tui.controller import Annotating
from annotator.tui.launch import StoreContext

runner = CliRunner()

LOADED = ["slammed", "reckless", "disastrous", "outrageous", "radical", "shameful", "absurd"]
NEUTRAL = ["said", "reported", "announced", "noted", "stated", "confirmed", "added"]
WHO = ["The minister", "Officials", "The senator", "Critics", "The council", "Analysts"]
WHAT = ["the budget plan", "the new tax", "the school reform", "the trade deal", "the bill"]


def sentences(n: int, seed: int = 0) -> list[tuple[str, str]]:
    """(sentence, bias) pairs: a loaded word makes a sentence biased, a reporting verb not."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        biased = i % 3 == 0  # a minority, as in most corpora
        word = rng.choice(LOADED if biased else NEUTRAL)
        body = f"{rng.choice(WHO)} {word} {rng.choice(WHAT)} on day {rng.randint(1, 28)}."
        out.append((body, "biased" if biased else "non_biased"))
    return out


def make_project(url: str, texts: list[str], schema: Schema | None = None) -> StoreContext:
    engine = open_store(url)
    schema = schema or builtin_schema("bias_quick")
    with session_scope(engine) as s:
        proj = create_project(s, "news", schema)
        doc = Document(project_id=proj.id, title="Story", content_hash="d")
        s.add(doc)
        s.flush()
        for pos, body in enumerate(texts):
            s.add(
                Unit(
                    project_id=proj.id,
                    document_id=doc.id,
                    position=pos,
                    kind="body",
                    text=body,
                    text_hash=f"h{pos}",
                )
            )
        assert proj.id is not None and proj.schema_version_id is not None
        return StoreContext(engine, proj.id, proj.name, schema, proj.schema_version_id)


def unit_ids(ctx: StoreContext) -> list[int]:
    with session_scope(ctx.engine) as s:
        rows = s.execute(text("SELECT id FROM unit ORDER BY id"))
        return [r[0] for r in rows]


def label(ctx: StoreContext, values: list[dict], who: str = "alice") -> list[int]:
    """Done labels for the first len(values) units; returns their annotation ids."""
    ids = unit_ids(ctx)
    with session_scope(ctx.engine) as s:
        person = get_or_create_annotator(s, who).id
        return [
            save_annotation(
                s,
                unit_id=uid,
                annotator_id=person,
                schema_version_id=ctx.schema_version_id,
                values=v,
            ).annotation_id
            for uid, v in zip(ids, values, strict=False)
        ]


def train(ctx: StoreContext):
    return train_project(
        ctx.engine,
        project_id=ctx.project_id,
        schema=ctx.schema,
        schema_version_id=ctx.schema_version_id,
    )


def loaded(ctx: StoreContext) -> Suggester:
    suggester = Suggester(ctx.engine, project_id=ctx.project_id, schema=ctx.schema)
    suggester.load()
    return suggester


@pytest.fixture
def trained(db_url):
    """80 units, the first 60 labelled by alice and a model trained on them."""
    data = sentences(80)
    ctx = make_project(db_url, [t for t, _ in data])
    ann_ids = label(ctx, [{"bias": b} for _, b in data[:60]])
    results = train(ctx)
    return ctx, data, ann_ids, results


# --- the model -----------------------------------------------------------------------


def test_every_task_type_has_an_entry_in_the_assist_table():
    assert set(KINDS) == set(TASK_TYPES)


def test_a_trained_model_suggests_labels_for_sentences_it_never_saw(trained):
    ctx, _, _ann_ids, results = trained
    bias = next(r for r in results if r.task == "bias")
    assert bias.trained and bias.labels == 60
    assert bias.accuracy is not None and bias.accuracy >= 0.8  # the newest fifth, held out
    suggester = loaded(ctx)
    assert suggester.problem is None
    value, confidence = suggester.suggest("The governor slammed the outrageous budget plan.")[
        "bias"
    ]
    assert value == "biased" and 0.5 < confidence <= 1.0
    value, _ = suggester.suggest("The governor announced the budget plan on Monday.")["bias"]
    assert value == "non_biased"


def test_the_stored_model_records_what_it_learnt_from(trained):
    ctx, _, ann_ids, _ = trained
    with session_scope(ctx.engine) as s:
        (info,) = assist_models.model_infos(s, ctx.project_id)
        stored_ids = s.execute(text("SELECT label_ids FROM assistmodel")).scalar_one()
        mark = s.execute(text("SELECT max(id) FROM annotationevent")).scalar_one()
    assert info.task == "bias" and info.label_count == 60
    assert info.schema_version_id == ctx.schema_version_id
    ids = stored_ids if isinstance(stored_ids, list) else __import__("json").loads(stored_ids)
    assert sorted(ids) == sorted(ann_ids)
    assert info.event_mark == mark


def test_a_model_read_back_from_bytes_gives_the_same_guesses():
    data = sentences(60)
    model = TaskModel.fit("classes", [t for t, _ in data], [b for _, b in data])
    again = TaskModel.from_bytes(model.to_bytes())
    probe = [t for t, _ in sentences(20, seed=7)]
    assert again.guesses(again.probabilities(probe)) == model.guesses(model.probabilities(probe))
    # One text at a time (the key path) agrees with the batch.
    assert [again.suggest(t)[0] for t in probe] == [
        v for v, _ in model.guesses(model.probabilities(probe))
    ]


def test_a_damaged_model_is_refused_with_a_reason_not_a_traceback():
    with pytest.raises(ValueError, match="unreadable model"):
        TaskModel.from_bytes(b"not a model")


def test_multi_choice_tasks_learn_label_sets(tmp_path):
    kinds = Task(
        name="kinds",
        type="multi",
        labels=(Label("loaded", "Loaded", "1"), Label("day", "Day", "2"), Label("x", "X", "3")),
    )
    schema = Schema(name="m", tasks=(kinds,))
    data = sentences(70)
    ctx = make_project(f"sqlite:///{tmp_path / 'm.db'}", [t for t, _ in data], schema)
    label(ctx, [{"kinds": ["loaded", "day"] if b == "biased" else ["day"]} for _, b in data])
    (result,) = train(ctx)
    assert result.trained
    value, _ = loaded(ctx).suggest("Critics slammed the absurd bill on day 3.")["kinds"]
    assert value == ["loaded", "day"]  # "x" was never chosen: never suggested


def test_too_few_labels_or_one_value_only_are_not_learnt(sqlite_url):
    data = sentences(30)
    ctx = make_project(sqlite_url, [t for t, _ in data])
    label(ctx, [{"bias": b} for _, b in data[:5]])
    (result,) = train(ctx)
    assert not result.trained and "needs 10" in result.reason
    label(ctx, [{"bias": "non_biased"}] * 20)
    (result,) = train(ctx)
    assert not result.trained and "same value" in result.reason


def test_a_task_that_can_no_longer_be_learnt_stops_suggesting(trained):
    ctx, *_ = trained
    with session_scope(ctx.engine) as s:
        s.execute(text("UPDATE annotation SET status = 'skipped'"))
    (result,) = train(ctx)
    assert not result.trained
    suggester = loaded(ctx)
    assert suggester.suggest("Critics slammed it.") == {}
    assert "no model" in (suggester.problem or "")


def test_a_model_with_labels_the_schema_no_longer_has_is_not_used(trained):
    ctx, *_ = trained
    renamed = Task(
        name="bias",
        type="single",
        labels=(Label("slanted", "Slanted", "1"), Label("non_biased", "Not", "2")),
    )
    suggester = Suggester(ctx.engine, project_id=ctx.project_id, schema=Schema("s", (renamed,)))
    suggester.load()
    assert suggester.suggest("Critics slammed it.") == {}
    assert "train again" in (suggester.problem or "")


def test_without_scikit_learn_the_message_says_what_to_install(monkeypatch):
    import sys

    for name in [m for m in sys.modules if m == "sklearn" or m.startswith("sklearn.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "sklearn", None)  # import sklearn -> ImportError
    with pytest.raises(AssistUnavailable, match=r"annotator\[assist\]"):
        TaskModel.fit("classes", ["a b", "c d"], ["x", "y"])


# --- open units, ranked for the queue ------------------------------------------------


def test_training_ranks_only_the_units_still_to_label(trained):
    ctx, data, *_ = trained
    ids = unit_ids(ctx)
    with session_scope(ctx.engine) as s:
        uncertain = assist_models.ranked_units(s, ctx.project_id, "uncertain")
        balanced = assist_models.ranked_units(s, ctx.project_id, "balanced")
        scores = dict(
            s.execute(text("SELECT unit_id, confidence FROM assistscore")).all()  # type: ignore[arg-type]
        )
    assert sorted(uncertain) == ids[60:] == sorted(balanced)
    confidences = [scores[u] for u in uncertain]
    assert confidences == sorted(confidences)
    # Balanced: the units most likely biased (the rare label here) come first.
    first, last = balanced[:5], balanced[-5:]
    rare = {t for t, b in data if b == "biased"}
    texts = dict(zip(ids, [t for t, _ in data], strict=True))
    assert sum(texts[u] in rare for u in first) > sum(texts[u] in rare for u in last)


# --- the annotation session ----------------------------------------------------------


def session(ctx: StoreContext, name: str = "bob", **kw) -> Annotating:
    with session_scope(ctx.engine) as s:
        who = get_or_create_annotator(s, name).id
    return Annotating(ctx, annotator_id=who, annotator_name=name, **kw)


def assisted_flags(ctx: StoreContext, name: str) -> tuple[list, list]:
    with session_scope(ctx.engine) as s:
        q = "SELECT {c} FROM {t} x JOIN annotator p ON p.id = x.annotator_id WHERE p.name = :n"
        labels = s.execute(
            text(q.format(c="x.assisted", t="annotation") + " ORDER BY x.id"), {"n": name}
        )
        events = s.execute(
            text(q.format(c="x.assisted", t="annotationevent") + " ORDER BY x.id"), {"n": name}
        )
        return [r[0] for r in labels], [r[0] for r in events]


def test_suggestions_are_off_by_default_and_labels_say_so(trained):
    ctx, *_ = trained
    bob = session(ctx)
    assert bob.open_first() is not None
    assert bob.suggester is None and bob.suggestions() == {}
    bob.save({"bias": "biased"})
    labels, events = assisted_flags(ctx, "bob")
    assert labels == [False] and events == [False]
    # Labels that were not given on screen (imported, made by hand) say nothing.
    assert set(assisted_flags(ctx, "alice")[0]) == {None}


def test_with_suggestions_on_the_session_gets_a_guess_and_labels_record_it(trained):
    ctx, *_ = trained
    with session_scope(ctx.engine) as s:
        assist_models.change_settings(s, ctx.project_id, suggestions=True)
    bob = session(ctx)
    view = bob.open_first()
    assert view is not None
    assert bob.suggester.loaded.wait(30), "the models never finished loading"
    guess = bob.suggestions()["bias"]
    assert guess.value in ("biased", "non_biased") and 0.5 <= guess.confidence <= 1.0
    assert bob.suggestions() is bob.suggestions()  # once per unit
    bob.save({"bias": guess.value})
    labels, events = assisted_flags(ctx, "bob")
    assert labels == [True] and events == [True]


def test_a_label_is_assisted_only_if_a_suggestion_reached_the_screen(trained):
    ctx, *_ = trained
    with session_scope(ctx.engine) as s:
        assist_models.change_settings(s, ctx.project_id, suggestions=True)
    bob = session(ctx)
    assert bob.open_first() is not None
    assert bob.suggester.loaded.wait(30), "the models never finished loading"
    bob.save({"bias": "biased"})  # the setting is on, but nothing was shown for this unit
    labels, events = assisted_flags(ctx, "bob")
    assert labels == [False] and events == [False]
    first = bob.suggester
    assert bob.open_first() is not None and bob.suggester is first  # the models load once


def test_undo_restores_the_flag_of_the_label_it_brings_back(trained):
    ctx, *_ = trained
    ids = unit_ids(ctx)
    with session_scope(ctx.engine) as s:
        who = get_or_create_annotator(s, "carol").id
        first = dict(unit_id=ids[70], annotator_id=who, schema_version_id=ctx.schema_version_id)
        save_annotation(s, **first, values={"bias": "biased"}, assisted=False)
        change = save_annotation(s, **first, values={"bias": "non_biased"}, assisted=True)
        undo_save(s, unit_id=ids[70], annotator_id=who, previous=change.previous)
    labels, events = assisted_flags(ctx, "carol")
    assert labels == [False]
    assert events == [False, True, False]


def test_loading_never_blocks_a_guess_it_answers_nothing_until_ready(trained):
    ctx, *_ = trained
    suggester = Suggester(ctx.engine, project_id=ctx.project_id, schema=ctx.schema)
    assert not suggester.ready and suggester.suggest("anything") == {}
    suggester.start()
    assert suggester.loaded.wait(30)
    assert suggester.ready and "bias" in suggester.suggest("Critics slammed it.")


# --- settings ------------------------------------------------------------------------


def test_settings_default_change_and_refuse_a_bad_share(sqlite_url):
    ctx = make_project(sqlite_url, ["one"])
    with session_scope(ctx.engine) as s:
        assert assist_models.settings(s, ctx.project_id) == assist_models.Settings(False, 0.2)
        assist_models.change_settings(s, ctx.project_id, explore=0.5)
        now = assist_models.change_settings(s, ctx.project_id, suggestions=True)
        assert now == assist_models.Settings(True, 0.5)
        with pytest.raises(StoreError, match="from 0 to 1"):
            assist_models.change_settings(s, ctx.project_id, explore=1.5)


# --- the command line ----------------------------------------------------------------


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def fails(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code != 0
    assert isinstance(result.exception, UserError | StoreError), result.exception
    return str(result.exception)


def test_model_commands_train_show_and_change_settings(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    data = sentences(80)
    ctx = make_project(url, [t for t, _ in data])
    label(ctx, [{"bias": b} for _, b in data[:60]])
    got = run("model", "status", "--db", url)
    assert "No model yet" in got.output and "suggestions off" in got.output
    got = run("model", "train", "--db", url)
    assert got.exit_code == 0
    assert "bias: learnt from 60 labelled units" in got.output
    assert "ranked for --order uncertain" in got.output
    got = run("model", "settings", "--suggestions", "on", "--random-share", "0.3", "--db", url)
    assert "suggestions on, random share 30%" in got.output
    got = run("model", "status", "--json", "--db", url)
    import json

    summary = json.loads(got.output)
    assert summary["suggestions"] is True and summary["random_share"] == 0.3
    (model,) = summary["models"]
    assert model["task"] == "bias" and model["labels"] == 60 and model["labels_since"] == 0
    assert summary["labels_by_suggestions"] == {"on": 0, "off": 0, "unknown": 60}


def test_model_commands_refuse_bad_input_in_one_line(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    make_project(url, [t for t, _ in sentences(20)])
    assert "use on or off" in fails("model", "settings", "--suggestions", "maybe", "--db", url)
    assert "from 0 to 1" in fails("model", "settings", "--random-share", "2", "--db", url)
    assert "label more units" in fails("model", "train", "--db", url)
    assert "--order sideways: use sequential, random, uncertain or balanced" in fails(
        "annotate", "--order", "sideways", "--db", url, "-a", "x"
    )
