"""the audit table is append-only, enforced by the database itself

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27

A label's history must survive any code path, including a future bug or a hand-typed SQL
statement: updates and deletes of annotationevent rows are refused by triggers.
"""

from collections.abc import Sequence

from alembic import op

from annotator.store.audit_triggers import protect, unprotect

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    protect(op, "annotationevent")


def downgrade() -> None:
    unprotect(op, "annotationevent")
