"""teams: leases, queue positions in the store, assignments, sign-in tokens, audit origin

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30

Many annotators at once need the store to say who holds which unit (``lease``), where each
person's queue stands on any machine (``queueposition``, replacing a file in ~/.cache), which
documents the lead gave to whom (``assignment``), who may sign in from a browser
(``annotator.token_hash``), and, in the audit, who changed a label on someone's behalf and
from which file (``annotationevent.actor``/``source``). Columns are added without batch mode
so the audit table keeps its append-only triggers.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "lease",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("annotator_id", sa.Integer(), nullable=False),
        sa.Column("expires_ms", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["annotator_id"], ["annotator.id"]),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("unit_id", "annotator_id"),
    )
    op.create_index("ix_lease_annotator_id", "lease", ["annotator_id"], unique=False)
    op.create_table(
        "queueposition",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("annotator_id", sa.Integer(), nullable=False),
        sa.Column("overlap", sa.Integer(), nullable=False),
        sa.Column("floor", sa.Integer(), nullable=False),
        sa.Column("mark", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["annotator_id"], ["annotator.id"]),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"]),
        sa.PrimaryKeyConstraint("project_id", "annotator_id"),
    )
    op.create_table(
        "assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("annotator_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["annotator_id"], ["annotator.id"]),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"]),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("document_id", "annotator_id"),
    )
    op.create_index("ix_assignment_annotator_id", "assignment", ["annotator_id"], unique=False)
    op.add_column(
        "annotationevent",
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    )
    op.add_column("annotationevent", sa.Column("source", sqlmodel.sql.sqltypes.AutoString()))
    op.add_column(
        "annotator",
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    )
    op.create_index("ix_annotator_token_hash", "annotator", ["token_hash"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_annotator_token_hash", table_name="annotator")
    with op.batch_alter_table("annotator") as batch_op:
        batch_op.drop_column("token_hash")
    # Dropping audit columns would rebuild the append-only table without its triggers: keep them.
    op.drop_index("ix_assignment_annotator_id", table_name="assignment")
    op.drop_table("assignment")
    op.drop_table("queueposition")
    op.drop_index("ix_lease_annotator_id", table_name="lease")
    op.drop_table("lease")
