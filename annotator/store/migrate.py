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
from annotator.store.revision import HEAD

_HERE = Path(__file__).parent


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
    prepare(engine, create=True, upgrade=True)


def prepare(engine: Engine, *, create: bool, upgrade: bool, where: str | None = None) -> None:
    """Check that the store can be used as it is, changing it only as allowed: `create` the
    tables in an empty database, `upgrade` an older store. A store made by a newer annotator,
    or a database of another application, is refused in one line (never Alembic's traceback)."""
    where = where or engine.url.render_as_string(hide_password=True)
    try:
        current = current_revision(engine)
        if current == HEAD:
            return
        if current is None and not create:
            raise StoreError(f"{where}: {_not_ours(engine)}")
        if current is not None:
            _check_known(current, where)
            if not upgrade:
                raise StoreError(
                    f"{where}: the store is at revision {current} and this annotator needs "
                    f"{HEAD}: run `annotator migrate` to upgrade it (reading never changes it)"
                )
        from alembic import command

        cfg = _config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise StoreError(f"{where}: {reason}") from None


def _check_known(revision: str, where: str) -> None:
    from alembic.script import ScriptDirectory

    try:
        script = ScriptDirectory.from_config(_config()).get_revision(revision)
        known = script is not None and script.revision == revision  # not "heads" and such
    except Exception:  # alembic's error depends on what the string looks like
        known = False
    if not known:
        raise StoreError(
            f"{where}: this store was made by a newer annotator (revision {revision}; "
            f"this one knows up to {HEAD}): upgrade annotator to use it"
        )


def _not_ours(engine: Engine) -> str:
    with engine.connect() as conn:
        tables = sorted(inspect(conn).get_table_names())
    if not tables:
        return "no annotator store yet: run `annotator init` first"
    shown = ", ".join(tables[:5]) + (", ..." if len(tables) > 5 else "")
    return f"not an annotator store (it holds other tables: {shown}); check --db"
