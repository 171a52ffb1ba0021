"""Bring a store's tables up to the newest Alembic revision (never ad-hoc ALTER TABLE).

Every command opens the store, so the common case (already current) must be cheap: one
small query against ``alembic_version`` and no Alembic import. Alembic itself is loaded only
when there is something to upgrade.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from annotator.store.engine import StoreError

_HERE = Path(__file__).parent

# The newest revision in migrations/versions; a test keeps it equal to Alembic's own head.
HEAD = "0005"


def _config():
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(_HERE / "migrations"))
    return cfg


def head_revision() -> str | None:
    """The head according to Alembic's scripts (slow: imports Alembic)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine) -> None:
    """Upgrade to head; a no-op costing one query when the store is already current."""
    try:
        if current_revision(engine) == HEAD:
            return
        from alembic import command

        cfg = _config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise StoreError(f"{engine.url.render_as_string(hide_password=True)}: {reason}") from None
