"""Organisations need proof of control: verification state, a postal code, a training SIRET used once.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("organisations", sa.Column("verified_at", sa.DateTime(timezone=True)))
    op.add_column("organisations", sa.Column("verified_by", UUID(as_uuid=True)))
    op.add_column("organisations", sa.Column("verification", sa.Text))
    op.add_column("organisations", sa.Column("postal_code_hash", sa.Text))
    op.add_column("organisations", sa.Column("postal_code_sent_at", sa.DateTime(timezone=True)))
    op.add_column("organisations", sa.Column("postal_code_attempts", sa.Integer, nullable=False, server_default="0"))
    # Organisations registered before this change were claimed without proof: they stay unverified, except
    # OPCOs, which only operators register.
    op.execute("UPDATE organisations SET verified_at = created_at, verification = 'platform' WHERE kind = 'opco'")
    op.create_index(
        "organisations_training_siret",
        "organisations",
        ["siret"],
        unique=True,
        postgresql_where=sa.text("kind = 'training'"),
    )


def downgrade() -> None:
    op.drop_index("organisations_training_siret", "organisations")
    for column in (
        "postal_code_attempts",
        "postal_code_sent_at",
        "postal_code_hash",
        "verification",
        "verified_by",
        "verified_at",
    ):
        op.drop_column("organisations", column)
