"""People, organisations, memberships, invitations, sessions, API clients, audit log, mail outbox, signing keys.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def uuid(name: str, *args: Any, **kw: Any) -> sa.Column:
    return sa.Column(name, UUID(as_uuid=True), *args, **kw)


def _fk(target: str, **kw: Any) -> sa.ForeignKey:
    # Checked at commit: the unit of work flushes new rows in no particular order between tables.
    return sa.ForeignKey(target, deferrable=True, initially="DEFERRED", **kw)


def at(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "accounts",
        uuid("id", primary_key=True),
        sa.Column("email", sa.Text, nullable=False, unique=True),
        sa.Column("full_name", sa.Text, nullable=False),
        sa.Column("phone", sa.Text),
        sa.Column("password_hash", sa.Text, nullable=False),
        at("created_at", nullable=False),
        at("updated_at"),
        at("email_confirmed_at"),
        at("disabled_at"),
        at("password_changed_at"),
    )
    op.create_table(
        "organisations",
        uuid("id", primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("siret", sa.String(14)),
        sa.Column("siren", sa.String(9)),
        sa.Column("uai", sa.String(8)),
        sa.Column("opco_code", sa.String(32)),
        at("created_at", nullable=False),
        uuid("created_by", _fk("accounts.id")),
    )
    op.create_index(
        "organisations_employer_siret",
        "organisations",
        ["siret"],
        unique=True,
        postgresql_where=sa.text("kind = 'employer'"),
    )
    op.create_index(
        "organisations_training_uai",
        "organisations",
        ["uai"],
        unique=True,
        postgresql_where=sa.text("kind = 'training'"),
    )
    op.create_index(
        "organisations_opco_code",
        "organisations",
        ["opco_code"],
        unique=True,
        postgresql_where=sa.text("kind = 'opco'"),
    )
    op.create_index("organisations_siren", "organisations", ["siren"])

    op.create_table(
        "memberships",
        uuid("id", primary_key=True),
        uuid("account_id", _fk("accounts.id"), nullable=False),
        uuid("organisation_id", _fk("organisations.id"), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        at("granted_at", nullable=False),
        uuid("granted_by"),
        at("role_changed_at"),
        at("revoked_at"),
        uuid("revoked_by"),
    )
    op.create_index(
        "memberships_active",
        "memberships",
        ["account_id", "organisation_id"],
        unique=True,
        postgresql_where=sa.text("revoked_at IS NULL"),
    )
    op.create_index("memberships_organisation", "memberships", ["organisation_id"])

    op.create_table(
        "invitations",
        uuid("id", primary_key=True),
        uuid("organisation_id", _fk("organisations.id"), nullable=False),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        uuid("invited_by", _fk("accounts.id"), nullable=False),
        at("created_at", nullable=False),
        at("expires_at", nullable=False),
        at("accepted_at"),
        uuid("accepted_by"),
        at("cancelled_at"),
    )
    op.create_index("invitations_organisation", "invitations", ["organisation_id"])

    op.create_table(
        "join_requests",
        uuid("id", primary_key=True),
        uuid("organisation_id", _fk("organisations.id"), nullable=False),
        uuid("account_id", _fk("accounts.id"), nullable=False),
        at("created_at", nullable=False),
        sa.Column("message", sa.Text),
        sa.Column("status", sa.String(20), nullable=False),
        uuid("decided_by"),
        at("decided_at"),
    )
    op.create_index(
        "join_requests_pending",
        "join_requests",
        ["organisation_id", "account_id"],
        unique=True,
        postgresql_where=sa.text("status = 'pending'"),
    )

    op.create_table(
        "api_clients",
        uuid("id", primary_key=True),
        uuid("organisation_id", _fk("organisations.id"), nullable=False),
        sa.Column("client_id", sa.String(64), nullable=False, unique=True),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        uuid("created_by", _fk("accounts.id"), nullable=False),
        at("created_at", nullable=False),
        at("revoked_at"),
        at("last_used_at"),
    )
    op.create_index("api_clients_organisation", "api_clients", ["organisation_id"])

    op.create_table(
        "login_sessions",
        uuid("id", primary_key=True),
        uuid("account_id", _fk("accounts.id"), nullable=False),
        at("created_at", nullable=False),
        at("expires_at", nullable=False),
        at("last_used_at"),
        at("revoked_at"),
        sa.Column("revoked_reason", sa.Text),
        sa.Column("user_agent", sa.Text),
        sa.Column("ip", sa.Text),
    )
    op.create_index("login_sessions_account", "login_sessions", ["account_id"])

    op.create_table(
        "refresh_tokens",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        uuid("session_id", _fk("login_sessions.id", ondelete="CASCADE"), nullable=False),
        at("issued_at", nullable=False),
        at("used_at"),
    )
    op.create_index("refresh_tokens_session", "refresh_tokens", ["session_id"])

    op.create_table(
        "action_tokens",
        uuid("id", primary_key=True),
        uuid("account_id", _fk("accounts.id"), nullable=False),
        sa.Column("purpose", sa.String(20), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        at("created_at", nullable=False),
        at("expires_at", nullable=False),
        at("used_at"),
    )
    op.create_index("action_tokens_account", "action_tokens", ["account_id", "purpose"])

    op.create_table(
        "attempts",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("key", sa.Text, nullable=False),
        at("attempted_at", nullable=False),
    )
    op.create_index("attempts_key_time", "attempts", ["key", "attempted_at"])

    op.create_table(
        "audit_log",
        uuid("id", primary_key=True),
        at("occurred_at", nullable=False),
        uuid("actor_id"),
        sa.Column("actor_kind", sa.String(20), nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        uuid("organisation_id"),
        uuid("target_account_id"),
        sa.Column("details", JSONB, nullable=False),
    )
    op.create_index("audit_log_organisation_time", "audit_log", ["organisation_id", "occurred_at"])
    op.create_index("audit_log_target", "audit_log", ["target_account_id"])

    op.create_table(
        "mail_outbox",
        uuid("id", primary_key=True),
        sa.Column("to_address", sa.Text, nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        at("created_at", nullable=False),
        at("next_attempt_at", nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        at("sent_at"),
        at("failed_at"),
        sa.Column("last_error", sa.Text),
    )
    op.create_index(
        "mail_outbox_due",
        "mail_outbox",
        ["next_attempt_at"],
        postgresql_where=sa.text("sent_at IS NULL AND failed_at IS NULL"),
    )

    op.create_table(
        "signing_keys",
        sa.Column("kid", sa.String(64), primary_key=True),
        sa.Column("algorithm", sa.String(16), nullable=False),
        sa.Column("public_jwk", JSONB, nullable=False),
        sa.Column("private_key", sa.LargeBinary, nullable=False),
        at("created_at", nullable=False),
        at("activates_at", nullable=False),
    )


def downgrade() -> None:
    for table in (
        "signing_keys",
        "mail_outbox",
        "audit_log",
        "attempts",
        "action_tokens",
        "refresh_tokens",
        "login_sessions",
        "api_clients",
        "join_requests",
        "invitations",
        "memberships",
        "organisations",
        "accounts",
    ):
        op.drop_table(table)
