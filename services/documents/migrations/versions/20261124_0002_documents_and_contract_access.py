"""Documents' metadata and the contracts' access projection.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("contract_id", UUID(as_uuid=True), nullable=False),
        sa.Column("document_type", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("supersedes", UUID(as_uuid=True), nullable=True),
        sa.Column("filename", sa.Text, nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("media_type", sa.Text, nullable=False),
        sa.Column("object_key", sa.Text, nullable=False, unique=True),
        sa.Column("uploaded_by", UUID(as_uuid=True), nullable=True),
        sa.Column("uploaded_by_kind", sa.Text, nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("scan_verdict", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.CheckConstraint("status IN ('stored', 'missing')", name="documents_status"),
        sa.UniqueConstraint("contract_id", "document_type", "version", name="documents_one_version"),
    )
    op.create_index("documents_uploaded_at", "documents", ["uploaded_at"])
    op.create_table(
        "contract_access",
        sa.Column("contract_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("employer_siret", sa.Text, nullable=True),
        sa.Column("training_uai", sa.Text, nullable=True),
        sa.Column("training_siret", sa.Text, nullable=True),
        sa.Column("opco_code", sa.Text, nullable=True),
        sa.Column("transmitted", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("contract_access")
    op.drop_table("documents")
