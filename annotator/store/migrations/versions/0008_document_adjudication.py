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

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EVENTS = "documentadjudicationevent"
MESSAGE = f"{EVENTS} is append-only: history is never changed"


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
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {EVENTS}_no_{verb.lower()} BEFORE {verb} ON {EVENTS} "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )
    else:
        op.execute(
            f"CREATE FUNCTION {EVENTS}_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$"
        )
        op.execute(
            f"CREATE TRIGGER {EVENTS}_no_change BEFORE UPDATE OR DELETE ON {EVENTS} "
            f"FOR EACH ROW EXECUTE FUNCTION {EVENTS}_append_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.execute(f"DROP FUNCTION IF EXISTS {EVENTS}_append_only() CASCADE")
    op.drop_index(f"ix_{EVENTS}_document_id", table_name=EVENTS)
    op.drop_table(EVENTS)
    op.drop_table("documentadjudication")
