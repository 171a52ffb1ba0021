"""adjudication history: every decision kept, append-only

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28

A lead may change an adjudication; the previous decision must survive. ``adjudication``
keeps the current one (unique per unit and task), ``adjudicationevent`` every change, and
like ``annotationevent`` it refuses updates and deletes. Existing adjudications are copied
in as their first event.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from annotator.store.audit_triggers import protect, unprotect

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "adjudicationevent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("task", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("value", sa.JSON(), nullable=True),
        sa.Column("previous", sa.JSON(), nullable=True),
        sa.Column("annotator_id", sa.Integer(), nullable=False),
        sa.Column("schema_version_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["annotator_id"], ["annotator.id"]),
        sa.ForeignKeyConstraint(["schema_version_id"], ["schemaversion.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("adjudicationevent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_adjudicationevent_unit_id"), ["unit_id"], unique=False)
    op.execute(
        "INSERT INTO adjudicationevent "
        "(unit_id, task, action, value, annotator_id, schema_version_id, at) "
        "SELECT unit_id, task, 'set', value, annotator_id, schema_version_id, created_at "
        "FROM adjudication ORDER BY id"
    )
    protect(op, "adjudicationevent")


def downgrade() -> None:
    unprotect(op, "adjudicationevent")
    with op.batch_alter_table("adjudicationevent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_adjudicationevent_unit_id"))
    op.drop_table("adjudicationevent")
