"""Eight real processes labelling one store at once (SQLite file and PostgreSQL), with random
timing: no label lost, no unit above the overlap, no unit on two screens at overlap 1, and no
"database is locked" reaching anyone."""

from __future__ import annotations

import dataclasses
import json
import multiprocessing
import random
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.support.tui import BIAS_QUICK, make_store

PEOPLE = 8


def _worker(url, pid, sv, overlap, name, out, skip_share, ready, start, seed) -> None:
    """One annotator: label (or now and then skip) until the queue is empty."""
    from sqlalchemy.exc import SQLAlchemyError

    from annotator.store.annotators import get_or_create_annotator
    from annotator.store.engine import make_engine, session_scope
    from annotator.tui.controller import Annotating, LeaseLost
    from annotator.tui.launch import StoreContext

    rng = random.Random(seed)
    engine = make_engine(url)
    schema = dataclasses.replace(BIAS_QUICK, overlap=overlap)
    ctx = StoreContext(engine, pid, "news", schema, sv)
    with session_scope(engine) as s:
        me = get_or_create_annotator(s, name).id
    ann = Annotating(ctx, annotator_id=me, annotator_name=name)
    shown, saved, errors, skipped = [], [], [], set()
    ready.release()  # imported and connected
    start.wait()
    view = ann.open_first()
    while view is not None:
        shown.append(view.unit_id)
        time.sleep(rng.random() * 0.004)  # reading time, so the processes interleave
        skip = view.unit_id not in skipped and rng.random() < skip_share
        value = rng.choice(["biased", "non_biased"])
        try:
            if skip:
                view = ann.save({}, status="skipped")
                skipped.add(shown[-1])
            else:
                view = ann.save({"bias": value})
                saved.append([shown[-1], value])  # confirmed: the save returned
        except (SQLAlchemyError, LeaseLost) as exc:  # what the screen would show a person
            errors.append(f"{type(exc).__name__}: {exc}"[:300])
            if len(errors) > 20:
                break
    ann.leave()
    Path(out).write_text(json.dumps({"shown": shown, "saved": saved, "errors": errors}))


def _run_team(tmp_path, url, overlap, skip_share, units):
    per_doc = 10
    docs = [[f"Sentence {d}.{i} of the story." for i in range(per_doc)] for d in range(units // 10)]
    ctx = make_store(tmp_path, BIAS_QUICK, docs=docs, url=url)
    ctx.engine.dispose()  # the children open their own connections
    spawn = multiprocessing.get_context("spawn")
    start, ready = spawn.Event(), spawn.Semaphore(0)
    procs, outs = [], []
    for i in range(PEOPLE):
        out = tmp_path / f"w{i}.json"
        outs.append(out)
        args = (url, ctx.project_id, ctx.schema_version_id, overlap, f"coder{i}", str(out))
        p = spawn.Process(target=_worker, args=(*args, skip_share, ready, start, 1000 + i))
        p.start()
        procs.append(p)
    # Every child imported and connected (on a loaded machine that takes seconds), then all
    # start at one moment: a slow starter must not find the work already done.
    for _ in range(PEOPLE):
        assert ready.acquire(timeout=120), "a worker did not start"
    start.set()
    for p in procs:
        p.join(timeout=240)
        assert p.exitcode == 0, f"a worker died (exit {p.exitcode})"
    results = [json.loads(o.read_text()) for o in outs]
    with ctx.engine.connect() as conn:
        rows = conn.execute(
            text(
                'SELECT a.unit_id, n.name, a."values" FROM annotation a '
                "JOIN annotator n ON n.id = a.annotator_id WHERE a.status = 'done'"
            )
        ).all()
        total = conn.execute(text("SELECT count(*) FROM unit")).scalar_one()
        held = conn.execute(text("SELECT count(*) FROM lease")).scalar_one()
    return results, rows, total, held


def _check(results, rows, total, held, overlap):
    errors = [e for r in results for e in r["errors"]]
    assert errors == [], errors[:3]
    in_store = {(u, n): v if isinstance(v, dict) else json.loads(v) for u, n, v in rows}
    lost = [
        (u, f"coder{i}")
        for i, r in enumerate(results)
        for u, value in r["saved"]
        if in_store.get((u, f"coder{i}")) != {"bias": value}
    ]
    assert lost == []
    per_unit: dict[int, int] = {}
    for u, _ in in_store:
        per_unit[u] = per_unit.get(u, 0) + 1
    assert max(per_unit.values()) <= overlap  # no unit above the overlap
    assert len(per_unit) == total and set(per_unit.values()) == {overlap}  # none left undone
    assert held == 0  # everyone let go of what they held when they left
    return per_unit


@pytest.mark.parametrize("overlap", [1, 2])
def test_eight_processes_share_the_work(tmp_path, db_url, overlap):
    # At overlap 1 nobody skips, so a unit shown to two people would be double work.
    skip_share = 0.0 if overlap == 1 else 0.1
    units = 160 if overlap == 1 else 80
    results, rows, total, held = _run_team(tmp_path, db_url, overlap, skip_share, units)
    _check(results, rows, total, held, overlap)
    if overlap == 1:
        seen: dict[int, int] = {}
        for r in results:
            for u in set(r["shown"]):
                seen[u] = seen.get(u, 0) + 1
        assert [u for u, n in seen.items() if n > 1] == []
    busy = sum(1 for r in results if r["saved"])
    assert busy >= PEOPLE // 2  # the work was shared, not done by one fast process
