"""The contracts service's tables (its own database): contracts, their history, and two projections.

`contract_document` is fed by `document.uploaded` (which documents are attached, for transmission);
`member` by identity's membership events (who the colleagues of a SIRET or UAI are, for transfers).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PG_UUID

metadata = sa.MetaData()

# The columns the dashboard's search filters on besides its ways in (an establishment, a UAI...).
COUNTED = (
    "status",
    "archived",
    "contract_type",
    "visible_to_employer",
    "employer_siret",
    "training_uai",
    "training_siret",
    "created_at",
    "start_date",
    "transmitted_at",
    "private_to",
)
# What the ways' indexes carry besides (0008): the search finds, counts and orders the matching contracts from the
# index alone, then reads the page's rows by id.
CARRIED = (*COUNTED, "employer_in_charge", "training_in_charge", "search_head", "employee_name", "id")
# The head of the searched text that the ways' indexes carry: 4 bytes a character at most, so an index row stays
# under btree's limit (2,704 bytes) whatever the names.
SEARCH_HEAD_CHARACTERS = 500

contract_table = sa.Table(
    "contract",
    metadata,
    sa.Column("id", PG_UUID(as_uuid=True), primary_key=True),
    sa.Column("contract_type", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("transmitted_revision", sa.Integer, nullable=False, server_default="0"),
    sa.Column("amendment_number", sa.Integer, nullable=False, server_default="0"),
    # Optimistic locking: every update checks and increments it.
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("owner_id", sa.Text, nullable=False),
    # The person in charge on each side: {"employer": account id, "training": account id}.
    sa.Column("in_charge", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    # Each side's person in charge as a column of its own, for the dashboard's filter (carried by the indexes).
    sa.Column("employer_in_charge", sa.Text, sa.Computed("in_charge ->> 'employer'", persisted=True)),
    sa.Column("training_in_charge", sa.Text, sa.Computed("in_charge ->> 'training'", persisted=True)),
    sa.Column("created_by_side", sa.Text, nullable=False),
    # A contract pre-filled by a training organisation is shown to the employer once proposed.
    sa.Column("visible_to_employer", sa.Boolean, nullable=False),
    sa.Column("employer_siret", sa.Text, nullable=True),
    sa.Column("employer_siren", sa.Text, nullable=True),
    sa.Column("training_uai", sa.Text, nullable=True),
    sa.Column("training_siret", sa.Text, nullable=True),
    sa.Column("opco_code", sa.Text, nullable=True),
    sa.Column("employer_name", sa.Text, nullable=True),
    sa.Column("employee_name", sa.Text, nullable=True),
    sa.Column("search_text", sa.Text, nullable=False, server_default=""),
    sa.Column("search_head", sa.Text, sa.Computed(f"left(search_text, {SEARCH_HEAD_CHARACTERS})", persisted=True)),
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
    # The form's start date (tab Contrat), kept as a column for the dashboard's filter and order.
    sa.Column("start_date", sa.Date, nullable=True),
    # A draft private to its creator (account id), drafted for an organisation not verified yet (#10).
    sa.Column("private_to", PG_UUID(as_uuid=True), nullable=True),
    sa.Column("private_organisation_id", PG_UUID(as_uuid=True), nullable=True),
    # An establishment's, a UAI's and a training SIRET's contracts, newest first, carrying what the dashboard's
    # search filters on and orders by (it is then answered from the index alone, the page's rows read by id).
    sa.Index(
        "contract_employer_siret",
        "employer_siret",
        sa.text("updated_at DESC"),
        postgresql_include=[name for name in CARRIED if name != "employer_siret"],
    ),
    sa.Index("contract_employer_siren", "employer_siren", sa.text("updated_at DESC")),
    sa.Index(
        "contract_training_uai",
        "training_uai",
        sa.text("updated_at DESC"),
        postgresql_include=[name for name in CARRIED if name != "training_uai"],
    ),
    # A training SIRET's contracts by UAI next: those outside the organisation's own UAIs are ranges of it.
    sa.Index(
        "contract_training_siret",
        "training_siret",
        "training_uai",
        sa.text("updated_at DESC"),
        postgresql_include=[name for name in CARRIED if name not in ("training_siret", "training_uai")],
        postgresql_where=sa.text("training_siret IS NOT NULL"),
    ),
    sa.Index("contract_opco", "opco_code", "status"),
    # The dashboard's filters and orders by date, within one establishment's contracts (its reach).
    sa.Index("contract_employer_siret_created", "employer_siret", sa.text("created_at DESC")),
    sa.Index("contract_training_uai_created", "training_uai", sa.text("created_at DESC")),
    sa.Index("contract_employer_siret_start", "employer_siret", "start_date"),
    sa.Index("contract_training_uai_start", "training_uai", "start_date"),
    # The id after the date: the contracts not transmitted yet are read in order too (by id).
    sa.Index("contract_employer_siret_transmitted", "employer_siret", sa.text("transmitted_at DESC"), "id"),
    sa.Index("contract_training_uai_transmitted", "training_uai", sa.text("transmitted_at DESC"), "id"),
    sa.Index("contract_employer_siret_employee", "employer_siret", "employee_name"),
    sa.Index("contract_training_uai_employee", "training_uai", "employee_name"),
    # The proposals sent to a person's e-mail before an establishment holds them (one of the dashboard's ways in).
    sa.Index("contract_proposed_to_email", sa.text("lower(proposed_to_email)")),
    # The dashboard's text search (LIKE '%word%') by trigrams (pg_trgm), for the ways no covering index answers.
    sa.Index(
        "contract_search_head", "search_head", postgresql_using="gin", postgresql_ops={"search_head": "gin_trgm_ops"}
    ),
    # "The contracts I am in charge of", on either side.
    sa.Index("contract_employer_in_charge", "employer_in_charge"),
    sa.Index("contract_training_in_charge", "training_in_charge"),
    # Few rows: the private drafts only (a creator's list, an organisation's drafts once verified).
    sa.Index("contract_private_to", "private_to", postgresql_where=sa.text("private_to IS NOT NULL")),
    sa.Index(
        "contract_private_organisation",
        "private_organisation_id",
        postgresql_where=sa.text("private_organisation_id IS NOT NULL"),
    ),
)

# Organisations known to be verified (organisation.verified): a draft made with an older token for one of them
# is an ordinary draft, not a private one.
verified_organisation_table = sa.Table(
    "verified_organisation",
    metadata,
    sa.Column("organisation_id", PG_UUID(as_uuid=True), primary_key=True),
    sa.Column("verified_at", sa.DateTime(timezone=True), nullable=False),
)

contract_history_table = sa.Table(
    "contract_history",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("contract_id", PG_UUID(as_uuid=True), nullable=False),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor_id", sa.Text, nullable=True),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("details", JSONB, nullable=False),
    sa.Index("contract_history_contract", "contract_id", "id"),
)

contract_document_table = sa.Table(
    "contract_document",
    metadata,
    sa.Column("contract_id", PG_UUID(as_uuid=True), primary_key=True),
    sa.Column("document_type", sa.Text, primary_key=True),
    sa.Column("document_id", PG_UUID(as_uuid=True), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("sha256", sa.Text, nullable=False),
    sa.Column("filename", sa.Text, nullable=True),
    sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
)

member_table = sa.Table(
    "member",
    metadata,
    sa.Column("organisation_id", PG_UUID(as_uuid=True), primary_key=True),
    sa.Column("account_id", PG_UUID(as_uuid=True), primary_key=True),
    sa.Column("organisation_kind", sa.Text, nullable=False),
    sa.Column("siret", sa.Text, nullable=True),
    sa.Column("uai", sa.Text, nullable=True),
    sa.Index("member_account", "account_id"),
)

# Drafts submitted in bulk by partner software: the request as accepted, then a result per draft.
bulk_submission_table = sa.Table(
    "bulk_submission",
    metadata,
    sa.Column("id", PG_UUID(as_uuid=True), primary_key=True),
    sa.Column("caller", sa.Text, nullable=False),
    sa.Column("request_key", sa.Text, nullable=False),
    sa.Column("request_hash", sa.Text, nullable=False),
    # The caller's identity and memberships when the request was accepted: the drafts are created as them.
    sa.Column("principal", JSONB, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("total", sa.Integer, nullable=False),
    sa.Column("processed", sa.Integer, nullable=False, server_default="0"),
    sa.Column("created", sa.Integer, nullable=False, server_default="0"),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    sa.UniqueConstraint("caller", "request_key", name="bulk_submission_caller_key"),
    sa.Index("bulk_submission_pending", "created_at", postgresql_where=sa.text("status <> 'done'")),
)

# One row per submitted draft: its payload until processed, then its result.
bulk_item_table = sa.Table(
    "bulk_item",
    metadata,
    sa.Column("submission_id", PG_UUID(as_uuid=True), sa.ForeignKey("bulk_submission.id", ondelete="CASCADE")),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("reference", sa.Text, nullable=True),
    sa.Column("payload", JSONB, nullable=False),
    sa.Column("status", sa.Text, nullable=False),  # pending, created, refused
    sa.Column("contract_id", PG_UUID(as_uuid=True), nullable=True),
    sa.Column("version", sa.Integer, nullable=True),
    sa.Column("error", JSONB, nullable=True),
    sa.PrimaryKeyConstraint("submission_id", "position"),
)
