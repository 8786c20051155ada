"""The outbox and inbox every service has.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from alembic import op

from passerelle.libs.migrations import create_delivery_tables, drop_delivery_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_delivery_tables(op)


def downgrade() -> None:
    drop_delivery_tables(op)
