"""The outbox (events written with the state they describe) and the inbox (events a consumer applied).

Written out column by column (never from the current metadata), so that this revision stays what it was.
A database created before the delivery branch existed already has these tables: they are adopted as they are.

Revision ID: delivery_0001
Revises:
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision = "delivery_0001"
down_revision = None
branch_labels = ("delivery",)
depends_on = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "outbox" not in existing:
        op.create_table(
            "outbox",
            sa.Column("seq", sa.BigInteger, sa.Identity(), primary_key=True),
            sa.Column("event_id", UUID(as_uuid=True), nullable=False),
            sa.Column("topic", sa.Text, nullable=False),
            sa.Column("key", sa.Text, nullable=True),
            sa.Column("headers", JSONB, nullable=False),
            sa.Column("payload", sa.LargeBinary, nullable=False),
            sa.Column("lane", sa.SmallInteger, nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
            sa.UniqueConstraint("event_id", name="outbox_event_id_key"),
        )
        op.create_index("outbox_pending", "outbox", ["seq"], postgresql_where=sa.text("sent_at IS NULL"))
        op.create_index("outbox_pending_lane", "outbox", ["lane", "seq"], postgresql_where=sa.text("sent_at IS NULL"))
    if "inbox" not in existing:
        op.create_table(
            "inbox",
            sa.Column("event_id", UUID(as_uuid=True), nullable=False),
            sa.Column("consumer", sa.Text, nullable=False),
            sa.Column("topic", sa.Text, nullable=False),
            sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("event_id", "consumer", name="inbox_pkey"),
        )


def downgrade() -> None:
    op.drop_table("inbox")
    op.drop_table("outbox")
