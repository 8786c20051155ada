"""One person in charge per side of a contract (employer, training organisation).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("contract", sa.Column("in_charge", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")))
    # Until now the one owner was the person in charge on the side that created the contract.
    op.execute("UPDATE contract SET in_charge = jsonb_build_object(created_by_side, owner_id)")


def downgrade() -> None:
    op.drop_column("contract", "in_charge")
