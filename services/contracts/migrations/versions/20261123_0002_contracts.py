"""Contracts, their history, the attached documents and the members projections.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PG_UUID

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contract",
        sa.Column("id", PG_UUID(as_uuid=True), primary_key=True),
        sa.Column("contract_type", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("transmitted_revision", sa.Integer, nullable=False, server_default="0"),
        sa.Column("amendment_number", sa.Integer, nullable=False, server_default="0"),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("owner_id", sa.Text, nullable=False),
        sa.Column("created_by_side", sa.Text, nullable=False),
        sa.Column("visible_to_employer", sa.Boolean, nullable=False),
        sa.Column("employer_siret", sa.Text, nullable=True),
        sa.Column("employer_siren", sa.Text, nullable=True),
        sa.Column("training_uai", sa.Text, nullable=True),
        sa.Column("training_siret", sa.Text, nullable=True),
        sa.Column("opco_code", sa.Text, nullable=True),
        sa.Column("employer_name", sa.Text, nullable=True),
        sa.Column("employee_name", sa.Text, nullable=True),
        sa.Column("search_text", sa.Text, nullable=False, server_default=""),
        sa.Column("form", JSONB, nullable=False),
        sa.Column("anomalies", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        sa.Column("anomaly_letter_document_id", PG_UUID(as_uuid=True), nullable=True),
        sa.Column("agreement_letter_document_id", PG_UUID(as_uuid=True), nullable=True),
        sa.Column("opco_file_number", sa.Text, nullable=True),
        sa.Column("refusal_reason", sa.Text, nullable=True),
        sa.Column("proposed_to_email", sa.Text, nullable=True),
        sa.Column("status_before_archive", sa.Text, nullable=True),
        sa.Column("archived", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("transmitted_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("contract_employer_siret", "contract", ["employer_siret", sa.text("updated_at DESC")])
    op.create_index("contract_employer_siren", "contract", ["employer_siren", sa.text("updated_at DESC")])
    op.create_index("contract_training_uai", "contract", ["training_uai", sa.text("updated_at DESC")])
    op.create_index("contract_training_siret", "contract", ["training_siret", sa.text("updated_at DESC")])
    op.create_index("contract_opco", "contract", ["opco_code", "status"])

    op.create_table(
        "contract_history",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("contract_id", PG_UUID(as_uuid=True), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Text, nullable=True),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("details", JSONB, nullable=False),
    )
    op.create_index("contract_history_contract", "contract_history", ["contract_id", "id"])

    op.create_table(
        "contract_document",
        sa.Column("contract_id", PG_UUID(as_uuid=True), primary_key=True),
        sa.Column("document_type", sa.Text, primary_key=True),
        sa.Column("document_id", PG_UUID(as_uuid=True), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("sha256", sa.Text, nullable=False),
        sa.Column("filename", sa.Text, nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
    )

    op.create_table(
        "member",
        sa.Column("organisation_id", PG_UUID(as_uuid=True), primary_key=True),
        sa.Column("account_id", PG_UUID(as_uuid=True), primary_key=True),
        sa.Column("organisation_kind", sa.Text, nullable=False),
        sa.Column("siret", sa.Text, nullable=True),
        sa.Column("uai", sa.Text, nullable=True),
    )
    op.create_index("member_account", "member", ["account_id"])


def downgrade() -> None:
    op.drop_table("member")
    op.drop_table("contract_document")
    op.drop_table("contract_history")
    op.drop_table("contract")
