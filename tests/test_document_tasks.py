"""Document tasks (`scope: document`): the schema reads them apart from the sentence tasks,
the annotate screen asks them once when an article's last sentence is done, the answers are
stored once per document and annotator with an append-only history."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError, IntegrityError
from sqlmodel import select

from annotator.schema import SchemaError, parse_schema
from annotator.store.engine import session_scope
from annotator.store.models import DocumentAnnotation, DocumentAnnotationEvent
from annotator.tui.screens.document import DocumentScreen
from tests.support.tui import TEXTS, make_app, make_store, screen_text, stored


@pytest.fixture(autouse=True)
def settled(monkeypatch):
    """The dialog takes keys at once here (a test presses faster than anyone types); the
    pause for keys typed ahead has its own test, with a clock it sets."""
    monkeypatch.setattr(DocumentScreen, "SETTLE", 0.0)


SCHEMA = """
name: article
tasks:
  - name: bias
    type: single
    labels:
      - {value: biased, key: "1"}
      - {value: non_biased, key: "2"}
  - name: lean
    type: single
    scope: document
    prompt: Overall, which way does the article lean?
    labels:
      - {value: left, key: "1"}
      - {value: center, key: "2"}
      - {value: right, key: "3"}
  - name: frames
    type: multi
    scope: document
    show_if: {lean: [left, right]}
    labels:
      - {value: conflict, key: "1"}
      - {value: economic, key: "2"}
"""


def on_screen(app) -> str:
    """Every widget's text on the current screen (the article dialog, or the annotate screen's
    message line)."""
    out = []
    for widget in app.screen.walk_children():
        try:
            out.append(str(widget.render()))
        except Exception:  # a container renders nothing of its own
            continue
    return "\n".join(out)


def answers(ctx) -> list[tuple[int, str, dict]]:
    with session_scope(ctx.engine) as s:
        rows = s.exec(select(DocumentAnnotation)).all()
        return [(r.document_id, r.status, dict(r.values)) for r in rows]


def test_document_tasks_are_read_apart_from_the_sentence_tasks():
    schema = parse_schema(SCHEMA, "a.yaml")
    assert [t.name for t in schema.tasks] == ["bias"]
    assert [t.name for t in schema.document_tasks] == ["lean", "frames"]
    assert schema.per_document().tasks == schema.document_tasks


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("type: multi\n    scope: document", None),
        ("type: single\n    scope: article", "task scope 'article' is not one of unit, document"),
    ],
)
def test_scope_values(change, message):
    text_ = SCHEMA.replace("type: single\n    scope: document", change, 1)
    if message is None:
        parse_schema(text_, "a.yaml")
        return
    with pytest.raises(SchemaError) as err:
        parse_schema(text_, "a.yaml")
    assert message in str(err.value)


def test_a_span_task_cannot_be_asked_per_document_and_show_if_stays_in_its_scope():
    bad = """
name: bad
tasks:
  - {name: bias, type: single, labels: [a, b]}
  - {name: words, type: span, scope: document}
  - {name: lean, type: single, scope: document, show_if: {bias: [a]}, labels: [x, y]}
"""
    with pytest.raises(SchemaError) as err:
        parse_schema(bad, "b.yaml")
    lines = str(err.value)
    assert "b.yaml:5:38: task 'words' is a span task" in lines
    assert "task 'lean' (scope document) cannot depend on 'bias' (scope unit)" in lines


def test_a_schema_of_document_tasks_only_is_refused():
    only = "name: x\ntasks:\n  - {name: lean, type: single, scope: document, labels: [a, b]}\n"
    with pytest.raises(SchemaError, match="needs at least one sentence task"):
        parse_schema(only, "c.yaml")


async def test_the_last_sentence_asks_the_article_questions_once(tmp_path):
    schema = parse_schema(SCHEMA, "a.yaml")
    ctx = make_store(tmp_path, schema, docs=[TEXTS[:2], TEXTS[2:4]])
    app = make_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("1", "enter")  # first sentence: not the last, nothing asked
        assert "Overall, which way" not in on_screen(app)
        await pilot.press("2", "enter")  # the article's last sentence
        await pilot.pause()
        shown = on_screen(app)
        assert "Overall, which way does the article lean?" in shown
        assert "Budget story 0" in shown
        await pilot.press("enter")  # nothing chosen: still needed
        await pilot.pause()
        assert "Still needed: lean" in on_screen(app)
        await pilot.press("3")  # right: the frames question appears
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert "Still needed: frames" in on_screen(app)
        await pilot.press("2", "enter")
        await pilot.pause()
        assert TEXTS[2] in screen_text(app)  # back to the next article's first sentence
        assert "Saved your answers" in on_screen(app)
    assert answers(ctx) == [(1, "done", {"lean": "right", "frames": ["economic"]})]
    # The sentence labels are untouched by the article's.
    assert stored(ctx)[TEXTS[1]] == ("done", {"bias": "non_biased"})


async def test_keys_typed_ahead_as_the_questions_open_answer_nothing(tmp_path, monkeypatch):
    # A fast annotator's next "1" and enter, pressed as the dialog opens, were meant for a
    # sentence: they must not answer (and save) a question nobody read.
    monkeypatch.setattr(DocumentScreen, "SETTLE", 0.4)
    now = [100.0]
    monkeypatch.setattr("annotator.tui.screens.document.now", lambda: now[0])
    schema = parse_schema(SCHEMA, "a.yaml")
    ctx = make_store(tmp_path, schema, docs=[TEXTS[:1], TEXTS[1:3]])
    app = make_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("1", "enter")  # the article's only sentence: the dialog opens
        await pilot.pause()
        assert "Overall, which way" in on_screen(app)
        now[0] += 0.1
        await pilot.press("2", "enter")  # typed ahead
        await pilot.pause()
        assert "were ignored: choose again" in on_screen(app)
        assert "Overall, which way" in on_screen(app)
        assert answers(ctx) == []
        now[0] += 0.5  # read, then answered
        await pilot.press("2", "enter")
        await pilot.pause()
        assert "Saved your answers" in on_screen(app)
    assert answers(ctx) == [(1, "done", {"lean": "center"})]


async def test_questions_opened_with_ctrl_o_take_keys_at_once(tmp_path, monkeypatch):
    monkeypatch.setattr(DocumentScreen, "SETTLE", 0.4)
    monkeypatch.setattr("annotator.tui.screens.document.now", lambda: 100.0)  # no time passes
    schema = parse_schema(SCHEMA, "a.yaml")
    ctx = make_store(tmp_path, schema, docs=[TEXTS[:1], TEXTS[1:3]])
    app = make_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("1", "enter")
        await pilot.pause()
        await pilot.press("escape")  # asked by itself: later
        await pilot.pause()
        await pilot.press("ctrl+o")  # asked for: the person is reading it
        await pilot.pause()
        await pilot.press("2", "enter")
        await pilot.pause()
        assert "Saved your answers" in on_screen(app)
    assert answers(ctx) == [(1, "done", {"lean": "center"})]


async def test_escape_leaves_them_for_later_and_ctrl_o_asks_the_owed_article_first(tmp_path):
    schema = parse_schema(SCHEMA, "a.yaml")
    ctx = make_store(tmp_path, schema, docs=[TEXTS[:1], TEXTS[1:3]])
    app = make_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("1", "enter")
        await pilot.pause()
        assert "Overall, which way" in on_screen(app)
        await pilot.press("escape")
        await pilot.pause()
        assert "ctrl+o asks them again" in on_screen(app)
        assert answers(ctx) == []
        await pilot.press("ctrl+o")  # on the next article now, but the owed one comes first
        await pilot.pause()
        assert "Budget story 0" in on_screen(app)
        await pilot.press("2", "enter")  # center: no frames asked
        await pilot.pause()
        assert "Saved your answers" in on_screen(app)
        await pilot.press("ctrl+o")  # nothing owed: the article on screen
        await pilot.pause()
        assert "Budget story 1" in on_screen(app)
        await pilot.press("escape")
    assert answers(ctx) == [(1, "done", {"lean": "center"})]


async def test_answers_that_fail_to_save_are_kept_for_the_retry(tmp_path, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from annotator.tui.controller import Annotating

    schema = parse_schema(SCHEMA, "a.yaml")
    ctx = make_store(tmp_path, schema, docs=[TEXTS[:1], TEXTS[1:3]])
    real, calls = Annotating.answer_document, []

    def flaky(self, document_id, values, **kw):
        calls.append(values)
        if len(calls) == 1:
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        return real(self, document_id, values, **kw)

    monkeypatch.setattr(Annotating, "answer_document", flaky)
    app = make_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("1", "enter")  # the article's only sentence
        await pilot.pause()
        await pilot.press("2", "enter")
        await pilot.pause()
        assert "Article answers not saved: database is locked" in on_screen(app)
        await pilot.press("ctrl+o")  # the same article, with the choice kept
        await pilot.pause()
        assert "Budget story 0" in on_screen(app)
        await pilot.press("enter")
        await pilot.pause()
    assert answers(ctx) == [(1, "done", {"lean": "center"})]
    with session_scope(ctx.engine) as s:  # the time the dialog was open, as for a sentence
        assert s.exec(select(DocumentAnnotation.seconds)).one() > 0


async def test_a_schema_without_document_tasks_never_asks(tmp_path):
    schema = parse_schema(SCHEMA.split("  - name: lean")[0], "a.yaml")
    ctx = make_store(tmp_path, schema, docs=[TEXTS[:1], TEXTS[1:2]])
    app = make_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("1", "enter")
        await pilot.pause()
        assert TEXTS[1] in screen_text(app)
        await pilot.press("ctrl+o")  # not a key of this schema: nothing opens
        await pilot.pause()
        assert "Overall" not in on_screen(app) and TEXTS[1] in screen_text(app)


def test_answers_keep_their_history(tmp_path):
    from annotator.store.document_annotations import save_document_answer

    schema = parse_schema(SCHEMA, "a.yaml")
    ctx = make_store(tmp_path, schema, docs=[TEXTS[:2]])
    with session_scope(ctx.engine) as s:
        from annotator.store.annotators import get_or_create_annotator

        who = get_or_create_annotator(s, "alice").id
    for lean in ("left", "center"):
        with session_scope(ctx.engine) as s:
            save_document_answer(
                s,
                document_id=1,
                annotator_id=who,
                schema_version_id=ctx.schema_version_id,
                values={"lean": lean},
            )
    assert answers(ctx) == [(1, "done", {"lean": "center"})]
    with session_scope(ctx.engine) as s:
        events = s.exec(select(DocumentAnnotationEvent)).all()
        assert [(e.action, e.values) for e in events] == [
            ("create", {"lean": "left"}),
            ("update", {"lean": "center"}),
        ]
    with pytest.raises((IntegrityError, DatabaseError)), ctx.engine.begin() as conn:
        conn.execute(text("UPDATE documentannotationevent SET values = '{}'"))


def test_agreement_reports_the_document_tasks_over_documents(tmp_path):
    import json

    from typer.testing import CliRunner

    from annotator.store.annotators import get_or_create_annotator
    from annotator.store.document_annotations import save_document_answer
    from annotator.store.models import SchemaVersion
    from tests.support.agreement import make_app

    schema = parse_schema(SCHEMA, "a.yaml")
    ctx = make_store(tmp_path, schema, docs=[[t] for t in TEXTS[:4]])
    with session_scope(ctx.engine) as s:  # the project's version holds the schema's text
        s.get(SchemaVersion, ctx.schema_version_id).yaml_text = SCHEMA
    leans = {
        "alice": ["left", "left", "center", "right"],
        "bob": ["left", "left", "center", "left"],
    }
    for name, answers_ in leans.items():
        with session_scope(ctx.engine) as s:
            who = get_or_create_annotator(s, name).id
            for doc, lean in enumerate(answers_, start=1):
                values = {"lean": lean} | ({"frames": ["conflict"]} if lean != "center" else {})
                save_document_answer(
                    s,
                    document_id=doc,
                    annotator_id=who,
                    schema_version_id=ctx.schema_version_id,
                    values=values,
                )
    url = str(ctx.engine.url)
    result = CliRunner().invoke(make_app(), ["agreement", "--json", "--db", url])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    lean = next(t for t in data["documents"]["tasks"] if t["task"] == "lean")
    assert lean["units"] == 4 and lean["percent_agreement"]["value"] == 0.75
    assert data["documents"]["annotated_units"] == 4
    table = CliRunner().invoke(make_app(), ["agreement", "--db", url, "--task", "lean"])
    assert table.exit_code == 0, table.output
    assert "Per article (document tasks): 4 of 4 documents answered" in table.output
    bad = CliRunner().invoke(make_app(), ["agreement", "--db", url, "--task", "tone"])
    assert bad.exit_code != 0 and "no task tone in schema article" in str(bad.exception)


def test_the_report_has_a_section_per_article(tmp_path):
    from typer.testing import CliRunner

    from annotator.store.annotators import get_or_create_annotator
    from annotator.store.document_annotations import save_document_answer
    from annotator.store.models import SchemaVersion
    from tests.support.agreement import make_app

    schema = parse_schema(SCHEMA, "a.yaml")
    ctx = make_store(tmp_path, schema, docs=[[t] for t in TEXTS[:2]])
    with session_scope(ctx.engine) as s:
        s.get(SchemaVersion, ctx.schema_version_id).yaml_text = SCHEMA
        for name in ("alice", "bob"):
            who = get_or_create_annotator(s, name).id
            save_document_answer(
                s,
                document_id=1,
                annotator_id=who,
                schema_version_id=ctx.schema_version_id,
                values={"lean": "center"},
            )
    target = tmp_path / "r.html"
    result = CliRunner().invoke(
        make_app(), ["report", "--db", str(ctx.engine.url), "--output", str(target)]
    )
    assert result.exit_code == 0, result.output
    page = target.read_text(encoding="utf-8")
    assert "Per article (document tasks)" in page
    assert "1 of 2 documents answered" in page
    assert 'data-chart="documents-distribution-lean"' in page


ARTICLE_TASKS = """
  - name: lean
    type: single
    scope: document
    labels: [left, center, right]
  - name: frames
    type: multi
    scope: document
    show_if: {lean: [left, right]}
    labels: [conflict, economic]
"""


@pytest.fixture
def exported_store(tmp_path):
    """The export tests' store (12 documents of labelled sentences) with two article tasks
    added to its schema, and alice's and bob's answers on four documents."""
    from annotator.schema import builtin_schema
    from annotator.store.annotators import get_or_create_annotator
    from annotator.store.document_annotations import save_document_answer
    from annotator.store.models import Project, SchemaVersion
    from tests.support.exports import build_store

    engine, pid = build_store(f"sqlite:///{tmp_path / 'e.db'}")
    with session_scope(engine) as s:
        version = s.get(SchemaVersion, s.get(Project, pid).schema_version_id)
        version.yaml_text = builtin_schema("media_bias").yaml_text.rstrip("\n") + ARTICLE_TASKS
        ids = {n: get_or_create_annotator(s, n).id for n in ("alice", "bob")}
        leans = {"alice": ["left", "center", "right", "left"], "bob": ["left", "center", "left"]}
        for name, answers_ in leans.items():
            for doc, lean in enumerate(answers_, start=1):
                values = {"lean": lean} | ({"frames": ["conflict"]} if lean != "center" else {})
                save_document_answer(
                    s,
                    document_id=doc,
                    annotator_id=ids[name],
                    schema_version_id=version.id,
                    values=values,
                )
    return engine, pid


def run_export(exported_store, fmt, target, **opts):
    from annotator.export.options import ExportOptions
    from annotator.export.run import export_project
    from tests.support.exports import project_of

    engine, pid = exported_store
    return export_project(engine, project_of(engine, pid), fmt, target, ExportOptions(**opts))


def test_jsonl_and_csv_exports_have_the_documents_beside_them(exported_store, tmp_path):
    import csv
    import json

    result = run_export(exported_store, "jsonl", tmp_path / "out.jsonl", gold=True)
    assert result.documents == tmp_path / "out.documents.jsonl"
    assert result.document_records == 7  # answers (what the command line reports), not lines
    lines = [json.loads(x) for x in result.documents.read_text(encoding="utf-8").splitlines()]
    assert [d["document_id"] for d in lines] == [1, 2, 3, 4]
    first = lines[0]
    assert first["title"] == "Headline 0 about the summit."
    assert [a["annotator"] for a in first["annotations"]] == ["alice", "bob"]
    stamp = first["annotations"][0]["created_at"]  # UTC with one Z, as the units' are
    assert (
        stamp.endswith("Z")
        and "+" not in stamp
        and len(stamp) == len("2026-01-01T00:00:00.000000Z")
    )
    assert first["gold"] == {"lean": "left", "frames": ["conflict"]}
    assert lines[2]["gold_source"]["lean"] == "tie"  # right against left
    assert lines[3]["gold"]["lean"] == "left" and len(lines[3]["annotations"]) == 1
    result = run_export(exported_store, "csv", tmp_path / "out.csv")
    with (tmp_path / "out.documents.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == result.document_records == 7  # a row per document and annotator
    assert rows[0]["lean"] == "left" and json.loads(rows[0]["frames"]) == ["conflict"]


def test_parquet_and_hf_exports_carry_the_documents(exported_store, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    datasets = pytest.importorskip("datasets")

    run_export(exported_store, "parquet", tmp_path / "out.parquet", gold=True)
    table = pq.read_table(tmp_path / "out.documents.parquet")
    assert table.num_rows == 7
    assert table.column("frames").to_pylist()[0] == ["conflict"]
    assert table.schema.metadata[b"annotator.schema_name"] == b"media-bias"
    result = run_export(exported_store, "hf", tmp_path / "hf", split=(0.5, 0.5), seed=3)
    assert result.documents == tmp_path / "hf" / "documents"
    docs = datasets.load_dataset(str(tmp_path / "hf"), "documents")
    units = datasets.load_dataset(str(tmp_path / "hf"))
    seen = sorted(i for split in docs.values() for i in split["document_id"])
    assert seen == [1, 1, 2, 2, 3, 3, 4]
    for name, split in docs.items():  # a document's answers are in its units' split
        unit_docs = set(units[name]["document_id"])
        assert set(split["document_id"]) <= unit_docs


def test_formats_without_a_place_for_documents_say_so(exported_store, tmp_path):
    result = run_export(exported_store, "prodigy", tmp_path / "out.prodigy.jsonl")
    assert result.documents is None
    assert any("document tasks (lean, frames) are not in prodigy" in n for n in result.notes)


def test_every_format_says_where_documents_go():
    from annotator.export.documents import WRITERS
    from annotator.export.formats import FORMATS

    beside = {name for name, f in FORMATS.items() if f.documents == "beside"}
    assert beside == set(WRITERS)


def test_a_lead_decision_is_the_documents_gold(exported_store, tmp_path):
    import json

    from annotator.store.adjudications import save_adjudication
    from annotator.store.annotators import get_or_create_annotator

    engine, _pid = exported_store
    with session_scope(engine) as s:
        lead = get_or_create_annotator(s, "lina", "lead").id
        save_adjudication(s, task="lean", value="right", lead_id=lead, document_id=3)

    def gold(**opts):
        result = run_export(exported_store, "jsonl", tmp_path / "out.jsonl", gold=True, **opts)
        lines = result.documents.read_text(encoding="utf-8").splitlines()
        return {d["document_id"]: (d["gold"], d["gold_source"]) for d in map(json.loads, lines)}

    votes = gold()
    assert votes[3] == (
        {"lean": "right", "frames": ["conflict"]},
        {"lean": "adjudicated", "frames": "unanimous"},
    )
    assert votes[1][1]["lean"] == "unanimous"  # undecided documents keep the vote
    decided_only = gold(gold_method="adjudicated-only")
    assert decided_only[3][0]["lean"] == "right" and decided_only[1][0]["lean"] is None


def test_in_a_team_the_one_who_read_most_of_the_article_is_asked(tmp_path, db_url):
    # Overlap 1, two people on one four-sentence article: alice takes three sentences, bob
    # only the last. Whoever leaves the article having read half of it or more is asked;
    # drawing its last sentence is not reading it.
    from tests.support.tui import sessions_for

    schema = parse_schema(SCHEMA, "a.yaml")
    other = ["A second article starts.", "It ends here."]
    ctx = make_store(tmp_path, schema, docs=[TEXTS, other], url=db_url)
    alice, bob = sessions_for(ctx, "alice", "bob")
    first = alice.open_first()
    second = alice.save({"bias": "biased"})
    third = alice.save({"bias": "biased"})
    last = bob.open_first()
    assert [v.position for v in (first, second, third, last)] == [0, 1, 2, 3]
    assert not alice.document_due(second, third)  # still in the article
    after_bob = bob.save({"bias": "biased"})
    assert after_bob is not None and after_bob.document_id != last.document_id
    assert not bob.document_due(last, after_bob)  # one sentence of four
    after_alice = alice.save({"bias": "non_biased"})
    assert after_alice is None or after_alice.document_id != third.document_id
    assert alice.document_due(third, after_alice)  # three of four, and leaving it
    from annotator.store.document_annotations import owed_documents

    with session_scope(ctx.engine) as s:  # what a later session of each would be owed
        owed = [owed_documents(s, ctx.project_id, p.annotator_id) for p in (alice, bob)]
    assert owed == [[third.document_id], []]
    alice.answer_document(third.document_id, {"lean": "left"})
    assert not alice.document_due(third, after_alice)  # answered: asked once


def test_labels_import_reads_article_answers_back(exported_store, tmp_path):
    import json

    from annotator.labels import import_labels
    from tests.support.exports import project_of

    engine, pid = exported_store
    result = run_export(exported_store, "jsonl", tmp_path / "out.jsonl")
    project = project_of(engine, pid)
    again = import_labels(engine, project, result.documents)
    assert (again.records, again.unchanged, again.document_answers, again.problems) == (7, 7, 0, [])
    table = run_export(exported_store, "csv", tmp_path / "out.csv").documents  # a row per answer
    from_csv = import_labels(engine, project, table)
    assert (from_csv.records, from_csv.unchanged, from_csv.problems) == (7, 7, [])
    with session_scope(engine) as s:
        events = len(s.exec(select(DocumentAnnotationEvent)).all())
    # Another tool's file: a record per article and annotator, by url or title, a column per task.
    with session_scope(engine) as s:
        from annotator.store.models import Document

        doc5 = s.get(Document, 5)
        title5, title6 = doc5.title, s.get(Document, 6).title
    lines = [
        {"title": title5, "annotator": "carol", "lean": "Right", "frames": ["economic"]},
        {"document_id": 1, "annotator": "bob", "values": {"lean": "center"}},  # a change
        {"title": title6, "annotator": "carol", "lean": "up"},  # not a label of lean
        {"url": "https://example.org/none", "annotator": "carol", "lean": "left"},
        {"title": title6, "annotator": "carol"},  # no answers
        {"title": title6, "annotator": "x" * 201, "lean": "left"},  # a name the store refuses
    ]
    path = tmp_path / "articles.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    report = import_labels(engine, project, path)
    assert report.document_answers == 2 and report.records == 6
    assert [p.split(": ", 1)[0] for p in report.problems] == [
        "articles.jsonl:3",
        "articles.jsonl:4",
        "articles.jsonl:5",
        "articles.jsonl:6",
    ]
    assert "annotator name is longer than 200 characters" in report.problems[3]
    assert "'up' is not one of left, center, right" in report.problems[0]
    assert "no url https://example.org/none in this project" in report.problems[1]
    got = {(d, v.get("lean")) for d, _status, v in answers_of(engine)}
    assert (5, "right") in got and (1, "center") in got and (1, "left") in got
    with session_scope(engine) as s:
        assert len(s.exec(select(DocumentAnnotationEvent)).all()) == events + 2


def answers_of(engine) -> list[tuple[int, str, dict]]:
    with session_scope(engine) as s:
        rows = s.exec(select(DocumentAnnotation)).all()
        return [(r.document_id, r.status, dict(r.values)) for r in rows]


async def test_an_article_left_unanswered_in_an_earlier_session_is_owed_in_the_next(tmp_path):
    from tests.support.tui import sessions_for

    schema = parse_schema(SCHEMA, "a.yaml")
    ctx = make_store(tmp_path, schema, docs=[TEXTS[:2], TEXTS[2:4]])
    (earlier,) = sessions_for(ctx, "alice")
    earlier.open_first()
    earlier.save({"bias": "biased"})
    earlier.save({"bias": "biased"})  # the first article read, its questions never answered
    earlier.leave()
    app = make_app(ctx)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert TEXTS[2] in screen_text(app)  # the session goes on with the next article
        assert "1 article you read still has questions: ctrl+o asks them." in on_screen(app)
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert "Budget story 0" in on_screen(app)
        await pilot.press("2", "enter")
        await pilot.pause()
    assert answers(ctx) == [(1, "done", {"lean": "center"})]
