"""Token checks every service does itself: verify identity's signed access tokens offline (JWKS).

Access token claims (issued by the identity service):
    iss, aud, sub (account or API client id), exp, iat (to the millisecond), jti, sid (the login session, for
    people: ending it revokes the token everywhere, see libs.revocation),
    kind: "user" | "client", email, name,
    orgs: [{"id", "kind": employer|training|opco, "role": admin|contributor|reviewer|supervisor,
            "siret", "siren", "uai", "opco"}]  (verified organisations only)
    pending: [{"id", "kind", "role", "siret", "uai"}]  (organisations whose control is not proven yet: absent
            when there is none; they reach only the member's own private drafts, see libs.access)
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

import httpx
import jwt
from fastapi import Depends, Request

from passerelle.libs.client import shared_ssl_context
from passerelle.libs.errors import Forbidden, Unauthorized
from passerelle.libs.revocation import RevocationList

ALGORITHMS = ["EdDSA", "ES256", "RS256"]


@dataclass(frozen=True)
class Membership:
    organisation_id: UUID
    kind: str
    role: str
    siret: str | None = None
    siren: str | None = None
    uai: str | None = None
    opco_code: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"  # as in identity: only administrators manage people, OPCOs included


@dataclass(frozen=True)
class Principal:
    subject: UUID
    kind: str
    email: str | None
    name: str | None
    memberships: tuple[Membership, ...]
    token_id: str | None = None
    issued_at: float | None = None
    session_id: str | None = None
    # Memberships of organisations not verified yet (issue #10): they open no contract addressed to the
    # organisation, only the drafts this person creates for it, private to them until the verification.
    pending: tuple[Membership, ...] = ()

    def membership(self, organisation_id: UUID) -> Membership | None:
        return next((m for m in self.memberships if m.organisation_id == organisation_id), None)

    def sirets(self) -> set[str]:
        return {m.siret for m in self.memberships if m.siret and m.kind == "employer"}

    def uais(self) -> set[str]:
        return {m.uai for m in self.memberships if m.uai and m.kind == "training"}

    def training_sirets(self) -> set[str]:
        return {m.siret for m in self.memberships if m.siret and m.kind == "training"}

    def opco_codes(self) -> set[str]:
        return {m.opco_code for m in self.memberships if m.opco_code and m.kind == "opco"}

    def pending_membership(self, kind: str, *, siret: str | None = None, uai: str | None = None) -> Membership | None:
        """The person's pending membership of an organisation of `kind` with that SIRET or UAI, if any."""
        for m in self.pending:
            if m.kind == kind and ((siret is not None and m.siret == siret) or (uai is not None and m.uai == uai)):
                return m
        return None

    def is_party(self, employer_siret: str | None, training_uai: str | None, training_siret: str | None = None) -> bool:
        """Object-level access: one of the person's organisations is on the contract."""
        return bool(
            (employer_siret and employer_siret in self.sirets())
            or (training_uai and training_uai in self.uais())
            or (training_siret and training_siret in self.training_sirets())
        )


def _memberships(items: Any) -> tuple[Membership, ...]:
    return tuple(
        Membership(
            organisation_id=UUID(o["id"]),
            kind=o["kind"],
            role=o["role"],
            siret=o.get("siret"),
            siren=o.get("siren"),
            uai=o.get("uai"),
            opco_code=o.get("opco"),
        )
        for o in items or []
    )


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    memberships = _memberships(claims.get("orgs"))
    return Principal(
        subject=UUID(claims["sub"]),
        kind=claims.get("kind", "user"),
        email=claims.get("email"),
        name=claims.get("name"),
        memberships=memberships,
        token_id=claims.get("jti"),
        issued_at=float(claims["iat"]) if isinstance(claims.get("iat"), (int, float)) else None,
        session_id=claims.get("sid") if isinstance(claims.get("sid"), str) else None,
        pending=_memberships(claims.get("pending")) if claims.get("kind", "user") == "user" else (),
    )


class TokenVerifier:
    """Verifies tokens against the published keys; refetches them when an unknown key id appears (rotation)."""

    def __init__(
        self, jwks_url: str, issuer: str, audience: str, refresh_seconds: float = 300.0, cache_size: int = 4096
    ) -> None:
        self._jwks_url = jwks_url
        self._issuer = issuer
        self._audience = audience
        self._refresh_seconds = refresh_seconds
        self._keys: dict[str, Any] = {}
        self._fetched_at = 0.0
        self._failed_at = -3600.0
        self._lock = asyncio.Lock()
        # Tokens already verified, until they expire: a person's next requests skip the signature check
        # (about 0.4 ms each). Least recently used first out; emptied whenever the keys are fetched again,
        # so a key withdrawn from the JWKS stops being honoured at the next refresh, cached or not.
        self._verified: OrderedDict[str, tuple[Principal, float]] = OrderedDict()
        self._cache_size = cache_size
        # Sessions ended and memberships changed since (libs.revocation), checked on every request.
        self.revocations: RevocationList | None = None

    # Whether a token issued before its member's organisation was verified is refused (libs.revocation): yes in
    # every service that reads rights from the token; identity, which reads them from its database, says no.
    refuses_tokens_older_than_verification = True

    def _not_revoked(self, principal: Principal) -> Principal:
        if self.revocations is not None and self.revocations.revoked(
            str(principal.subject),
            principal.issued_at,
            principal.session_id,
            verifications=self.refuses_tokens_older_than_verification,
        ):
            raise Unauthorized("Votre session a pris fin ou vos droits ont changé : reconnectez-vous.", "token_revoked")
        return principal

    def set_jwks(self, jwks: dict[str, Any]) -> None:
        self._keys = {k.key_id: k for k in jwt.PyJWKSet.from_dict(jwks).keys if k.key_id}
        self._fetched_at = time.monotonic()
        self._verified.clear()

    def _cached(self, token: str) -> Principal | None:
        hit = self._verified.get(token)
        if hit is None:
            return None
        principal, expires_at = hit
        if time.time() >= expires_at:
            del self._verified[token]
            return None
        self._verified.move_to_end(token)
        return principal

    def _remember(self, token: str, principal: Principal, expires_at: float) -> None:
        self._verified[token] = (principal, expires_at)
        if len(self._verified) > self._cache_size:
            self._verified.popitem(last=False)

    async def _refresh(self, force: bool) -> None:
        async with self._lock:
            # Bounded: a flood of tokens with unknown key ids triggers at most one fetch every 5 s.
            now = time.monotonic()
            age = now - self._fetched_at
            if (force and age < 5.0) or (not force and age < self._refresh_seconds):
                return
            # After a failed fetch, none for 5 s: identity being down must not stall every request
            # behind a fetch (the keys already known keep being used meanwhile).
            if now - self._failed_at < 5.0:
                raise httpx.TransportError("JWKS fetch failed less than 5 s ago")
            try:
                async with httpx.AsyncClient(timeout=5.0, verify=shared_ssl_context()) as client:
                    response = await client.get(self._jwks_url)
                    response.raise_for_status()
            except httpx.HTTPError:
                self._failed_at = time.monotonic()
                raise
            self.set_jwks(response.json())

    async def verify(self, token: str) -> Principal:
        if time.monotonic() - self._fetched_at < self._refresh_seconds and (principal := self._cached(token)):
            return self._not_revoked(principal)
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError as exc:
            raise Unauthorized("Jeton d'accès illisible.", "token_malformed") from exc
        try:
            await self._refresh(force=False)
            if kid not in self._keys:
                await self._refresh(force=True)
        except httpx.HTTPError as exc:
            if kid not in self._keys:
                raise Unauthorized("Les clés de signature sont indisponibles.", "keys_unavailable") from exc
        key = self._keys.get(kid) if isinstance(kid, str) else None
        if key is None:
            raise Unauthorized("Jeton signé par une clé inconnue.", "token_unknown_key")
        try:
            claims = jwt.decode(
                token,
                key=key,
                algorithms=ALGORITHMS,
                audience=self._audience,
                issuer=self._issuer,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("Jeton d'accès expiré.", "token_expired") from exc
        except jwt.PyJWTError as exc:
            raise Unauthorized("Jeton d'accès invalide.", "token_invalid") from exc
        principal = principal_from_claims(claims)
        self._remember(token, principal, float(claims["exp"]))
        return self._not_revoked(principal)


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized()
    return token.strip()


async def current_principal(request: Request) -> Principal:
    verifier: TokenVerifier = request.app.state.token_verifier
    return await verifier.verify(_bearer(request))


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_membership(principal: Principal, organisation_id: UUID, admin: bool = False) -> Membership:
    membership = principal.membership(organisation_id)
    if membership is None or (admin and not membership.is_admin):
        raise Forbidden(
            "Vous n'administrez pas cette organisation." if admin else "Vous n'êtes pas membre de cette organisation."
        )
    return membership
