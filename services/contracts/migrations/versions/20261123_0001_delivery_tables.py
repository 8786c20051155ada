"""The service's history starts on libs' delivery branch (the outbox and inbox, versioned in libs).

This revision created the tables from libs' current metadata; they now come from `delivery_0001`
(passerelle.libs.delivery_migrations), which adopts the tables of databases created before.

Revision ID: 0001
Revises: delivery_0001
Create Date: 2026-11-23
"""

revision = "0001"
down_revision = "delivery_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
