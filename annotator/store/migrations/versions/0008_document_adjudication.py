"""document adjudication: the lead's final value for a document task, with its history

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01

Review settles document tasks (``scope: document``) as it settles a unit's tasks:
``documentadjudication`` holds the current decision per document and task,
``documentadjudicationevent`` every set, change and clear (append-only, as in 0003).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from annotator.store.audit_triggers import protect, unprotect

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EVENTS = "documentadjudicationevent"


def _decision_columns() -> list[sa.Column]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("task", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("value", sa.JSON(), nullable=True),
        sa.Column("annotator_id", sa.Integer(), nullable=False),
        sa.Column("schema_version_id", sa.Integer(), nullable=True),
    ]


def _keys() -> list[sa.Constraint]:
    return [
        sa.ForeignKeyConstraint(["annotator_id"], ["annotator.id"]),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"]),
        sa.ForeignKeyConstraint(["schema_version_id"], ["schemaversion.id"]),
        sa.PrimaryKeyConstraint("id"),
    ]


def upgrade() -> None:
    op.create_table(
        "documentadjudication",
        *_decision_columns(),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        *_keys(),
        sa.UniqueConstraint("document_id", "task"),
    )
    op.create_table(
        EVENTS,
        *_decision_columns(),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("previous", sa.JSON(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        *_keys(),
    )
    op.create_index(f"ix_{EVENTS}_document_id", EVENTS, ["document_id"])
    protect(op, EVENTS)


def downgrade() -> None:
    unprotect(op, EVENTS)
    op.drop_index(f"ix_{EVENTS}_document_id", table_name=EVENTS)
    op.drop_table(EVENTS)
    op.drop_table("documentadjudication")
