"""The review case of a contract, as the OPCO's events name it: staff are told of what happens to their cases.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID as PG_UUID

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("contracts", sa.Column("case_id", PG_UUID(as_uuid=True)))
    op.add_column("contracts", sa.Column("case_revision", sa.Integer))
    op.add_column("contracts", sa.Column("case_assignee", PG_UUID(as_uuid=True)))


def downgrade() -> None:
    op.drop_column("contracts", "case_assignee")
    op.drop_column("contracts", "case_revision")
    op.drop_column("contracts", "case_id")
