"""What an access token says (the claims every service reads, see passerelle.libs.auth) and link secrets.

Claims are built from the database at login, refresh and client-credentials time: a revoked membership
is absent from the next token, so revocation takes effect within one access-token lifetime.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from passerelle.identity.domain.model import Account, ApiClient, Membership, Organisation
from passerelle.identity.domain.roles import Role


def new_secret(nbytes: int = 32) -> str:
    """A random, URL-safe secret (links, refresh tokens, client secrets)."""
    return secrets.token_urlsafe(nbytes)


def digest(secret: str) -> str:
    """What is stored of a high-entropy secret: its SHA-256 (a slow hash adds nothing for 256 random bits)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def same_digest(secret: str, stored_digest: str) -> bool:
    return hmac.compare_digest(digest(secret), stored_digest)


@dataclass(frozen=True)
class TokenSettings:
    issuer: str
    audience: str
    lifetime: timedelta


def org_claim(organisation: Organisation, role: Role | str) -> dict[str, Any]:
    return {
        "id": str(organisation.id),
        "kind": str(organisation.kind),
        "role": str(role),
        "siret": organisation.siret,
        "siren": organisation.siren,
        "uai": organisation.uai,
        "opco": organisation.opco_code,
    }


def _base(subject: str, kind: str, settings: TokenSettings, now: datetime) -> dict[str, Any]:
    issued = int(now.timestamp())
    return {
        "iss": settings.issuer,
        "aud": settings.audience,
        "sub": subject,
        # To the millisecond: a revocation cuts the tokens issued before it, not those of the same second after.
        "iat": round(now.timestamp(), 3),
        "exp": issued + int(settings.lifetime.total_seconds()),
        "jti": uuid4().hex,
        "kind": kind,
    }


def user_claims(
    account: Account,
    grants: list[tuple[Membership, Organisation]],
    settings: TokenSettings,
    now: datetime,
    session_id: UUID | None = None,
) -> dict[str, Any]:
    claims = _base(str(account.id), "user", settings, now)
    if session_id is not None:
        claims["sid"] = str(session_id)  # ending the session revokes this token everywhere (session.ended)
    claims["email"] = account.email
    claims["name"] = account.full_name
    # Only organisations whose control was proven: a claimed SIRET or UAI opens nothing (issue #10, item 1).
    claims["orgs"] = [org_claim(org, m.role) for m, org in grants if m.is_active and org.is_verified]
    # The others, as pending: they open only the drafts this person creates for them, private to them until the
    # organisation is verified. Kept short (no SIREN, no OPCO) and absent when there is none.
    pending = [pending_claim(org, m.role) for m, org in grants if m.is_active and not org.is_verified]
    if pending:
        claims["pending"] = pending
    return claims


def pending_claim(organisation: Organisation, role: Role | str) -> dict[str, Any]:
    claim = {"id": str(organisation.id), "kind": str(organisation.kind), "role": str(role)}
    claim |= {k: v for k, v in (("siret", organisation.siret), ("uai", organisation.uai)) if v}
    return claim


def client_claims(
    client: ApiClient, organisation: Organisation, role: Role, settings: TokenSettings, now: datetime
) -> dict[str, Any]:
    """A machine client acts for its one organisation, with that organisation's non-administrative rights."""
    claims = _base(str(client.id), "client", settings, now)
    claims["email"] = None
    claims["name"] = client.name
    claims["orgs"] = [org_claim(organisation, role)]
    return claims
