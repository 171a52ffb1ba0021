"""Assistance on the annotate screen: the model's guess beside each task it has learnt, the
accept key, the `assisted` flag reaching exports and the card, and loaded-word hints (a
lexicon built from span labels, its words underlined in the sentence)."""

from __future__ import annotations

import json

import pytest
from rich.text import Text
from sqlalchemy import text
from typer.testing import CliRunner

from annotator.assist.lexicon import Matcher, read_lexicon
from annotator.cli.app import app as cli
from annotator.errors import UserError
from annotator.schema import builtin_schema
from annotator.schema.loader import parse_schema
from annotator.schema.model import Label, Schema, Task
from annotator.store.annotations import save_annotation
from annotator.store.annotators import get_or_create_annotator
from annotator.store.engine import open_store, session_scope
from annotator.store.models import Document, Unit
from annotator.store.projects import create_project
from annotator.tui.widgets.status import KeyHints
from annotator.tui.widgets.unit_view import UnitBox
from tests.support.assist import trained_store
from tests.support.tui import BIAS_QUICK, MEDIA_BIAS, make_app, panel, screen_text

runner = CliRunner()


async def guessed(pilot, task: str = "bias") -> str:
    """The guess the task shows once the models are read (a thread): "" if none comes."""
    for _ in range(50):
        await pilot.pause(0.05)
        if panel(pilot.app, task).guess:
            break
    return panel(pilot.app, task).guess


def labels_of(ctx, name: str) -> list[tuple[str, dict, object]]:
    with session_scope(ctx.engine) as s:
        rows = s.execute(
            text(
                'SELECT a.status, a."values", a.assisted FROM annotation a '
                "JOIN annotator p ON p.id = a.annotator_id WHERE p.name = :n ORDER BY a.unit_id"
            ),
            {"n": name},
        ).all()
    return [(status, json.loads(v) if isinstance(v, str) else v, flag) for status, v, flag in rows]


def footer(app) -> str:
    return str(app.screen.query_one(KeyHints).render())


# --- suggestions -------------------------------------------------------------------------


async def test_suggestions_off_by_default_show_nothing_and_the_key_does_nothing(tmp_path):
    ctx, _ = trained_store(tmp_path, BIAS_QUICK, suggestions=False)
    app = make_app(ctx, name="bob")
    async with app.run_test(size=(80, 24)) as pilot:
        assert await guessed(pilot) == ""
        assert "Accept" not in footer(app)
        await pilot.press("equals_sign")
        await pilot.pause()
        assert "model:" not in str(panel(app, "bias").render())
    assert labels_of(ctx, "bob") == []


async def test_with_suggestions_on_the_guess_and_its_confidence_are_shown(tmp_path):
    ctx, _ = trained_store(tmp_path, BIAS_QUICK)
    app = make_app(ctx, name="bob")
    async with app.run_test(size=(80, 24)) as pilot:
        guess = await guessed(pilot)
        assert value_shown(guess) in ("biased", "non_biased") and guess.endswith("%")
        assert guess in str(panel(app, "bias").render())
        assert "= Accept" in footer(app).replace("  ", " ")


VALUE = {"Biased": "biased", "Not biased": "non_biased"}


def value_shown(guess: str) -> str:
    """The value a guess line names: "model: Not biased 87%" -> "non_biased"."""
    return VALUE[guess.removeprefix("model: ").rsplit(" ", 1)[0]]


async def test_accept_answers_with_the_guess_saves_and_records_assisted(tmp_path):
    ctx, data = trained_store(tmp_path, BIAS_QUICK)  # bob's queue starts after alice's 60
    app = make_app(ctx, name="bob")
    async with app.run_test(size=(80, 24)) as pilot:
        guess = await guessed(pilot)
        await pilot.press("equals_sign")  # one key: the unit is answered and saved
        await pilot.pause()
        assert data[61][0] in screen_text(app)
        await guessed(pilot)
        await pilot.press("2")  # typed, with the guess on screen: assisted too
        await pilot.pause()
    (first, second) = labels_of(ctx, "bob")
    assert first[0] == "done" and first[1] == {"bias": value_shown(guess)}
    assert first[2] and second[2]  # 1 (SQLite) or True


async def test_accept_fills_only_what_it_knows_and_says_what_is_still_needed(tmp_path):
    ctx, data = trained_store(tmp_path, MEDIA_BIAS, labelled=60)  # bias learnt, opinion not
    app = make_app(ctx, name="bob")
    async with app.run_test(size=(80, 24)) as pilot:
        await guessed(pilot)
        assert panel(app, "opinion").guess == ""  # no model for it: nothing shown
        await pilot.press("equals_sign")
        await pilot.pause()
        assert panel(app, "bias").value == value_shown(panel(app, "bias").guess)
        assert "Still needed: opinion" in str(app.screen.query_one("#message").render())
        assert app.screen.active is panel(app, "opinion")
        assert data[60][0] in screen_text(app)  # not saved: still here
    assert labels_of(ctx, "bob") == []


KINDS = Schema(
    name="kinds",
    tasks=(
        BIAS_QUICK.tasks[0],
        Task(
            name="kinds",
            type="multi",
            labels=(
                Label("loaded", "Loaded word", "3"),
                Label("dated", "Has a day", "4"),
                Label("never", "Never chosen", "5"),
            ),
        ),
    ),
)


async def test_accept_fills_a_multi_choice_task_with_its_labels_in_schema_order(tmp_path):
    def values(_text: str, bias: str) -> dict:
        return {"bias": bias, "kinds": ["dated", "loaded"] if bias == "biased" else ["dated"]}

    ctx, _ = trained_store(tmp_path, KINDS, values=values)
    app = make_app(ctx, name="bob")
    async with app.run_test(size=(80, 24)) as pilot:
        bias = value_shown(await guessed(pilot))
        assert (await guessed(pilot, "kinds")).startswith("model: ")
        await pilot.press("equals_sign")
        await pilot.pause()
    ((status, saved, flag),) = labels_of(ctx, "bob")
    kinds = ["loaded", "dated"] if bias == "biased" else ["dated"]
    assert status == "done" and saved == {"bias": bias, "kinds": kinds} and flag


async def test_a_guess_never_changes_the_height_of_its_task(tmp_path):
    ctx, _ = trained_store(tmp_path, BIAS_QUICK)
    app = make_app(ctx, name="bob")
    async with app.run_test(size=(80, 24)) as pilot:
        await guessed(pilot)
        heights = set()
        for _ in range(4):
            heights.add(panel(app, "bias").size.height)
            panel(app, "bias").show_guess("")  # as a unit without a guess would be
            await pilot.pause()
            heights.add(panel(app, "bias").size.height)
            await pilot.press("1")
            await guessed(pilot)
        assert len(heights) == 1


async def test_a_model_that_fails_shows_nothing_and_the_label_is_not_assisted(tmp_path):
    ctx, _ = trained_store(tmp_path, BIAS_QUICK)
    with session_scope(ctx.engine) as s:
        s.execute(text("UPDATE assistmodel SET weights = :w"), {"w": b"damaged"})
    app = make_app(ctx, name="bob")
    async with app.run_test(size=(80, 24)) as pilot:
        assert await guessed(pilot) == ""
        await pilot.press("equals_sign")
        await pilot.pause()
        assert "No suggestion" in str(app.screen.query_one("#message").render())
        await pilot.press("1")
        await pilot.pause()
    ((status, values, flag),) = labels_of(ctx, "bob")
    assert status == "done" and values == {"bias": "biased"} and not flag


# --- assisted in exports ---------------------------------------------------------------


async def test_exports_and_the_card_say_which_labels_were_assisted(tmp_path):
    # The built-in schema (stored as YAML, so the export can read it): Chinese labels.
    ctx, _ = trained_store(tmp_path, builtin_schema("bias_quick"), labelled=60, total=62)
    app = make_app(ctx, name="bob")
    async with app.run_test(size=(80, 24)) as pilot:
        guess = await guessed(pilot)
        assert guess.removeprefix("model: ").split(" ")[0] in ("有偏见", "无偏见")
        await pilot.press("equals_sign")
        await pilot.pause()
    db = str(tmp_path / "ui.db")
    out = tmp_path / "x.jsonl"
    got = runner.invoke(cli, ["export", "--db", db, "--format", "jsonl", "-o", str(out), "--card"])
    assert got.exit_code == 0, got.output
    flags = {}
    for line in out.read_text(encoding="utf-8").splitlines():
        for a in json.loads(line)["annotations"]:
            flags.setdefault(a["annotator"], set()).add(a["assisted"])
    assert flags == {"alice": {None}, "bob": {True}}
    card = next(tmp_path.glob("*.md")).read_text(encoding="utf-8")
    assert "**Model suggestions:** 1 of 61 `done` labels" in card
    assert "60 not on the annotate screen" in card
    csv_out = tmp_path / "x.csv"
    got = runner.invoke(cli, ["export", "--db", db, "--format", "csv", "-o", str(csv_out)])
    assert got.exit_code == 0, got.output
    import csv

    rows = list(csv.DictReader(csv_out.open(encoding="utf-8")))
    assert {(r["annotator"], r["assisted"]) for r in rows} == {("alice", ""), ("bob", "true")}


# --- loaded-word hints -------------------------------------------------------------------


def test_words_match_whole_and_in_any_case_chinese_anywhere():
    m = Matcher(["slammed", "radical", "radical left", "AI", "激进", "激进分子", '"so-called"'])

    def found(t: str) -> list[str]:
        return [t[a:b] for a, b in m.find(t)]

    assert found("Critics SLAMMED the radical left, radicals and unslammed.") == [
        "SLAMMED",
        "radical left",
    ]
    assert found("用AI技术的激进分子说") == ["AI", "激进分子"]  # longest entry wins
    assert found('the "so-called" plan, the AI-driven one') == ['"so-called"', "AI"]
    assert Matcher([]).find("anything") == []


def test_a_lexicon_file_skips_comments_and_problems_are_one_line(tmp_path):
    words = tmp_path / "words.txt"
    words.write_text("# loaded words\n\nslammed\n  radical   left \n激进\n", encoding="utf-8")
    assert read_lexicon(words) == ["slammed", "radical left", "激进"]
    with pytest.raises(UserError, match=r"no such file.*annotator model lexicon"):
        read_lexicon(tmp_path / "missing.txt")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"ok\n" + "激进".encode("gbk"))
    with pytest.raises(UserError, match="line 2: not UTF-8"):
        read_lexicon(bad)


def test_the_schema_option_must_name_a_file():
    body = "tasks:\n  - name: bias\n    type: single\n    labels: [a, b]\n"
    assert parse_schema(f"name: x\nlexicon: words.txt\n{body}").lexicon == "words.txt"
    assert parse_schema(f"name: x\n{body}").lexicon is None
    with pytest.raises(Exception, match="`lexicon` should be the path of a word list"):
        parse_schema(f'name: x\nlexicon: "  "\n{body}')


SPAN_SCHEMA = """name: words
lexicon: words.txt
overlap: 3
tasks:
  - name: bias
    type: single
    labels: [biased, non_biased]
  - name: biased_words
    type: span
"""
SENTENCES = [
    "Critics slammed the reckless plan.",
    "Officials Slammed the reckless bill [bold]today[/bold].",
    "批评者称这是激进的计划。",
    "The vote is set for Tuesday.",
]


def span_store(tmp_path):
    """A project of SENTENCES whose schema names words.txt; alice and bob marked words."""
    db = tmp_path / "w.db"
    engine = open_store(f"sqlite:///{db}")
    with session_scope(engine) as s:
        proj = create_project(s, "news", parse_schema(SPAN_SCHEMA))
        doc = Document(project_id=proj.id, title="Story", content_hash="d")
        s.add(doc)
        s.flush()
        ids = []
        for pos, body in enumerate(SENTENCES):
            unit = Unit(
                project_id=proj.id,
                document_id=doc.id,
                position=pos,
                kind="body",
                text=body,
                text_hash=f"h{pos}",
            )
            s.add(unit)
            s.flush()
            ids.append(unit.id)
        marks = {
            "alice": [["slammed", "reckless"], ["Slammed"], ["激进"]],
            "bob": [["slammed"], ["Slammed", "reckless"], []],
        }
        for name, per_unit in marks.items():
            who = get_or_create_annotator(s, name).id
            for uid, body, words in zip(ids, SENTENCES, per_unit, strict=False):
                spans = [
                    {"text": w, "start": body.index(w), "end": body.index(w) + len(w)}
                    for w in words
                ]
                save_annotation(
                    s,
                    unit_id=uid,
                    annotator_id=who,
                    schema_version_id=proj.schema_version_id,
                    values={"bias": "biased", "biased_words": spans},
                )
    return db


def test_model_lexicon_builds_a_word_list_from_span_labels(tmp_path):
    db = span_store(tmp_path)
    got = runner.invoke(
        cli,
        [
            "model",
            "lexicon",
            "--db",
            str(db),
            "--task",
            "biased_words",
            "-o",
            str(tmp_path / "w.txt"),
        ],
    )
    assert got.exit_code == 0, got.output
    assert "lexicon: w.txt" in got.output  # what to put in the schema, from the store's folder
    # slammed: 4 labels (any case), reckless: 2, 激进: 1 (below --min-count 2)
    assert read_lexicon(tmp_path / "w.txt") == ["slammed", "reckless"]
    got = runner.invoke(
        cli, ["model", "lexicon", "--db", str(db), "--task", "biased_words", "--min-count", "1"]
    )
    assert got.output.splitlines()[1:] == ["slammed", "reckless", "激进"]
    got = runner.invoke(cli, ["model", "lexicon", "--db", str(db), "--task", "bias"])
    assert got.exit_code != 0 and isinstance(got.exception, UserError)
    assert str(got.exception) == (
        "--task bias: not a span task of project news (span tasks: biased_words)"
    )


def test_annotate_with_a_missing_lexicon_stops_in_one_line(tmp_path):
    db = span_store(tmp_path)
    got = runner.invoke(cli, ["annotate", "--db", str(db), "-a", "carol"])
    assert got.exit_code != 0 and isinstance(got.exception, UserError)
    (line,) = str(got.exception).splitlines()
    assert line.startswith(f"lexicon {tmp_path / 'words.txt'}: no such file")


async def test_the_lexicons_words_are_underlined_in_the_sentence(tmp_path):
    from annotator.store.projects import get_project
    from annotator.store.schema_versions import current_schema
    from annotator.tui.launch import StoreContext, load_hints

    db = span_store(tmp_path)
    (tmp_path / "words.txt").write_text("slammed\nreckless\n激进\n", encoding="utf-8")
    engine = open_store(f"sqlite:///{db}")
    with session_scope(engine) as s:
        proj = get_project(s, None)
        ctx = StoreContext(
            engine, proj.id, proj.name, current_schema(s, proj), proj.schema_version_id
        )
    app = make_app(ctx, name="carol", hints=load_hints(ctx))

    def underlined(box: UnitBox) -> list[str]:
        rendered: Text = box.render()
        return [
            rendered.plain[span.start : span.end]
            for span in rendered.spans
            if "underline" in str(span.style)
        ]

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        box = app.screen.query_one(UnitBox)
        assert underlined(box) == ["slammed", "reckless"]
        await pilot.press("1", "enter")
        await pilot.pause()
        # Markup in the text stays text; the words are found in any case.
        assert "[bold]today[/bold]" in box.render().plain
        assert underlined(box) == ["Slammed", "reckless"]
        await pilot.press("1", "enter")
        await pilot.pause()
        assert underlined(box) == ["激进"]
