"""The notifier database: projections (people, organisations, memberships, contracts), follows, preferences,
notifications, their e-mails, and the per-person change log the live stream replays."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PG_UUID

metadata = sa.MetaData()
# --- tables (the migrations 0002 and after hold the same definitions) ---


def _uuid(name: str, **kw: object) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, PG_UUID(as_uuid=True), **kw)  # type: ignore[arg-type]


def _at(name: str, nullable: bool = True) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


accounts = sa.Table(
    "accounts",
    metadata,
    _uuid("account_id", primary_key=True),
    sa.Column("email", sa.Text, nullable=False),
    sa.Column("full_name", sa.Text, nullable=False, server_default=""),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Index("accounts_email", sa.func.lower(sa.text("email"))),
)

organisations = sa.Table(
    "organisations",
    metadata,
    _uuid("organisation_id", primary_key=True),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("siret", sa.Text),
    sa.Column("uai", sa.Text),
    sa.Column("opco_code", sa.Text),
)

memberships = sa.Table(
    "memberships",
    metadata,
    _uuid("membership_id", primary_key=True),
    _uuid("account_id", nullable=False),
    _uuid("organisation_id", nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("siret", sa.Text),
    sa.Column("uai", sa.Text),
    sa.Column("opco_code", sa.Text),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Index("memberships_account", "account_id"),
    sa.Index("memberships_organisation", "organisation_id"),
    sa.Index("memberships_siret", "siret"),
    sa.Index("memberships_uai", "uai"),
    sa.Index("memberships_opco", "opco_code"),
)

contracts = sa.Table(
    "contracts",
    metadata,
    _uuid("contract_id", primary_key=True),
    sa.Column("contract_type", sa.Text, nullable=False),
    sa.Column("employer_siret", sa.Text),
    sa.Column("training_uai", sa.Text),
    sa.Column("training_siret", sa.Text),
    sa.Column("opco_code", sa.Text),
    sa.Column("employer_email", sa.Text),
    _uuid("employer_in_charge"),
    _uuid("training_in_charge"),
    sa.Column("revision", sa.Integer, nullable=False, server_default="0"),
    # The contract's version (contracts' ETag) of the last change applied: an older event does not move it back.
    sa.Column("version", sa.Integer),
    sa.Column("opco_file_number", sa.Text),
    sa.Column("apprentice_name", sa.Text),
    # The OPCO's review case of the contract (from its events), and who it was last known assigned to (the clock
    # alert names the assignee; no event tells an assignment on its own).
    _uuid("case_id"),
    sa.Column("case_revision", sa.Integer),  # the revision the case was opened with
    _uuid("case_assignee"),
)

follows = sa.Table(
    "follows",
    metadata,
    _uuid("account_id", primary_key=True),
    sa.Column("target_kind", sa.Text, primary_key=True),  # siret | uai | contract
    sa.Column("target", sa.Text, primary_key=True),
    sa.Index("follows_target", "target_kind", "target"),
)

preferences = sa.Table(
    "preferences",
    metadata,
    _uuid("account_id", primary_key=True),
    sa.Column("kind", sa.Text, primary_key=True),
    sa.Column("web", sa.Text, nullable=False),
    sa.Column("email", sa.Text, nullable=False),
    _at("updated_at", nullable=False),
)

notifications = sa.Table(
    "notifications",
    metadata,
    _uuid("id", primary_key=True),
    _uuid("account_id"),
    sa.Column("email", sa.Text),
    sa.Column("recipient_key", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("legal", sa.Boolean, nullable=False),
    _uuid("cause_event_id", nullable=False),
    sa.Column("cause_type", sa.Text, nullable=False),
    _uuid("contract_id"),
    _uuid("organisation_id"),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("link", sa.Text, nullable=False),
    sa.Column("letter_url", sa.Text),
    sa.Column("web", sa.Boolean, nullable=False),
    _at("created_at", nullable=False),
    _at("seen_at"),
    _at("read_at"),
    _at("archived_at"),
    # The digest: pending until the person's daily digest mail carries it.
    sa.Column("digest", sa.Text),
    _uuid("digest_mail_id"),
    sa.UniqueConstraint("cause_event_id", "recipient_key", "kind", name="notifications_once"),
    sa.Index("notifications_feed", "account_id", sa.text("created_at DESC"), postgresql_where=sa.text("web")),
    sa.Index("notifications_contract", "account_id", "contract_id"),
    sa.Index("notifications_digest", "account_id", postgresql_where=sa.text("digest = 'pending'")),
)

mails = sa.Table(
    "mails",
    metadata,
    _uuid("id", primary_key=True),
    _uuid("notification_id"),
    _uuid("account_id"),
    sa.Column("to_address", sa.Text, nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("text_body", sa.Text, nullable=False),
    sa.Column("html_body", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    _at("next_attempt_at"),
    sa.Column("last_error", sa.Text),
    _at("created_at", nullable=False),
    _at("sent_at"),
    # The attempt in flight: the sender that handed it to the server, and since when (see domain/delivery.py).
    _uuid("sending_by"),
    _at("sending_since"),
    sa.Column("resent_in_doubt", sa.Integer, nullable=False, server_default="0"),
    sa.Index("mails_due", "next_attempt_at", postgresql_where=sa.text("status = 'queued'")),
    sa.Index("mails_sending", "sending_by", postgresql_where=sa.text("status = 'sending'")),
    sa.Index("mails_notification", "notification_id"),
)

feed_changes = sa.Table(
    "feed_changes",
    metadata,
    sa.Column("seq", sa.BigInteger, sa.Identity(), primary_key=True),
    _uuid("account_id", nullable=False),
    sa.Column("event", sa.Text, nullable=False),
    sa.Column("data", JSONB, nullable=False),
    _at("created_at", nullable=False),
    sa.Index("feed_changes_account", "account_id", "seq"),
)

task_runs = sa.Table(
    "task_runs",
    metadata,
    sa.Column("task", sa.Text, primary_key=True),
    _at("last_run_at", nullable=False),
)
