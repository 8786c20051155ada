"""Review cases, notes, the OPCO numbering, barred employers, settings, fired deadlines.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from alembic import op

from passerelle.opco_processing.adapters.tables import metadata

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    metadata.create_all(op.get_bind())


def downgrade() -> None:
    metadata.drop_all(op.get_bind())
