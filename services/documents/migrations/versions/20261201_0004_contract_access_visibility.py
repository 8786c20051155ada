"""The contracts' access projection follows the contracts service's rule: the employer's visibility, deletion.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "contract_access", sa.Column("employer_may_see", sa.Boolean, nullable=False, server_default=sa.true())
    )
    op.add_column("contract_access", sa.Column("deleted", sa.Boolean, nullable=False, server_default=sa.false()))


def downgrade() -> None:
    op.drop_column("contract_access", "deleted")
    op.drop_column("contract_access", "employer_may_see")
