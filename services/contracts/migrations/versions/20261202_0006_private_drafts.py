"""Drafts private to their creator while their organisation is not verified (#10), and the organisations known
to be verified.

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
    op.add_column("contract", sa.Column("private_to", UUID(as_uuid=True), nullable=True))
    op.add_column("contract", sa.Column("private_organisation_id", UUID(as_uuid=True), nullable=True))
    op.create_index(
        "contract_private_to", "contract", ["private_to"], postgresql_where=sa.text("private_to IS NOT NULL")
    )
    op.create_index(
        "contract_private_organisation",
        "contract",
        ["private_organisation_id"],
        postgresql_where=sa.text("private_organisation_id IS NOT NULL"),
    )
    op.create_table(
        "verified_organisation",
        sa.Column("organisation_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("verified_organisation")
    op.drop_index("contract_private_organisation", table_name="contract")
    op.drop_index("contract_private_to", table_name="contract")
    op.drop_column("contract", "private_organisation_id")
    op.drop_column("contract", "private_to")
