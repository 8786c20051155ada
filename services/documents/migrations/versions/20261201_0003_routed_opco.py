"""The OPCO a contract was routed to by opco-processing (case.opened).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("contract_access", sa.Column("routed_opco_code", sa.Text, nullable=True))


def downgrade() -> None:
    op.drop_column("contract_access", "routed_opco_code")
