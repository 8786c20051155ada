"""The identity context's objects: people, organisations, who belongs where, and the secrets that prove it.

Plain dataclasses; the adapters map them onto tables, the use cases change them through their methods.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4

from passerelle.identity.domain.errors import Conflict, InvalidLink
from passerelle.identity.domain.roles import OrganisationKind, Role
from passerelle.libs.mail import Mail


@dataclass(eq=False)
class Account:
    email: str
    full_name: str
    password_hash: str
    created_at: datetime
    id: UUID = field(default_factory=uuid4)
    phone: str | None = None
    updated_at: datetime | None = None
    email_confirmed_at: datetime | None = None
    disabled_at: datetime | None = None
    password_changed_at: datetime | None = None

    @property
    def is_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    @property
    def is_active(self) -> bool:
        return self.disabled_at is None

    def confirm_email(self, now: datetime) -> bool:
        """True if this confirmed the address (False if it already was)."""
        if self.email_confirmed_at is not None:
            return False
        self.email_confirmed_at = now
        self.updated_at = now
        return True

    def set_password_hash(self, password_hash: str, now: datetime) -> None:
        self.password_hash = password_hash
        self.password_changed_at = now
        self.updated_at = now

    def update_profile(self, now: datetime, full_name: str | None = None, phone: str | None = None) -> None:
        if full_name is not None:
            self.full_name = full_name
        if phone is not None:
            self.phone = phone or None
        self.updated_at = now

    def disable(self, now: datetime) -> bool:
        if self.disabled_at is not None:
            return False
        self.disabled_at = now
        self.updated_at = now
        return True


@dataclass(eq=False)
class Organisation:
    kind: OrganisationKind
    name: str
    created_at: datetime
    id: UUID = field(default_factory=uuid4)
    siret: str | None = None
    siren: str | None = None
    uai: str | None = None
    opco_code: str | None = None
    created_by: UUID | None = None
    # Proof of control (issue #10, item 1): until then its members' tokens do not carry it, so they reach no
    # contract addressed to its SIRET or UAI. `verification` says how it was proven.
    verified_at: datetime | None = None
    verified_by: UUID | None = None
    verification: str | None = None
    # A code sent by post to the establishment's registered address (only its hash is kept).
    postal_code_hash: str | None = None
    postal_code_sent_at: datetime | None = None
    postal_code_attempts: int = 0

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    def verify(self, method: str, by: UUID | None, now: datetime) -> bool:
        if self.is_verified:
            return False
        self.verified_at, self.verified_by, self.verification = now, by, method
        self.postal_code_hash = None
        return True

    def identifiers(self) -> dict[str, str | None]:
        return {"siret": self.siret, "siren": self.siren, "uai": self.uai, "opco_code": self.opco_code}


@dataclass(eq=False)
class Membership:
    account_id: UUID
    organisation_id: UUID
    role: Role
    granted_at: datetime
    id: UUID = field(default_factory=uuid4)
    granted_by: UUID | None = None
    role_changed_at: datetime | None = None
    revoked_at: datetime | None = None
    revoked_by: UUID | None = None

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def change_role(self, role: Role, now: datetime) -> Role:
        """Returns the previous role."""
        previous = Role(self.role)
        if previous == role:
            raise Conflict("Ce membre a déjà ce rôle.", "role_unchanged")
        self.role = role
        self.role_changed_at = now
        return previous

    def revoke(self, now: datetime, by: UUID | None) -> None:
        self.revoked_at = now
        self.revoked_by = by


@dataclass(eq=False)
class Invitation:
    organisation_id: UUID
    email: str
    role: Role
    token_hash: str
    invited_by: UUID
    created_at: datetime
    expires_at: datetime
    id: UUID = field(default_factory=uuid4)
    accepted_at: datetime | None = None
    accepted_by: UUID | None = None
    cancelled_at: datetime | None = None

    def is_pending(self, now: datetime) -> bool:
        return self.accepted_at is None and self.cancelled_at is None and now < self.expires_at

    def accept(self, account_id: UUID, now: datetime) -> None:
        """Single use: a second acceptance, or one after expiry or cancellation, is refused."""
        if not self.is_pending(now):
            raise InvalidLink("Cette invitation n'est plus valable (déjà utilisée, annulée ou expirée).")
        self.accepted_at = now
        self.accepted_by = account_id

    def cancel(self, now: datetime) -> None:
        if not self.is_pending(now):
            raise Conflict("Cette invitation n'est plus en attente.", "invitation_not_pending")
        self.cancelled_at = now


class JoinRequestStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REFUSED = "refused"


@dataclass(eq=False)
class JoinRequest:
    organisation_id: UUID
    account_id: UUID
    created_at: datetime
    id: UUID = field(default_factory=uuid4)
    message: str | None = None
    status: JoinRequestStatus = JoinRequestStatus.PENDING
    decided_by: UUID | None = None
    decided_at: datetime | None = None

    def decide(self, accepted: bool, by: UUID, now: datetime) -> None:
        if self.status != JoinRequestStatus.PENDING:
            raise Conflict("Cette demande a déjà été traitée.", "join_request_decided")
        self.status = JoinRequestStatus.ACCEPTED if accepted else JoinRequestStatus.REFUSED
        self.decided_by = by
        self.decided_at = now


@dataclass(eq=False)
class ApiClient:
    """Credentials of an organisation's own software (OAuth2 client credentials)."""

    organisation_id: UUID
    client_id: str
    secret_hash: str
    name: str
    created_by: UUID
    created_at: datetime
    id: UUID = field(default_factory=uuid4)
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def revoke(self, now: datetime) -> None:
        if self.revoked_at is not None:
            raise Conflict("Ces identifiants sont déjà révoqués.", "api_client_revoked")
        self.revoked_at = now


@dataclass(eq=False)
class LoginSession:
    """A refresh session: lives until it expires, is revoked, or a rotated refresh token is replayed."""

    account_id: UUID
    created_at: datetime
    expires_at: datetime
    id: UUID = field(default_factory=uuid4)
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None
    revoked_reason: str | None = None
    user_agent: str | None = None
    ip: str | None = None

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at

    def revoke(self, now: datetime, reason: str) -> None:
        if self.revoked_at is None:
            self.revoked_at = now
            self.revoked_reason = reason


@dataclass(eq=False)
class RefreshToken:
    """One refresh token of a session, stored by its hash; it may be used once, then it is rotated."""

    token_hash: str
    session_id: UUID
    issued_at: datetime
    used_at: datetime | None = None


class TokenPurpose(StrEnum):
    CONFIRM_EMAIL = "confirm_email"
    RESET_PASSWORD = "reset_password"


@dataclass(eq=False)
class ActionToken:
    """The secret of an e-mailed link (address confirmation, password reset): short-lived, single use."""

    account_id: UUID
    purpose: TokenPurpose
    token_hash: str
    created_at: datetime
    expires_at: datetime
    id: UUID = field(default_factory=uuid4)
    used_at: datetime | None = None

    def is_usable(self, now: datetime) -> bool:
        return self.used_at is None and now < self.expires_at

    def use(self, now: datetime) -> None:
        if not self.is_usable(now):
            raise InvalidLink()
        self.used_at = now


@dataclass(eq=False)
class AuditEntry:
    """Who did what, when, on whom: every administrative action leaves one."""

    action: str
    occurred_at: datetime
    actor_id: UUID | None
    id: UUID = field(default_factory=uuid4)
    actor_kind: str = "user"
    organisation_id: UUID | None = None
    target_account_id: UUID | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(eq=False)
class OutgoingMail:
    """A mail written in the same transaction as the change it announces; a background sender delivers it."""

    to_address: str
    subject: str
    body: str
    created_at: datetime
    next_attempt_at: datetime
    id: UUID = field(default_factory=uuid4)
    attempts: int = 0
    sent_at: datetime | None = None
    failed_at: datetime | None = None
    last_error: str | None = None

    def as_mail(self) -> Mail:
        return Mail(to=self.to_address, subject=self.subject, text=self.body)

    def delivered(self, now: datetime) -> None:
        self.sent_at = now
        # The body holds a single-use secret link: once delivered, it need not stay in the database.
        self.body = ""

    def delivery_failed(self, now: datetime, error: str, retry_at: datetime | None) -> None:
        self.attempts += 1
        self.last_error = error[:500]
        if retry_at is None:
            self.failed_at = now
        else:
            self.next_attempt_at = retry_at
