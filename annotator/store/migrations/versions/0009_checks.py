"""checks: units with known answers mixed into the queues, and the mark on their answers

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01

``checkitem`` holds a project's check units and their known answers (imported, or chosen by
the lead from adjudicated units), ``checksetting`` the share of the queue they take and the
accuracy under which the lead is warned. An answer given to a check unit is an annotation
like any other, marked ``is_check`` so it is scored and kept out of the ordinary labels
(existing annotations are ordinary: the column's default).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "checkitem",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("origin", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("unit_id"),
    )
    op.create_index("ix_checkitem_project_id", "checkitem", ["project_id"])
    op.create_table(
        "checksetting",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("rate", sa.Float(), nullable=False),
        sa.Column("warn_below", sa.Float(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"]),
        sa.PrimaryKeyConstraint("project_id"),
    )
    op.add_column(
        "annotation",
        sa.Column("is_check", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    with op.batch_alter_table("annotation") as batch_op:
        batch_op.drop_column("is_check")
    op.drop_table("checksetting")
    op.drop_index("ix_checkitem_project_id", table_name="checkitem")
    op.drop_table("checkitem")
