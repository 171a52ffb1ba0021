"""Assistance test builders: made-up sentences whose bias a model can learn, a project with a
trained model, and the suggestions switch."""

from __future__ import annotations

import random
from collections.abc import Callable

from sqlalchemy import text

from annotator.assist.train import train_project
from annotator.schema.model import Schema
from annotator.store import assist_models
from annotator.store.annotations import save_annotation
from annotator.store.annotators import get_or_create_annotator
from annotator.store.engine import session_scope
from annotator.tui.launch import StoreContext
from tests.support.tui import make_store

LOADED = ["slammed", "reckless", "disastrous", "outrageous", "radical", "shameful", "absurd"]
NEUTRAL = ["said", "reported", "announced", "noted", "stated", "confirmed", "added"]
WHO = ["The minister", "Officials", "The senator", "Critics", "The council", "Analysts"]
WHAT = ["the budget plan", "the new tax", "the school reform", "the trade deal", "the bill"]


def sentences(n: int, seed: int = 0) -> list[tuple[str, str]]:
    """(sentence, bias) pairs: a loaded word makes a sentence biased, a reporting verb not."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        biased = i % 3 == 0
        word = rng.choice(LOADED if biased else NEUTRAL)
        body = f"{rng.choice(WHO)} {word} {rng.choice(WHAT)} on day {rng.randint(1, 28)}."
        out.append((body, "biased" if biased else "non_biased"))
    return out


def unit_ids(ctx: StoreContext) -> list[int]:
    with session_scope(ctx.engine) as s:
        return [r[0] for r in s.execute(text("SELECT id FROM unit ORDER BY id"))]


def label_units(ctx: StoreContext, values: list[dict], who: str = "alice") -> None:
    """Done labels by `who` for the first len(values) units."""
    with session_scope(ctx.engine) as s:
        person = get_or_create_annotator(s, who).id
        for uid, v in zip(unit_ids(ctx), values, strict=False):
            save_annotation(
                s,
                unit_id=uid,
                annotator_id=person,
                schema_version_id=ctx.schema_version_id,
                values=v,
            )


def trained_store(
    tmp_path,
    schema: Schema,
    *,
    labelled: int = 60,
    total: int = 80,
    suggestions: bool = True,
    values: Callable[[str, str], dict] = lambda _text, bias: {"bias": bias},
) -> tuple[StoreContext, list[tuple[str, str]]]:
    """A project of `total` sentences, the first `labelled` labelled by alice (`values` of a
    sentence and its bias; by default the bias alone), a model
    trained on them, and suggestions switched on (or not). Anyone else's queue starts at the
    first sentence: alice's labels are the model's training data."""
    data = sentences(total)
    ctx = make_store(tmp_path, schema, docs=[[t for t, _ in data]])
    label_units(ctx, [values(t, b) for t, b in data[:labelled]])
    train_project(
        ctx.engine,
        project_id=ctx.project_id,
        schema=ctx.schema,
        schema_version_id=ctx.schema_version_id,
    )
    if suggestions:
        with session_scope(ctx.engine) as s:
            assist_models.change_settings(s, ctx.project_id, suggestions=True)
    return ctx, data
