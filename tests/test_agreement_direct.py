"""`annotator agreement` on a current SQLite store through sqlite3 alone
(store.agreement_direct): the same tables and JSON as through the store layer, and the store
layer for everything else (check items, document tasks, `annotator report`)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

import annotator.store.agreement_direct as direct
from tests.support.agreement import make_app
from tests.support.probe import store_libraries_loaded

OPEN = direct.open_agreement
ASKED = {
    "tables": [],
    "json": ["--json"],
    "nominal, two tasks": ["--json", "--level", "nominal", "--task", "grade,bias"],
    "two annotators": ["--annotators", "ana,ben"],
    "as an annotator": ["--json", "--as", "ben"],
}


def agreement(url: str, *args: str, store_layer: bool = False, monkeypatch=None) -> tuple[str, str]:
    """(output, which path served it) of `annotator agreement ARGS`."""
    served = []

    def spy(*a, **k):
        source = None if store_layer else OPEN(*a, **k)
        served.append("direct" if source is not None else "store")
        return source

    monkeypatch.setattr(direct, "open_agreement", spy)
    result = CliRunner().invoke(make_app(), ["agreement", *args, "--db", url])
    assert result.exit_code == 0, result.output
    return result.output, served[0]


def sql(url: str, *statements: str) -> None:
    with create_engine(url).begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


@pytest.mark.parametrize("asked", ASKED)
def test_direct_and_store_paths_print_the_same(graded_store, monkeypatch, asked):
    args = ASKED[asked]
    if asked == "as an annotator":
        sql(graded_store, "UPDATE annotator SET role = 'lead' WHERE name = 'dora'")
    want, by = agreement(graded_store, *args, store_layer=True, monkeypatch=monkeypatch)
    got, path = agreement(graded_store, *args, monkeypatch=monkeypatch)
    assert (by, path) == ("store", "direct")
    assert got == want


def test_answers_to_removed_checks_are_counted_out_the_same_both_ways(graded_store, monkeypatch):
    # Answers given to check items stay marked when the items are removed: the figures leave
    # them out, and both paths say how many.
    sql(graded_store, "UPDATE annotation SET is_check = 1 WHERE unit_id IN (1, 2)")
    want, _ = agreement(graded_store, store_layer=True, monkeypatch=monkeypatch)
    got, path = agreement(graded_store, monkeypatch=monkeypatch)
    assert path == "direct" and got == want
    assert "Answers to check items (8) are left out" in " ".join(got.split())


def test_the_store_layer_serves_check_items_and_document_tasks(graded_store):
    def path_of() -> str:
        source = direct.open_agreement(graded_store, None, None)
        if source is None:
            return "store"
        source.labels(), source.check_answers()  # (its threads finish)
        return "direct"

    assert path_of() == "direct"
    with pytest.raises(LookupError, match="nobody: no annotator"):
        direct.open_agreement(graded_store, None, "nobody")
    assert direct.open_agreement(graded_store, "no such project", None) is None
    sql(
        graded_store,
        'INSERT INTO checkitem (project_id, unit_id, "values", source, created_at) '
        "SELECT project_id, id, '{}', 'imported', '2026-01-01 00:00:00' FROM unit LIMIT 1",
    )
    assert path_of() == "store"  # check items are scored through store.checks
    sql(graded_store, "DELETE FROM checkitem")
    assert path_of() == "direct"
    with create_engine(graded_store).begin() as conn:  # a document task: the ORM reads it
        yaml = conn.execute(text("SELECT yaml_text FROM schemaversion")).scalar_one()
        extra = "\n  - {name: lean, type: single, scope: document, labels: [left, right]}\n"
        conn.execute(text("UPDATE schemaversion SET yaml_text = :y"), {"y": yaml + extra})
    assert path_of() == "store"


def test_agreement_on_sqlite_loads_no_sqlalchemy(graded_store, tmp_path):
    assert store_libraries_loaded(["agreement", "--db", graded_store], tmp_path) == "0 []"


def test_a_read_error_that_ended_the_transaction_is_the_error_reported(graded_store):
    """SQLite rolls a transaction back itself on some errors (a full disk, an I/O error): the
    error a person is told about is that one, not "cannot commit - no transaction is active"."""
    import sqlite3

    from annotator.store.labels_packed import read_labels

    class Failing:
        """A connection whose third statement fails after SQLite has ended the transaction."""

        def __init__(self, con: sqlite3.Connection) -> None:
            self.con, self.calls = con, 0

        @property
        def in_transaction(self) -> bool:
            return self.con.in_transaction

        def execute(self, *args):
            self.calls += 1
            if self.calls == 3:
                self.con.execute("ROLLBACK")
                raise sqlite3.OperationalError("disk I/O error")
            return self.con.execute(*args)

    con = sqlite3.connect(graded_store.removeprefix("sqlite:///"), isolation_level=None)
    try:
        with pytest.raises(sqlite3.OperationalError, match="disk I/O error"):
            read_labels(Failing(con), 1)  # type: ignore[arg-type]
        assert read_labels(con, 1).total_units > 0  # the connection is usable again
    finally:
        con.close()
