"""What the use cases need from the outside world, as protocols; bootstrap plugs the adapters in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from passerelle.identity.domain.model import Organisation, OutgoingMail
from passerelle.identity.domain.passwords import PasswordPolicy
from passerelle.identity.domain.tokens import TokenSettings


class PasswordHasher(Protocol):
    async def hash(self, password: str) -> str: ...

    async def verify(self, password_hash: str, password: str) -> bool: ...

    def needs_rehash(self, password_hash: str) -> bool: ...

    async def waste_time(self, password: str) -> None:
        """Spend what a verification costs, so an unknown login answers as slowly as a known one."""
        ...


class TokenSigner(Protocol):
    async def sign(self, claims: dict[str, Any]) -> str: ...


class Mailer(Protocol):
    async def send(self, to_address: str, subject: str, body: str) -> None: ...


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
