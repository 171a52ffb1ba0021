"""the audit table is append-only, enforced by the database itself

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27

A label's history must survive any code path, including a future bug or a hand-typed SQL
statement: updates and deletes of annotationevent rows are refused by triggers.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MESSAGE = "annotationevent is append-only: history is never changed"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER annotationevent_no_{verb.lower()} "
                f"BEFORE {verb} ON annotationevent "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )
    else:
        op.execute(
            "CREATE FUNCTION annotationevent_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER annotationevent_no_change BEFORE UPDATE OR DELETE ON annotationevent "
            "FOR EACH ROW EXECUTE FUNCTION annotationevent_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS annotationevent_no_update")
        op.execute("DROP TRIGGER IF EXISTS annotationevent_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS annotationevent_no_change ON annotationevent")
        op.execute("DROP FUNCTION IF EXISTS annotationevent_append_only()")
