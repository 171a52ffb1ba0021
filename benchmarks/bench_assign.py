"""Assigning work and reading status on a large store: 100k documents, 1M units by default.

    .venv/bin/python benchmarks/bench_assign.py [--docs 100000] [--units-per-doc 10]
        [--db URL_OF_AN_EMPTY_STORE]

Builds a store (SQLite in a temporary folder unless --db names an empty one), with half the
units labelled by one annotator and a few live leases, then times the store calls behind
`annotator assign` and `annotator status`, each once, next to a floor measured in the same
run (counting the project's units, the least a status must read). The machine is shared,
so read the times against the floor.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PEOPLE = ("alice", "bob", "chen", "dana")


def build(url: str, docs: int, per_doc: int) -> tuple[Any, int, list[int]]:
    from sqlalchemy import insert
    from sqlmodel import Session

    from annotator.schema import builtin_schema
    from annotator.store.engine import open_store
    from annotator.store.models import Annotation, Annotator, Document, Lease, Unit
    from annotator.store.projects import create_project

    engine = open_store(url)
    now = datetime.now(UTC)
    chunk = 20_000
    with Session(engine) as s:
        proj = create_project(s, "bench", builtin_schema("media_bias"))
        pid, vid = proj.id, proj.schema_version_id
        ids = []
        for name in PEOPLE:
            person = Annotator(name=name)
            s.add(person)
            s.flush()
            ids.append(person.id)
        for start in range(0, docs, chunk):
            s.execute(
                insert(Document),
                [
                    {
                        "id": d + 1,
                        "project_id": pid,
                        "title": f"Document {d}",
                        "outlet": ("voa", "bbc", "xinhua")[d % 3],
                        "published": now,
                        "content_hash": f"{d:064x}",
                        "meta": {},
                        "imported_at": now,
                    }
                    for d in range(start, min(docs, start + chunk))
                ],
            )
        units = docs * per_doc
        for start in range(0, units, chunk):
            s.execute(
                insert(Unit),
                [
                    {
                        "id": u + 1,
                        "project_id": pid,
                        "document_id": u // per_doc + 1,
                        "position": u % per_doc,
                        "kind": "body",
                        "text": f"Sentence {u}.",
                        "text_hash": f"{u:032x}",
                    }
                    for u in range(start, min(units, start + chunk))
                ],
            )
        for start in range(0, units // 2, chunk):
            s.execute(
                insert(Annotation),
                [
                    {
                        "unit_id": u + 1,
                        "annotator_id": ids[0],
                        "schema_version_id": vid,
                        "values": {"bias": "biased"},
                        "status": "done",
                        "created_at": now,
                        "updated_at": now,
                    }
                    for u in range(start, min(units // 2, start + chunk))
                ],
            )
        later = int(time.time() * 1000) + 600_000
        s.execute(
            insert(Lease),
            [
                {"project_id": pid, "unit_id": units - i, "annotator_id": aid, "expires_ms": later}
                for i, aid in enumerate(ids)
            ],
        )
        s.commit()
    return engine, pid, ids


def timed(label: str, fn: Callable[[], Any], floor: float | None = None) -> Any:
    start = time.perf_counter()
    value = fn()
    took = time.perf_counter() - start
    ratio = f"  ({took / floor:.1f}x floor)" if floor else ""
    print(f"{label:<52} {took * 1000:9.0f} ms{ratio}", flush=True)
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--units-per-doc", type=int, default=10)
    parser.add_argument("--db", help="an empty store (default: SQLite in a temporary folder)")
    args = parser.parse_args()

    from sqlalchemy import text

    from annotator.store.assignments import Selection, assign_documents, unassign_documents
    from annotator.store.engine import session_scope
    from annotator.store.stats import project_summary, team_status

    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'bench.db'}"
        t0 = time.perf_counter()
        engine, pid, ids = build(url, args.docs, args.units_per_doc)
        units = args.docs * args.units_per_doc
        print(
            f"store: {args.docs:,} documents, {units:,} units, {units // 2:,} labels "
            f"({engine.dialect.name}, built in {time.perf_counter() - t0:.1f} s)"
        )

        def run(fn: Callable[[Any], Any]) -> Callable[[], Any]:
            def call() -> Any:
                with session_scope(engine) as s:
                    return fn(s)

            return call

        count_units = text("SELECT count(*) FROM unit WHERE project_id = :p")
        start = time.perf_counter()
        run(lambda s: s.execute(count_units, {"p": pid}).scalar_one())()
        floor = time.perf_counter() - start
        print(f"{'floor: count the project units':<52} {floor * 1000:9.0f} ms")

        def status(s: Any) -> Any:
            return project_summary(s, pid), team_status(s, project_id=pid)

        timed("status, nothing assigned", run(status), floor)
        half = Selection(count=args.docs // 2)
        for dry in (True, False):
            timed(
                f"assign --count {args.docs // 2:,} to 4, 1 per doc{' (dry run)' if dry else ''}",
                run(
                    lambda s, dry=dry: assign_documents(
                        s,
                        project_id=pid,
                        selection=half,
                        annotator_ids=ids,
                        per_document=1,
                        dry_run=dry,
                    )
                ),
                floor,
            )
        timed(
            "assign --all to 4, 2 per doc",
            run(
                lambda s: assign_documents(
                    s,
                    project_id=pid,
                    selection=Selection(everything=True),
                    annotator_ids=ids,
                    per_document=2,
                    overlap=2,
                )
            ),
            floor,
        )
        timed(
            "assign --all again (idempotent: nothing new)",
            run(
                lambda s: assign_documents(
                    s,
                    project_id=pid,
                    selection=Selection(everything=True),
                    annotator_ids=ids,
                    per_document=2,
                    overlap=2,
                )
            ),
            floor,
        )
        result = timed("status, every document assigned", run(status), floor)
        team = result[1]
        print(f"  pool: {team.pool_documents:,} documents; per annotator:", end="")
        print("".join(f" {n} {r.assigned_units:,}u" for n, r in team.annotators.items()))
        timed(
            "assign --pool --from alice --all",
            run(
                lambda s: unassign_documents(
                    s, project_id=pid, selection=Selection(everything=True), annotator_ids=ids[:1]
                )
            ),
            floor,
        )
        timed(
            "assign --pool --all",
            run(
                lambda s: unassign_documents(
                    s, project_id=pid, selection=Selection(everything=True)
                )
            ),
            floor,
        )
        engine.dispose()


if __name__ == "__main__":
    main()
