"""The access projection decides what is newer by the contract's version, never by the producer's clock.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("contract_access", sa.Column("contract_version", sa.BigInteger, nullable=True))


def downgrade() -> None:
    op.drop_column("contract_access", "contract_version")
