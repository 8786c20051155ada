"""The identity database: one table per domain object, plus attempts, the mail outbox and signing keys."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PG_UUID

from passerelle.identity.domain.model import JoinRequestStatus, TokenPurpose
from passerelle.identity.domain.roles import OrganisationKind, Role

metadata = sa.MetaData()


def _enum(enum: type) -> sa.Enum:
    """Stored as text (a new value needs no migration); read back as the domain's enum."""
    return sa.Enum(
        enum,
        native_enum=False,
        create_constraint=False,
        length=20,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


def _uuid(name: str, *args: Any, **kw: Any) -> sa.Column:
    return sa.Column(name, PG_UUID(as_uuid=True), *args, **kw)


def _fk(target: str, **kw: Any) -> sa.ForeignKey:
    # Checked at commit: the unit of work flushes new rows in no particular order between tables.
    return sa.ForeignKey(target, deferrable=True, initially="DEFERRED", **kw)


def _at(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


accounts = sa.Table(
    "accounts",
    metadata,
    _uuid("id", primary_key=True),
    sa.Column("email", sa.Text, nullable=False, unique=True),
    sa.Column("full_name", sa.Text, nullable=False),
    sa.Column("phone", sa.Text),
    sa.Column("password_hash", sa.Text, nullable=False),
    _at("created_at", nullable=False),
    _at("updated_at"),
    _at("email_confirmed_at"),
    _at("disabled_at"),
    _at("password_changed_at"),
)

organisations = sa.Table(
    "organisations",
    metadata,
    _uuid("id", primary_key=True),
    sa.Column("kind", _enum(OrganisationKind), nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("siret", sa.String(14)),
    sa.Column("siren", sa.String(9)),
    sa.Column("uai", sa.String(8)),
    sa.Column("opco_code", sa.String(32)),
    _at("created_at", nullable=False),
    _uuid("created_by", _fk("accounts.id")),
    _at("verified_at"),
    _uuid("verified_by"),
    sa.Column("verification", sa.Text),
    sa.Column("postal_code_hash", sa.Text),
    _at("postal_code_sent_at"),
    sa.Column("postal_code_attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Index("organisations_employer_siret", "siret", unique=True, postgresql_where=sa.text("kind = 'employer'")),
    sa.Index("organisations_training_siret", "siret", unique=True, postgresql_where=sa.text("kind = 'training'")),
    sa.Index("organisations_training_uai", "uai", unique=True, postgresql_where=sa.text("kind = 'training'")),
    sa.Index("organisations_opco_code", "opco_code", unique=True, postgresql_where=sa.text("kind = 'opco'")),
    sa.Index("organisations_siren", "siren"),
)

memberships = sa.Table(
    "memberships",
    metadata,
    _uuid("id", primary_key=True),
    _uuid("account_id", _fk("accounts.id"), nullable=False),
    _uuid("organisation_id", _fk("organisations.id"), nullable=False),
    sa.Column("role", _enum(Role), nullable=False),
    _at("granted_at", nullable=False),
    _uuid("granted_by"),
    _at("role_changed_at"),
    _at("revoked_at"),
    _uuid("revoked_by"),
    sa.Index(
        "memberships_active",
        "account_id",
        "organisation_id",
        unique=True,
        postgresql_where=sa.text("revoked_at IS NULL"),
    ),
    sa.Index("memberships_organisation", "organisation_id"),
)

invitations = sa.Table(
    "invitations",
    metadata,
    _uuid("id", primary_key=True),
    _uuid("organisation_id", _fk("organisations.id"), nullable=False),
    sa.Column("email", sa.Text, nullable=False),
    sa.Column("role", _enum(Role), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    _uuid("invited_by", _fk("accounts.id"), nullable=False),
    _at("created_at", nullable=False),
    _at("expires_at", nullable=False),
    _at("accepted_at"),
    _uuid("accepted_by"),
    _at("cancelled_at"),
    sa.Index("invitations_organisation", "organisation_id"),
)

join_requests = sa.Table(
    "join_requests",
    metadata,
    _uuid("id", primary_key=True),
    _uuid("organisation_id", _fk("organisations.id"), nullable=False),
    _uuid("account_id", _fk("accounts.id"), nullable=False),
    _at("created_at", nullable=False),
    sa.Column("message", sa.Text),
    sa.Column("status", _enum(JoinRequestStatus), nullable=False),
    _uuid("decided_by"),
    _at("decided_at"),
    sa.Index(
        "join_requests_pending",
        "organisation_id",
        "account_id",
        unique=True,
        postgresql_where=sa.text("status = 'pending'"),
    ),
)

api_clients = sa.Table(
    "api_clients",
    metadata,
    _uuid("id", primary_key=True),
    _uuid("organisation_id", _fk("organisations.id"), nullable=False),
    sa.Column("client_id", sa.String(64), nullable=False, unique=True),
    sa.Column("secret_hash", sa.String(64), nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    _uuid("created_by", _fk("accounts.id"), nullable=False),
    _at("created_at", nullable=False),
    _at("revoked_at"),
    _at("last_used_at"),
    sa.Index("api_clients_organisation", "organisation_id"),
)

login_sessions = sa.Table(
    "login_sessions",
    metadata,
    _uuid("id", primary_key=True),
    _uuid("account_id", _fk("accounts.id"), nullable=False),
    _at("created_at", nullable=False),
    _at("expires_at", nullable=False),
    _at("last_used_at"),
    _at("revoked_at"),
    sa.Column("revoked_reason", sa.Text),
    sa.Column("user_agent", sa.Text),
    sa.Column("ip", sa.Text),
    sa.Index("login_sessions_account", "account_id"),
)

refresh_tokens = sa.Table(
    "refresh_tokens",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    _uuid("session_id", _fk("login_sessions.id", ondelete="CASCADE"), nullable=False),
    _at("issued_at", nullable=False),
    _at("used_at"),
    sa.Index("refresh_tokens_session", "session_id"),
)

action_tokens = sa.Table(
    "action_tokens",
    metadata,
    _uuid("id", primary_key=True),
    _uuid("account_id", _fk("accounts.id"), nullable=False),
    sa.Column("purpose", _enum(TokenPurpose), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    _at("created_at", nullable=False),
    _at("expires_at", nullable=False),
    _at("used_at"),
    sa.Index("action_tokens_account", "account_id", "purpose"),
)

attempts = sa.Table(
    "attempts",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("key", sa.Text, nullable=False),
    _at("attempted_at", nullable=False),
    sa.Index("attempts_key_time", "key", "attempted_at"),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    _uuid("id", primary_key=True),
    _at("occurred_at", nullable=False),
    _uuid("actor_id"),
    sa.Column("actor_kind", sa.String(20), nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    _uuid("organisation_id"),
    _uuid("target_account_id"),
    sa.Column("details", JSONB, nullable=False),
    sa.Index("audit_log_organisation_time", "organisation_id", "occurred_at"),
    sa.Index("audit_log_target", "target_account_id"),
)

mail_outbox = sa.Table(
    "mail_outbox",
    metadata,
    _uuid("id", primary_key=True),
    sa.Column("to_address", sa.Text, nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    _at("created_at", nullable=False),
    _at("next_attempt_at", nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    _at("sent_at"),
    _at("failed_at"),
    sa.Column("last_error", sa.Text),
    sa.Index(
        "mail_outbox_due",
        "next_attempt_at",
        postgresql_where=sa.text("sent_at IS NULL AND failed_at IS NULL"),
    ),
)

signing_keys = sa.Table(
    "signing_keys",
    metadata,
    sa.Column("kid", sa.String(64), primary_key=True),
    sa.Column("algorithm", sa.String(16), nullable=False),
    sa.Column("public_jwk", JSONB, nullable=False),
    # The private key, encrypted (Fernet) with a key derived from the service's secret.
    sa.Column("private_key", sa.LargeBinary, nullable=False),
    _at("created_at", nullable=False),
    _at("activates_at", nullable=False),
)
