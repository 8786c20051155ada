"""Signs access tokens (JWT, EdDSA) with the current key, and verifies them for identity's own routes."""

from __future__ import annotations

import time
from typing import Any

import jwt

from passerelle.identity.adapters.keys import ALGORITHM, KeyStore
from passerelle.libs.auth import TokenVerifier


class JwtSigner:
    def __init__(self, keys: KeyStore) -> None:
        self._keys = keys

    async def sign(self, claims: dict[str, Any]) -> str:
        kid, key = await self._keys.signing_key()
        return jwt.encode(claims, key, algorithm=ALGORITHM, headers={"kid": kid, "typ": "JWT"})


class LocalTokenVerifier(TokenVerifier):
    """The shared verifier, reading the published keys from identity's own database instead of over HTTP.

    Identity's use cases read every right from the database, never from the token: a token issued before its
    holder's organisation was verified (it names it as pending) is still good here (organisation.verified cuts
    it in the other services only)."""

    refuses_tokens_older_than_verification = False

    def __init__(self, keys: KeyStore, issuer: str, audience: str, refresh_seconds: float = 30.0) -> None:
        super().__init__("", issuer, audience, refresh_seconds)
        self._store = keys

    async def _refresh(self, force: bool) -> None:
        async with self._lock:
            age = time.monotonic() - self._fetched_at
            if (force and age < 1.0) or (not force and age < self._refresh_seconds):
                return
            self.set_jwks(await self._store.jwks())
