"""assist: per-project settings, per-task models, unit scores, the assisted flag on labels

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01

Assistance learns from the project's own labels: ``assistmodel`` keeps the newest model per
task with the labels it was trained on, ``assistscore`` how sure those models are about each
open unit (for the uncertain and balanced queue orders), ``assistsetting`` the project's
switches. Every label records whether suggestions were on (``assisted``, on the annotation
and in its audit event). Columns are added without batch mode so the audit table keeps its
append-only triggers.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "assistsetting",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("suggestions", sa.Boolean(), nullable=False),
        sa.Column("explore", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"]),
        sa.PrimaryKeyConstraint("project_id"),
    )
    op.create_table(
        "assistmodel",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("task", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("task_type", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("schema_version_id", sa.Integer(), nullable=False),
        sa.Column("label_count", sa.Integer(), nullable=False),
        sa.Column("label_ids", sa.JSON(), nullable=False),
        sa.Column("event_mark", sa.Integer(), nullable=False),
        sa.Column("accuracy", sa.Float(), nullable=True),
        sa.Column("macro_f1", sa.Float(), nullable=True),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("weights", sa.LargeBinary(), nullable=False),
        sa.Column("trained_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"]),
        sa.ForeignKeyConstraint(["schema_version_id"], ["schemaversion.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("project_id", "task"),
    )
    op.create_table(
        "assistscore",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("minority", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("project_id", "unit_id"),
    )
    op.create_index(
        "ix_assistscore_project_confidence", "assistscore", ["project_id", "confidence"]
    )
    op.create_index("ix_assistscore_project_minority", "assistscore", ["project_id", "minority"])
    op.add_column("annotation", sa.Column("assisted", sa.Boolean(), nullable=True))
    # A downgrade keeps the audit's column (see below): an upgrade after it finds it there.
    audit = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("annotationevent")}
    if "assisted" not in audit:
        op.add_column("annotationevent", sa.Column("assisted", sa.Boolean(), nullable=True))


def downgrade() -> None:
    # Dropping an audit column would rebuild the append-only table without its triggers: keep it.
    with op.batch_alter_table("annotation") as batch_op:
        batch_op.drop_column("assisted")
    op.drop_index("ix_assistscore_project_minority", table_name="assistscore")
    op.drop_index("ix_assistscore_project_confidence", table_name="assistscore")
    op.drop_table("assistscore")
    op.drop_table("assistmodel")
    op.drop_table("assistsetting")
