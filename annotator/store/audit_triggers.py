"""Append-only audit tables: triggers that refuse UPDATE and DELETE, for the migrations that
create such a table (annotation, adjudication and document events). The statements must not
change once a migration has run them: a new rule needs a new function here."""

from __future__ import annotations

from typing import Any


def protect(op: Any, table: str) -> None:
    """Refuse every UPDATE and DELETE on `table`, on SQLite and on PostgreSQL."""
    message = f"{table} is append-only: history is never changed"
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )
        return
    op.execute(
        f"CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN RAISE EXCEPTION '{message}'; END $$"
    )
    op.execute(
        f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()"
    )


def unprotect(op: Any, table: str) -> None:
    """Drop what `protect` made (before the table itself, or to let a migration rewrite it)."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
        return
    op.execute(f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}")
    op.execute(f"DROP FUNCTION IF EXISTS {table}_append_only()")
