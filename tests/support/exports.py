"""A small annotated store for the export and labels tests (no tests of its own)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import Session, select

from annotator.ingest.model import ParsedDocument, ParsedUnit
from annotator.schema import builtin_schema
from annotator.store.annotations import save_annotation
from annotator.store.annotators import get_or_create_annotator
from annotator.store.documents import add_documents
from annotator.store.engine import open_store
from annotator.store.models import Adjudication, Project, Unit
from annotator.store.projects import create_project

OUTLETS = ["voa", "reuters", "xinhua", "bbc"]
BIAS = ["biased", "non_biased"]
OPINION = ["entirely_factual", "somewhat_factual_but_opinionated", "expresses_writers_opinion"]
TYPES = ["word_choice_labelling", "epistemological", "informational", "other"]


def tokens_of(text: str) -> list[str]:
    return [*text.rstrip(".").split(), "."]


def span(text: str, start: int, end: int) -> dict:
    """A span in the shape the annotate screen stores (token end exclusive)."""
    toks = tokens_of(text)
    first = text.index(toks[start])
    last = text.index(toks[end - 1], first) + len(toks[end - 1])
    return {
        "start": first,
        "end": last,
        "token_start": start,
        "token_end": end,
        "text": text[first:last],
    }


def build_store(url: str, *, documents: int = 12, project: str = "news"):
    """Documents of four units; alice, bob and carol label most units, some disagreeing.

    Returns (engine, project id). Units are tokenized by whitespace (cached on the unit) so
    span token indices are easy to read in the tests.
    """
    engine = open_store(url)
    docs = []
    for d in range(documents):
        units = [ParsedUnit("title", f"Headline {d} about the summit.")]
        units += [
            ParsedUnit("body", f"Sentence {d}-{i} says leaders met = brazenly in town {i}.")
            for i in range(1, 4)
        ]
        docs.append(
            ParsedDocument(
                title=units[0].text,
                units=units,
                source_path=f"feed/{d}.md",
                url=f"https://example.org/{d}",
                outlet=OUTLETS[d % len(OUTLETS)],
                published=datetime(2024, 1, 1, tzinfo=UTC) + timedelta(days=d),
                lang="en",
            )
        )
    with Session(engine) as session:
        proj = create_project(session, project, builtin_schema("media_bias"))
        add_documents(session, proj.id, docs)
        version = proj.schema_version_id
        people = {n: get_or_create_annotator(session, n).id for n in ("alice", "bob", "carol")}
        lead = get_or_create_annotator(session, "lead", role="lead").id
        units = list(session.exec(select(Unit).where(Unit.project_id == proj.id).order_by(Unit.id)))
        for i, u in enumerate(units):
            u.tokens = tokens_of(u.text)
            session.add(u)
            for j, name in enumerate(("alice", "bob", "carol")):
                if (i + j) % 7 == 6:
                    continue  # some units lack one annotator
                bias = BIAS[(i + (j == 2 and i % 3 == 0)) % 2]
                values = {"bias": bias, "opinion": OPINION[(i + j) % 3]}
                if bias == "biased":
                    values["biased_words"] = [span(u.text, 3, 4 if j else 5)]
                    values["bias_type"] = [TYPES[i % 4]] + ([TYPES[1]] if j == 1 else [])
                if i % 5 == 0 and j == 0:
                    values["note"] = "=SUM(A1) odd split"
                status = "skipped" if (i % 11 == 10 and j == 1) else "done"
                save_annotation(
                    session,
                    unit_id=u.id,
                    annotator_id=people[name],
                    schema_version_id=version,
                    values=values if status == "done" else {},
                    status=status,
                    seconds=2.5,
                    # alice's labels came without the flag (imported), bob's with
                    # suggestions on for every other unit, carol's with them off
                    assisted=None if j == 0 else (i % 2 == 0 if j == 1 else False),
                )
        session.add(
            Adjudication(unit_id=units[1].id, task="bias", value="biased", annotator_id=lead)
        )
        session.commit()
        pid = proj.id
    return engine, pid


def project_of(engine, pid: int) -> Project:
    with Session(engine) as session:
        return session.get(Project, pid)


SHARED_BABE = (
    __import__("pathlib").Path(__file__).resolve().parents[3]
    / "shared/datasets/babe/final_labels_SG1.csv"
)


def new_project(url: str, name: str = "copy"):
    """An empty project with the default schema in the store at `url`: (engine, project)."""
    engine = open_store(url)
    with Session(engine, expire_on_commit=False) as s:
        proj = create_project(s, name, builtin_schema("media_bias"))
        s.commit()
    return engine, proj


def read_conll(path):
    """A small CoNLL reader: sentences of (token, tag) lines, documents split by -DOCSTART-."""
    sentences, current = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("-DOCSTART-"):
            continue
        if not line.strip():
            if current:
                sentences.append(current)
            current = []
            continue
        token, *tags = line.split("\t")
        current.append((token, tags))
    if current:
        sentences.append(current)
    return sentences


def labels_by_text(path: Path) -> dict[tuple[str, str], tuple[dict, str]]:
    """Labels by (text, annotator); spans by their characters, which mean the same in any
    store (token indexes follow each store's tokens: the test store splits at spaces)."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        for a in row["annotations"]:
            values = dict(a["values"])
            if values.get("biased_words"):
                values["biased_words"] = [
                    (s["start"], s["end"], s["text"]) for s in values["biased_words"]
                ]
            out[row["text"], a["annotator"]] = (values, a["status"])
    return out
