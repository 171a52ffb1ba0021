"""The bulk insert path (labels import) reports the driver's errors as store errors: one
line, never a bug report."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy.exc import IntegrityError

from annotator.errors import format_user_error
from annotator.store.bulk import insert_rows
from annotator.store.engine import open_store, session_scope
from annotator.store.models import Annotator


def test_a_driver_error_in_bulk_is_a_store_error(db_url):
    engine = open_store(db_url)
    when = datetime(2020, 1, 1, tzinfo=UTC)
    rows = [(7, name, "annotator", when) for name in ("a", "b")]
    with pytest.raises(IntegrityError) as err, session_scope(engine) as s:
        insert_rows(s, Annotator.__table__, ("id", "name", "role", "created_at"), rows)  # same id
    line = format_user_error(err.value)
    assert line is not None and line.startswith("error: database:") and "\n" not in line
    assert "'a'" not in line  # the rows' values are not printed
