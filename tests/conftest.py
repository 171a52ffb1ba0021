"""Shared fixtures: a fresh store on SQLite, and on PostgreSQL when the server is configured."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

PG_ENV = "ANNOTATOR_TEST_PG_URL"
SHARED = Path(__file__).resolve().parents[2] / "shared"


def _pg_schema_url(base: str) -> Iterator[str]:
    """A throwaway PostgreSQL schema, so test runs never see each other's tables."""
    import sqlalchemy as sa

    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{name}"'))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options={quote(f'-csearch_path={name}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()


@pytest.fixture(autouse=True)
def _no_user_config(tmp_path, monkeypatch):
    """No test reads or writes the config file of the person running the suite."""
    monkeypatch.setenv("ANNOTATOR_CONFIG", str(tmp_path / "config.toml"))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> Iterator[str]:
    """A URL to an empty store, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'annotator.db'}"
        return
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(
            f"PostgreSQL tests need {PG_ENV} (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)"
        )
    yield from _pg_schema_url(base)


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'annotator.db'}"


@pytest.fixture
def shared_corpus() -> Path:
    """The real-news corpus next to the repository; tests using it skip where it is absent."""
    corpus = SHARED / "corpus"
    if not corpus.is_dir():
        pytest.skip("../shared/corpus is not present (optional corpus checks)")
    return corpus


# Fuzzing profiles (tests/fuzz): `ci` is the default, a few hundred inputs per target;
# `pytest tests/fuzz --hypothesis-profile=long` runs 10,000 per target.
try:
    from datetime import timedelta

    from hypothesis import HealthCheck, settings
except ImportError:  # pragma: no cover - hypothesis comes with the test extra
    pass
else:
    _FUZZ = {
        # The per-input budget is CPU time (tests/fuzz/conftest.py), which load does not
        # stretch; this wall-clock deadline only catches an input that hangs.
        "deadline": timedelta(seconds=60),
        "suppress_health_check": [
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
            HealthCheck.filter_too_much,
        ],
        "print_blob": True,
    }
    settings.register_profile("long", max_examples=10_000, **_FUZZ)
    settings.register_profile("ci", max_examples=300, **_FUZZ)
    settings.load_profile(os.environ.get("ANNOTATOR_FUZZ_PROFILE", "ci"))
