"""The documents service's tables (its own database): documents' metadata and the contracts' access projection."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID as PG_UUID

metadata = sa.MetaData()

documents_table = sa.Table(
    "documents",
    metadata,
    sa.Column("id", PG_UUID(as_uuid=True), primary_key=True),
    sa.Column("contract_id", PG_UUID(as_uuid=True), nullable=False),
    sa.Column("document_type", sa.Text, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("supersedes", PG_UUID(as_uuid=True), nullable=True),
    sa.Column("filename", sa.Text, nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("media_type", sa.Text, nullable=False),
    sa.Column("object_key", sa.Text, nullable=False, unique=True),
    sa.Column("uploaded_by", PG_UUID(as_uuid=True), nullable=True),
    sa.Column("uploaded_by_kind", sa.Text, nullable=False),
    sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("scan_verdict", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.CheckConstraint("status IN ('stored', 'missing')", name="documents_status"),
    # Also the index of a contract's documents.
    sa.UniqueConstraint("contract_id", "document_type", "version", name="documents_one_version"),
    sa.Index("documents_uploaded_at", "uploaded_at"),
)

contract_access_table = sa.Table(
    "contract_access",
    metadata,
    sa.Column("contract_id", PG_UUID(as_uuid=True), primary_key=True),
    sa.Column("employer_siret", sa.Text, nullable=True),
    sa.Column("training_uai", sa.Text, nullable=True),
    sa.Column("training_siret", sa.Text, nullable=True),
    sa.Column("opco_code", sa.Text, nullable=True),
    sa.Column("transmitted", sa.Boolean, nullable=False, server_default=sa.false()),
    # False while a training organisation's draft is not proposed to the employer (contracts' rule).
    sa.Column("employer_may_see", sa.Boolean, nullable=False, server_default=sa.true()),
    # A draft private to its creator (their organisation not verified yet): the same rule as contracts (libs.access).
    sa.Column("private_to", PG_UUID(as_uuid=True), nullable=True),
    # A deleted draft: its documents are seen by nobody (sticky, like `transmitted`).
    sa.Column("deleted", sa.Boolean, nullable=False, server_default=sa.false()),
    # The OPCO opco-processing routed the contract to (case.opened): it wins over the contract's own guess.
    sa.Column("routed_opco_code", sa.Text, nullable=True),
    # The contract's version carried by the event that last set the parties: an older event arriving late (from
    # another topic) changes nothing. Never decided by `updated_at`, which the producer's clock (or a forger) sets.
    sa.Column("contract_version", sa.BigInteger, nullable=True),
    # When that event occurred: shown, and the order of last resort between events that carry no version.
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)
