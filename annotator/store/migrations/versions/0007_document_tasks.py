"""document tasks: answers given once per document, with their own append-only audit

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01

A schema task with ``scope: document`` (the article's overall stance, the outlet's framing)
is answered once per document and annotator, not per sentence: ``documentannotation`` holds
the current answers and ``documentannotationevent`` every change, refused UPDATE and DELETE
by triggers as the unit audit is (0002).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from annotator.store.audit_triggers import protect, unprotect

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EVENTS = "documentannotationevent"


def upgrade() -> None:
    op.create_table(
        "documentannotation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("annotator_id", sa.Integer(), nullable=False),
        sa.Column("schema_version_id", sa.Integer(), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["annotator_id"], ["annotator.id"]),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"]),
        sa.ForeignKeyConstraint(["schema_version_id"], ["schemaversion.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("document_id", "annotator_id"),
    )
    op.create_index(
        "ix_documentannotation_annotator_id", "documentannotation", ["annotator_id"]
    )
    op.create_table(
        EVENTS,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_annotation_id", sa.Integer(), nullable=True),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("annotator_id", sa.Integer(), nullable=False),
        sa.Column("schema_version_id", sa.Integer(), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.ForeignKeyConstraint(["annotator_id"], ["annotator.id"]),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"]),
        sa.ForeignKeyConstraint(["schema_version_id"], ["schemaversion.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(f"ix_{EVENTS}_document_id", EVENTS, ["document_id"])
    op.create_index(f"ix_{EVENTS}_document_annotation_id", EVENTS, ["document_annotation_id"])
    protect(op, EVENTS)


def downgrade() -> None:
    unprotect(op, EVENTS)
    op.drop_table(EVENTS)
    op.drop_index("ix_documentannotation_annotator_id", table_name="documentannotation")
    op.drop_table("documentannotation")
