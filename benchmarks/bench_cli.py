"""Commands as a person runs them: wall clock from process start to exit, next to floors
measured in the same run.

    .venv/bin/python benchmarks/bench_cli.py [--only help,status,...] [--dir DIR] [--pg URL]
        [--labels 100000] [--sentences 100000] [--export 100000] [--agreement 100000]
        [--ui-units 1000000] [--corpus ../shared/corpus/voa]

Rows (targets from issue 15):
- help: `annotator --help` (<= 0.15 s); status: `annotator status` on the export store (<= 0.3 s);
- annotate: `annotator annotate` in an 80x24 pseudo-terminal to the first unit on screen, cold
  (no remembered queue position), on a store of --ui-units units (<= 0.5 s; bench_ui's store),
  and to the first key answered (the help screen `?` opens: keys wait for the session);
- labels-sqlite / labels-pg: `annotator labels import` of a JSONL file (3 annotators per
  sentence, new units) into a fresh project (>= 50k records/s on SQLite, >= 20k/s on
  PostgreSQL), also at a fifth of the size so peak memory can be seen to stay flat;
- import: `annotator import` of the VOA corpus copied to --sentences sentences (>= 50k/s;
  skipped when the corpus is absent);
- export: `annotator export` of --export annotations to jsonl, csv and parquet (>= 200k/s; a
  current SQLite store is read through sqlite3 alone, as status reads it: export.run.open_source);
- agreement: `annotator agreement` on --agreement units x 5 annotators (<= 2 s).

Floors, each a process timed the same way: a bare `python -c pass`; for the rows that write, a
bare sqlite3 `executemany` of the same rows into a table of the same columns (no indexes); for
`labels import`, also the same rows written straight to the driver into the store's own
tables (indexes and foreign keys included: SQLite executemany, PostgreSQL COPY); for
`import`, also reading, parsing and splitting alone in one process; for export, a bare
`SELECT "values"` of every annotation to /dev/null. Fixtures are built once per --dir and
reused. The machine is shared: read each figure against its floor.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]

PY = sys.executable
ANNOTATOR = [PY, "-m", "annotator"]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "voa"
PG_ENV = "ANNOTATOR_TEST_PG_URL"
CPU: list[float] = []
ROWS = ("help", "status", "annotate", "labels-sqlite", "labels-pg", "import", "export", "agreement")


def run(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Seconds from start to exit and peak RSS (MB) of one process; it must succeed. Its CPU
    seconds (user + system) are kept in CPU[-1]: on a busy machine they vary less."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env or os.environ.copy()
    )
    assert proc.stderr is not None
    problems = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    CPU.append(usage.ru_utime + usage.ru_stime)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv[:6])} ... failed:\n{problems.decode()[-2000:]}")
    return seconds, usage.ru_maxrss / 1024


def best(argv: list[str], repeat: int, env: dict[str, str] | None = None) -> tuple[float, float]:
    """The median of `repeat` runs (the noise of a shared machine is one-sided)."""
    runs = [run(argv, env) for _ in range(repeat)]
    CPU.append(statistics.median(CPU[-repeat:]))
    return statistics.median(s for s, _ in runs), max(m for _, m in runs)


class Table:
    def __init__(self) -> None:
        print(
            f"{'row':<26} {'seconds':>8} {'cpu s':>6} {'rate /s':>10} {'peak MB':>8}  "
            f"{'target':<10} {'floor':<28} {'floor s':>8} {'floor /s':>10}",
            flush=True,
        )

    def row(
        self,
        name: str,
        seconds: float,
        target: str,
        floor: str,
        floor_s: float,
        *,
        n: int = 0,
        rss: float = 0.0,
        cpu: float | None = None,
    ) -> None:
        rate = f"{n / seconds:,.0f}" if n else ""
        floor_rate = f"{n / floor_s:,.0f}" if n else ""
        mem = f"{rss:,.0f}" if rss else ""
        used = f"{cpu:.2f}" if cpu is not None else ""
        print(
            f"{name:<26} {seconds:>8.3f} {used:>6} {rate:>10} {mem:>8}  {target:<10} {floor:<28} "
            f"{floor_s:>8.3f} {floor_rate:>10}",
            flush=True,
        )


# --- floors ----------------------------------------------------------------------------

FLOOR_INSERT = """
import json, sqlite3, sys
src, db, kind = sys.argv[1:4]
con = sqlite3.connect(db)
con.execute("PRAGMA journal_mode=WAL")
con.execute("PRAGMA synchronous=NORMAL")
if kind == "labels":
    con.execute('CREATE TABLE t (text TEXT, annotator TEXT, "values" TEXT, url TEXT)')
    def rows():
        with open(src, encoding="utf-8") as fh:
            for line in fh:
                r = json.loads(line)
                yield r["text"], r["annotator"], json.dumps(r["values"]), r["url"]
    con.executemany("INSERT INTO t VALUES (?, ?, ?, ?)", rows())
else:
    con.execute("CREATE TABLE t (document_id INT, position INT, kind TEXT, text TEXT)")
    with open(src, encoding="utf-8") as fh:
        con.executemany("INSERT INTO t VALUES (?, ?, 'body', ?)", (json.loads(l) for l in fh))
con.commit()
"""

# The rows `labels import` must write for the same file, straight to the driver into the
# store's own tables (their indexes and foreign keys), in one transaction, nothing checked:
# documents, units, annotations and their audit events. What is left above it is our own work.
FLOOR_STORE = """
import datetime, hashlib, json, sys
src, url = sys.argv[1:3]
records = [json.loads(line) for line in open(src, encoding="utf-8")]
now = datetime.datetime(2026, 1, 1, 0, 0, 0)
sqlite = url.startswith("sqlite:///")
if sqlite:
    import sqlite3
    con = sqlite3.connect(url.removeprefix("sqlite:///"))
    for p in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=NORMAL"):
        con.execute("PRAGMA " + p)
    cur = con.cursor()
    def rows_in(table, cols, rows):
        cur.executemany(
            f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
            rows,
        )
    mark = "?"
    stamp = now.isoformat(" ", "microseconds")
else:
    import psycopg
    con = psycopg.connect(url.replace("+psycopg", "", 1))
    cur = con.cursor()
    def rows_in(table, cols, rows):
        with cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    mark = "%s"
    stamp = now
pid, sv = cur.execute("SELECT id, schema_version_id FROM project").fetchone()
urls = list(dict.fromkeys(r["url"] for r in records))
rows_in("document", ("project_id", "source_path", "url", "title", "content_hash", "meta",
        "imported_at"), [(pid, "f", u, u, hashlib.sha256(u.encode()).hexdigest(), "{}", stamp)
        for u in urls])
doc = dict(cur.execute(f"SELECT url, id FROM document WHERE project_id = {mark}", (pid,)))
names = list(dict.fromkeys(r["annotator"] for r in records))
rows_in("annotator", ("name", "role", "created_at"), [(n, "annotator", stamp) for n in names])
who = dict(cur.execute("SELECT name, id FROM annotator"))
first = {}
for r in records:
    first.setdefault(r["text"], r["url"])
rows_in("unit", ("project_id", "document_id", "position", "kind", "text", "text_hash"),
        [(pid, doc[u], i, "body", t, hashlib.sha256(t.encode()).hexdigest())
         for i, (t, u) in enumerate(first.items())])
unit = dict(cur.execute(f"SELECT text, id FROM unit WHERE project_id = {mark}", (pid,)))
values = [json.dumps(r["values"]) for r in records]
rows_in("annotation", ("unit_id", "annotator_id", "schema_version_id", '"values"', "status",
        "created_at", "updated_at"), [(unit[r["text"]], who[r["annotator"]], sv, v, "done",
        stamp, stamp) for r, v in zip(records, values)])
made = {(u, a): i for i, u, a in cur.execute("SELECT id, unit_id, annotator_id FROM annotation")}
rows_in("annotationevent", ("annotation_id", "unit_id", "annotator_id", "schema_version_id",
        "action", '"values"', "status", "at", "actor", "source"),
        [(made[unit[r["text"]], who[r["annotator"]]], unit[r["text"]], who[r["annotator"]], sv,
          "create", v, "done", stamp, "bench", src) for r, v in zip(records, values)])
con.commit()
"""

FLOOR_SELECT = """
import os, sqlite3, sys
con = sqlite3.connect(sys.argv[1])
with open(os.devnull, "w", encoding="utf-8") as sink:
    cur = con.execute('SELECT "values" FROM annotation')
    while rows := cur.fetchmany(5000):
        sink.write("\\n".join(r[0] for r in rows))
"""


def floor_insert(src: Path, kind: str, work: Path) -> float:
    db = work / "floor.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    seconds, _ = run([PY, "-c", FLOOR_INSERT, str(src), str(db), kind])
    return seconds


# --- fixtures --------------------------------------------------------------------------


def fresh_sqlite(path: Path, project: str) -> str:
    """An empty store at `path` with one media_bias project (set-up, not timed)."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    fixture(f"project-{project}", url)
    return url


def labels_file(work: Path, n: int) -> Path:
    """N JSONL records as another tool writes them: text, annotator, values, url."""
    path = work / f"labels-{n}.jsonl"
    if path.exists():
        return path
    bias = ("biased", "non_biased")
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            unit, who = divmod(i, 3)
            values: dict = {"bias": bias[(unit + who) % 2], "opinion": "entirely_factual"}
            if values["bias"] == "biased":
                values["bias_type"] = ["word_choice_labelling"]
            record = {
                "text": f"Sentence {unit} says the leaders met brazenly in the capital today.",
                "annotator": ("alice", "bob", "carol")[who],
                "values": values,
                "url": f"https://example.org/{unit // 10}",
            }
            fh.write(json.dumps(record) + "\n")
    return path


def build(kind: str, path: str, n: int) -> None:
    """Child process: one fixture (in a child, so the timed processes, started from a small
    parent, report their own peak memory)."""
    if kind == "export":
        import bench_export

        bench_export.build(f"sqlite:///{path}", n)
    elif kind == "agreement":
        import bench_agreement

        schema = bench_agreement.load_schema(bench_agreement.SCHEMA)
        bench_agreement.write_store(bench_agreement.simulate(n, 5), schema, Path(path))
    elif kind == "ui":
        import bench_ui

        bench_ui.build_store(Path(path), n)
    elif kind == "import":
        import bench_import

        Path(path).mkdir()
        bench_import.replicate(Path(os.environ["BENCH_CORPUS"]), Path(path), n)
    else:  # "project-NAME": a fresh store with one media_bias project, at a URL
        from annotator.schema import builtin_schema
        from annotator.store.engine import open_store, session_scope
        from annotator.store.projects import create_project

        engine = open_store(path)
        with session_scope(engine) as s:
            create_project(s, kind.removeprefix("project-"), builtin_schema("media_bias"))
        engine.dispose()


def fixture(kind: str, path: Path | str, n: int = 0) -> None:
    subprocess.run([PY, __file__, "--build", kind, str(path), str(n)], check=True)


def export_store(work: Path, n: int) -> Path:
    db = work / f"export-{n}.db"
    if not db.exists():
        fixture("export", db, n)
    return db


def agreement_store(work: Path, units: int) -> Path:
    db = work / f"agreement-{units}x5.db"
    if not db.exists():
        fixture("agreement", db, units)
    return db


# --- rows ------------------------------------------------------------------------------


def row_help(t: Table, floor: float, args) -> None:
    seconds, rss = best([*ANNOTATOR, "--help"], 5)
    t.row("help", seconds, "<= 0.15 s", "python -c pass", floor, rss=rss, cpu=CPU[-1])


def row_status(t: Table, floor: float, args) -> None:
    db = export_store(args.dir, args.export)
    seconds, rss = best([*ANNOTATOR, "status", "--db", str(db)], 5)
    t.row(
        f"status ({args.export // 3:,} units)",
        seconds,
        "<= 0.3 s",
        "python -c pass",
        floor,
        rss=rss,
        cpu=CPU[-1],
    )


def row_annotate(t: Table, floor: float, args) -> None:
    import bench_ui

    db = args.dir / f"ui-{args.ui_units}.db"
    if not db.exists():
        fixture("ui", db, args.ui_units)
    bench_ui.ROOT = Path.cwd()  # its command starts there: the annotator this run imports
    seconds, answered = bench_ui.measure_start(db, "media_bias", warm=False, runs=3)
    t.row(f"annotate cold ({args.ui_units:,})", seconds, "<= 0.5 s", "python -c pass", floor)
    t.row("  first key answered", answered, "", "", floor)


def _labels(t: Table, args, name: str, url_for: Callable[[int], str], target: str) -> None:
    sizes = sorted({max(1, args.labels // 5), args.labels})
    for n in sizes:
        src = labels_file(args.dir, n)
        url = url_for(n)
        argv = [*ANNOTATOR, "labels", "import", str(src), "--db", url, "-p", "labels"]
        seconds, rss = run(argv)
        cpu = CPU[-1]
        floor_s = floor_insert(src, "labels", args.dir)
        t.row(
            f"{name} ({n:,})", seconds, target, "sqlite executemany", floor_s, n=n, rss=rss, cpu=cpu
        )
        # The store's own floor: the same rows into the same tables, on the same database.
        store_s, _ = run([PY, "-c", FLOOR_STORE, str(src), url_for(n)])
        t.row("  floor: rows into the store", store_s, "", "", store_s, n=n, cpu=CPU[-1])


def row_labels_sqlite(t: Table, floor: float, args) -> None:
    _labels(
        t,
        args,
        "labels-sqlite",
        lambda n: fresh_sqlite(args.dir / f"labels-{n}.db", "labels"),
        ">= 50k/s",
    )


def row_labels_pg(t: Table, floor: float, args) -> None:
    if not args.pg:
        print(f"labels-pg: skipped (give --pg URL or set {PG_ENV})", flush=True)
        return
    import sqlalchemy as sa

    admin = sa.create_engine(args.pg)
    schemas: list[str] = []

    def fresh(n: int) -> str:
        name = f"bench_cli_{uuid.uuid4().hex[:10]}"
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{name}"'))
        schemas.append(name)
        sep = "&" if "?" in args.pg else "?"
        url = f"{args.pg}{sep}options={quote(f'-csearch_path={name}')}"
        fixture("project-labels", url)
        return url

    try:
        _labels(t, args, "labels-pg", fresh, ">= 20k/s")
    finally:
        with admin.begin() as conn:
            for name in schemas:
                conn.execute(sa.text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()


def row_import(t: Table, floor: float, args) -> None:
    if not args.corpus.is_dir():
        print(f"import: skipped ({args.corpus} not found; pass --corpus)", flush=True)
        return
    src = args.dir / f"voa-{args.sentences}"
    if not src.is_dir():
        os.environ["BENCH_CORPUS"] = str(args.corpus)
        fixture("import", src, args.sentences)
    url = fresh_sqlite(args.dir / "import.db", "import")
    seconds, rss = run([*ANNOTATOR, "import", str(src), "--db", url, "-p", "import"])
    cpu = CPU[-1]
    con = sqlite3.connect(args.dir / "import.db")
    n = con.execute("SELECT count(*) FROM unit").fetchone()[0]
    rows = args.dir / "import-units.jsonl"
    with rows.open("w", encoding="utf-8") as fh:
        for row in con.execute("SELECT document_id, position, text FROM unit"):
            fh.write(json.dumps(list(row), ensure_ascii=False) + "\n")
    con.close()
    floor_s = floor_insert(rows, "units", args.dir)
    t.row(
        f"import ({n:,} sentences)",
        seconds,
        ">= 50k/s",
        "sqlite executemany",
        floor_s,
        n=n,
        rss=rss,
        cpu=cpu,
    )
    # The other floor: reading, HTML parsing and sentence splitting alone, in one process.
    files = f"sorted(pathlib.Path({str(src)!r}).glob('*'))"
    parse = f"import bench_import, pathlib; bench_import.floor({files})"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(HERE)])}
    parse_s, _ = run([PY, "-c", parse], env)
    t.row("  floor: parse, 1 process", parse_s, "", "", parse_s, n=n, cpu=CPU[-1])


def row_export(t: Table, floor: float, args) -> None:
    db = export_store(args.dir, args.export)
    floor_s, _ = run([PY, "-c", FLOOR_SELECT, str(db)])
    for fmt in ("jsonl", "csv", "parquet"):
        out = args.dir / f"out.{fmt}"
        argv = [*ANNOTATOR, "export", "-f", fmt, "-o", str(out), "--db", str(db)]
        seconds, rss = run(argv)
        out.unlink(missing_ok=True)
        name = f"export {fmt} ({args.export:,})"
        floor = "sqlite SELECT values"
        t.row(name, seconds, ">= 200k/s", floor, floor_s, n=args.export, rss=rss, cpu=CPU[-1])


def row_agreement(t: Table, floor: float, args) -> None:
    db = agreement_store(args.dir, args.agreement)
    seconds, rss = best([*ANNOTATOR, "agreement", "--db", str(db)], 3)
    name = f"agreement ({args.agreement:,}x5)"
    t.row(name, seconds, "<= 2 s", "python -c pass", floor, rss=rss, cpu=CPU[-1])


RUNNERS = {
    "help": row_help,
    "status": row_status,
    "annotate": row_annotate,
    "labels-sqlite": row_labels_sqlite,
    "labels-pg": row_labels_pg,
    "import": row_import,
    "export": row_export,
    "agreement": row_agreement,
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default=",".join(ROWS), help=f"rows: {', '.join(ROWS)}")
    ap.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "annotator-bench-cli")
    ap.add_argument("--pg", default=os.environ.get(PG_ENV), help=f"PostgreSQL URL (${PG_ENV})")
    ap.add_argument("--labels", type=int, default=100_000)
    ap.add_argument("--sentences", type=int, default=100_000)
    ap.add_argument("--export", type=int, default=100_000)
    ap.add_argument("--agreement", type=int, default=100_000)
    ap.add_argument("--ui-units", type=int, default=1_000_000)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--build", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.build:
        build(args.build[0], args.build[1], int(args.build[2]))
        return
    rows = [r.strip() for r in args.only.split(",") if r.strip()]
    unknown = [r for r in rows if r not in RUNNERS]
    if unknown:
        sys.exit(f"--only {','.join(unknown)}: unknown rows (rows: {', '.join(ROWS)})")
    args.dir.mkdir(parents=True, exist_ok=True)
    # As installed: Python's cached bytecode used (this environment may turn it off), and
    # written by one run of each command before any is timed.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    for warm in (["--help"], ["status", "--help"], ["export", "--help"], ["annotate", "--help"]):
        run([*ANNOTATOR, *warm])
    run([*ANNOTATOR, "labels", "import", "--help"])
    run([*ANNOTATOR, "agreement", "--help"])
    run([*ANNOTATOR, "import", "--help"])
    print(f"load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())}; fixtures in {args.dir}")
    floor, _ = best([PY, "-c", "pass"], 5)
    table = Table()
    table.row("python -c pass", floor, "", "", floor, cpu=CPU[-1])
    for name in rows:
        RUNNERS[name](table, floor, args)
    print(f"load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
