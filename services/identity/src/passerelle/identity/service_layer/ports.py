"""What the use cases need from the outside world, as protocols; bootstrap plugs the adapters in.

The unit of work and its repositories (SQL in adapters/unit_of_work.py, fakes in tests), the hasher, the
signer, the mailer, the policy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, Self
from uuid import UUID

from passerelle.identity.domain.model import (
    Account,
    ActionToken,
    ApiClient,
    AuditEntry,
    Invitation,
    JoinRequest,
    LoginSession,
    Membership,
    Organisation,
    OutgoingMail,
    RefreshToken,
    TokenPurpose,
)
from passerelle.identity.domain.passwords import PasswordPolicy
from passerelle.identity.domain.tokens import TokenSettings
from passerelle.libs.mail import Mailer
from passerelle.schemas import Event

__all__ = ["Mailer"]


class PasswordHasher(Protocol):
    async def hash(self, password: str) -> str: ...

    async def verify(self, password_hash: str, password: str) -> bool: ...

    def needs_rehash(self, password_hash: str) -> bool: ...

    async def waste_time(self, password: str) -> None:
        """Spend what a verification costs, so an unknown login answers as slowly as a known one."""
        ...


class TokenSigner(Protocol):
    async def sign(self, claims: dict[str, Any]) -> str: ...


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Policy:
    """Lifetimes and limits the use cases apply (from Settings)."""

    tokens: TokenSettings
    refresh_lifetime: timedelta = timedelta(days=30)
    confirmation_lifetime: timedelta = timedelta(hours=48)
    reset_lifetime: timedelta = timedelta(minutes=30)
    invitation_lifetime: timedelta = timedelta(days=7)
    login_window: timedelta = timedelta(minutes=15)
    max_failures_per_account: int = 5  # per account and address, before the growing delay
    max_failures_per_ip: int = 50
    max_failures_per_account_anywhere: int = 100
    lock_base_seconds: int = 30
    lock_max_seconds: int = 15 * 60
    reset_requests_per_ip: int = 20
    portal_url: str = "http://127.0.0.1:8000"


class PostalService(Protocol):
    """Letters by post to an establishment's registered address (verification codes)."""

    def verification_letter(self, organisation: Organisation, code: str, now: datetime) -> OutgoingMail: ...


@dataclass
class Ports:
    hasher: PasswordHasher
    signer: TokenSigner
    policy: Policy
    passwords: PasswordPolicy = field(default_factory=PasswordPolicy)
    clock: Callable[[], datetime] = utc_now
    postal: PostalService | None = None  # wired by bootstrap; a use case that sends a letter needs it


class Accounts(Protocol):
    def add(self, account: Account) -> None: ...
    async def get(self, account_id: UUID) -> Account | None: ...
    async def by_email(self, email: str) -> Account | None: ...
    async def many(self, ids: Sequence[UUID]) -> list[Account]: ...


class Organisations(Protocol):
    def add(self, organisation: Organisation) -> None: ...
    async def get(self, organisation_id: UUID) -> Organisation | None: ...
    async def many(self, ids: Sequence[UUID]) -> list[Organisation]: ...
    async def employer_by_siret(self, siret: str) -> Organisation | None: ...
    async def training_by_uai(self, uai: str) -> Organisation | None: ...
    async def training_by_siret(self, siret: str) -> Organisation | None: ...
    async def opco_by_code(self, code: str) -> Organisation | None: ...
    async def employers_of_siren(self, siren: str) -> list[Organisation]: ...


class Memberships(Protocol):
    def add(self, membership: Membership) -> None: ...
    async def get(self, membership_id: UUID) -> Membership | None: ...
    async def active(self, account_id: UUID, organisation_id: UUID) -> Membership | None: ...
    async def of_account(self, account_id: UUID) -> list[Membership]: ...
    async def of_organisation(self, organisation_id: UUID) -> list[Membership]: ...


class Invitations(Protocol):
    def add(self, invitation: Invitation) -> None: ...
    async def get(self, invitation_id: UUID) -> Invitation | None: ...
    async def by_token_hash(self, token_hash: str) -> Invitation | None: ...
    async def of_organisation(self, organisation_id: UUID) -> list[Invitation]: ...


class JoinRequests(Protocol):
    def add(self, request: JoinRequest) -> None: ...
    async def get(self, request_id: UUID) -> JoinRequest | None: ...
    async def pending(self, organisation_id: UUID) -> list[JoinRequest]: ...


class ApiClients(Protocol):
    def add(self, client: ApiClient) -> None: ...
    async def get(self, api_client_id: UUID) -> ApiClient | None: ...
    async def by_client_id(self, client_id: str) -> ApiClient | None: ...
    async def of_organisation(self, organisation_id: UUID) -> list[ApiClient]: ...


class Sessions(Protocol):
    def add(self, session: LoginSession) -> None: ...
    def add_token(self, token: RefreshToken) -> None: ...
    async def get(self, session_id: UUID) -> LoginSession | None: ...
    async def token(self, token_hash: str) -> RefreshToken | None: ...
    async def usable_of_account(self, account_id: UUID, now: datetime) -> list[LoginSession]: ...


class ActionTokens(Protocol):
    def add(self, token: ActionToken) -> None: ...
    async def by_hash(self, token_hash: str) -> ActionToken | None: ...
    async def usable(self, account_id: UUID, purpose: TokenPurpose, now: datetime) -> list[ActionToken]: ...


class Attempts(Protocol):
    """Recent attempts per key (failed logins per e-mail and per address, mails sent per address)."""

    def record(self, key: str, at: datetime) -> None: ...
    async def recent(self, keys: Sequence[str], since: datetime) -> dict[str, list[datetime]]: ...
    async def forget(self, key: str) -> None: ...


class AuditLog(Protocol):
    def add(self, entry: AuditEntry) -> None: ...
    async def of_organisation(self, organisation_id: UUID, limit: int = 200) -> list[AuditEntry]: ...


class MailOutbox(Protocol):
    def add(self, mail: OutgoingMail) -> None: ...
    async def due(self, now: datetime, limit: int) -> list[OutgoingMail]: ...


class UnitOfWork(Protocol):
    accounts: Accounts
    organisations: Organisations
    memberships: Memberships
    invitations: Invitations
    join_requests: JoinRequests
    api_clients: ApiClients
    sessions: Sessions
    action_tokens: ActionTokens
    attempts: Attempts
    audit: AuditLog
    mails: MailOutbox

    async def __aenter__(self) -> Self: ...
    async def __aexit__(self, *exc: object) -> None: ...
    def publish(self, event: Event) -> object: ...
    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...
