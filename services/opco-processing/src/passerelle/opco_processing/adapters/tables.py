"""The service's tables. A case is stored whole (JSONB) beside the columns the queue filters and sorts on."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, UUID

metadata = sa.MetaData()

cases = sa.Table(
    "cases",
    metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("contract_id", UUID(as_uuid=True), nullable=False, unique=True),
    sa.Column("opco_code", sa.Text, nullable=False),
    sa.Column("contract_type", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("assignee_id", UUID(as_uuid=True), nullable=True),
    sa.Column("employer_siret", sa.Text, nullable=True),
    sa.Column("training_siret", sa.Text, nullable=True),
    sa.Column("idcc", sa.Text, nullable=True),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    # When the decision period ends (null while it does not run): the clocks' task scans this.
    sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("file_number", sa.Text, nullable=True, unique=True),
    sa.Column("letter_pending", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("data", JSONB, nullable=False),
    sa.Index("cases_queue", "opco_code", "status", "due_at"),
    sa.Index("cases_due", "due_at", postgresql_where=sa.text("due_at IS NOT NULL")),
    sa.Index("cases_to_check", "status", postgresql_where=sa.text("status = 'received'")),
    sa.Index("cases_letters", "letter_pending", postgresql_where=sa.text("letter_pending")),
)

notes = sa.Table(
    "case_notes",
    metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("case_id", UUID(as_uuid=True), sa.ForeignKey("cases.id"), nullable=False, index=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("author_id", UUID(as_uuid=True), nullable=False),
    sa.Column("author_name", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
)

# The OPCO's own numbering: one counter per OPCO and year, only ever incremented.
file_numbers = sa.Table(
    "file_numbers",
    metadata,
    sa.Column("opco_code", sa.Text, primary_key=True),
    sa.Column("year", sa.Integer, primary_key=True),
    sa.Column("last", sa.Integer, nullable=False),
)

barred_employers = sa.Table(
    "barred_employers",
    metadata,
    sa.Column("id", UUID(as_uuid=True), primary_key=True),
    sa.Column("opco_code", sa.Text, nullable=False),
    sa.Column("siret", sa.Text, nullable=True),
    sa.Column("siren", sa.Text, nullable=True),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("until", sa.Date, nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", UUID(as_uuid=True), nullable=True),
    sa.Index("barred_siren", "siren"),
)

opco_settings = sa.Table(
    "opco_settings",
    metadata,
    sa.Column("opco_code", sa.Text, primary_key=True),
    sa.Column("data", JSONB, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

# A deadline acted upon (an implicit decision, an alert): at most once per case, deadline and kind.
fired_deadlines = sa.Table(
    "fired_deadlines",
    metadata,
    sa.Column("case_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("due_at", sa.DateTime(timezone=True), primary_key=True),
    sa.Column("kind", sa.Text, primary_key=True),
    sa.Column("fired_at", sa.DateTime(timezone=True), nullable=False),
)
