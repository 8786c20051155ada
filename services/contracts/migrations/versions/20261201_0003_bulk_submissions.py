"""Bulk submissions of drafts by training organisations' software (idempotent per caller and request key).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PG_UUID

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bulk_submission",
        sa.Column("id", PG_UUID(as_uuid=True), primary_key=True),
        sa.Column("caller", sa.Text, nullable=False),
        sa.Column("request_key", sa.Text, nullable=False),
        sa.Column("request_hash", sa.Text, nullable=False),
        sa.Column("principal", JSONB, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("processed", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("caller", "request_key", name="bulk_submission_caller_key"),
    )
    op.create_index(
        "bulk_submission_pending", "bulk_submission", ["created_at"], postgresql_where=sa.text("status <> 'done'")
    )
    op.create_table(
        "bulk_item",
        sa.Column("submission_id", PG_UUID(as_uuid=True), sa.ForeignKey("bulk_submission.id", ondelete="CASCADE")),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("reference", sa.Text, nullable=True),
        sa.Column("payload", JSONB, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("contract_id", PG_UUID(as_uuid=True), nullable=True),
        sa.Column("version", sa.Integer, nullable=True),
        sa.Column("error", JSONB, nullable=True),
        sa.PrimaryKeyConstraint("submission_id", "position"),
    )


def downgrade() -> None:
    op.drop_table("bulk_item")
    op.drop_index("bulk_submission_pending", table_name="bulk_submission")
    op.drop_table("bulk_submission")
