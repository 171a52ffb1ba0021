"""`annotator agreement` on a SQLite store through the sqlite3 module alone.

Loading SQLAlchemy, SQLModel and the models costs about as much as the figures of 100,000
units by 5 annotators, so the plain case (see `sqlite_direct`) is read here: a current
SQLite store, a project with no check items (their scoring reads through ``store.checks``)
and no document tasks (``store.document_annotations``). Anything else gives None, and the
command takes the full path.

The labels are read on a connection of their own, in a thread and in one read transaction
(``labels_packed.read_labels``: the same statements ``labels_query.fetch_labels`` runs), and
the answers to check items the figures leave out are counted on a third; the sqlite3 module
lets that SQL run while the command loads the analysis code and numpy.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotator.store.errors import StoreError
from annotator.store.labels_packed import ProjectLabels, labels_of, read_labels
from annotator.store.sqlite_direct import connect_current, find_project, sqlite_path, stored_schema
from annotator.store.who_sees import lead_view_direct

if TYPE_CHECKING:
    from annotator.schema.model import Schema

_HAS_CHECKS = "SELECT 1 FROM checkitem WHERE project_id = ? LIMIT 1"
# Answers to check items (left out of the figures; as store.checks.count_answers counts
# them): a plain scan of the table, a third of the time of probing each unit's rows.
_CHECK_ANSWERS = (
    "SELECT count(*) FROM annotation NOT INDEXED "
    "WHERE is_check AND unit_id IN (SELECT id FROM unit WHERE project_id = ?)"
)


class _Pending:
    """`fn(*args)` running in a thread; `result()` waits for it (and raises what it raised)."""

    def __init__(self, fn: Callable[..., Any], *args: Any) -> None:
        self._out: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(fn, args), daemon=True)
        self._thread.start()

    def _run(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        try:
            self._out = fn(*args)
        except BaseException as exc:  # handed to the caller of result()
            self._error = exc

    def result(self) -> Any:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._out


@dataclass
class AgreementSource:
    """A project opened for `annotator agreement`; its labels and the count of check answers
    are being read meanwhile (`labels()` and `check_answers()` wait for them)."""

    project: str
    schema: Schema
    lead_view: bool
    why_hidden: str
    _labels: _Pending
    _answers: _Pending

    def labels(self) -> ProjectLabels:
        return labels_of(self._labels.result())

    def check_answers(self) -> int:
        return int(self._answers.result())


def open_agreement(
    db: str | None, project: str | None, as_name: str | None
) -> AgreementSource | None:
    """The project, in the plain case (else None); LookupError when `as_name` names nobody,
    as ``labels_query.lead_view`` raises it."""
    path = sqlite_path(db)
    con = connect_current(path) if path is not None else None
    if path is None or con is None:
        return None
    try:
        row = find_project(con, project)
        if row is None:
            return None
        schema = stored_schema(con, row)
        if schema is None or schema.document_tasks:
            return None
        if con.execute(_HAS_CHECKS, (row.id,)).fetchone() is not None:
            return None
        lead_view, why = lead_view_direct(con, as_name)
    except sqlite3.Error:
        return None
    finally:
        con.close()
    labels = _Pending(_on_own_connection, path, read_labels, row.id)
    answers = _Pending(_on_own_connection, path, _count_check_answers, row.id)
    return AgreementSource(row.name, schema, lead_view, why, labels, answers)


def _count_check_answers(con: sqlite3.Connection, project_id: int) -> int:
    return int(con.execute(_CHECK_ANSWERS, (project_id,)).fetchone()[0])


def _on_own_connection(path: Path, read: Callable[[sqlite3.Connection, int], Any], pid: int) -> Any:
    """`read(connection, pid)` on a read-only connection of its own (one per thread)."""
    con = connect_current(path)
    if con is None:
        raise StoreError(f"{path}: the store could not be opened again to read it")
    try:
        return read(con, pid)
    except sqlite3.Error as exc:
        raise StoreError(f"database: {exc} (check --db / ANNOTATOR_DB)") from None
    finally:
        con.close()
