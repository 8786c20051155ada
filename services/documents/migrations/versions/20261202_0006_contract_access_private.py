"""A contract's draft private to its creator (their organisation not verified yet, #10): its documents follow the
same rule as the contract (libs.access).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("contract_access", sa.Column("private_to", UUID(as_uuid=True), nullable=True))


def downgrade() -> None:
    op.drop_column("contract_access", "private_to")
