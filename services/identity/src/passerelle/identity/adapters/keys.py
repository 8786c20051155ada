"""Token signing keys (Ed25519): stored encrypted in the database, rotated on a schedule, published as JWKS.

Every identity process reads the same keys; creating one is serialised by an advisory lock, so several
processes starting together create one key, not several.
"""

from __future__ import annotations

import asyncio
import base64
import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from passerelle.identity.adapters.tables import signing_keys
from passerelle.identity.domain.key_schedule import KeySchedule, KeyTimes
from passerelle.identity.service_layer.ports import utc_now
from passerelle.libs.logging import get_logger

log = get_logger(__name__)
ALGORITHM = "EdDSA"
_LOCK_ID = 0x1D_E7_71_7E  # pg_advisory_xact_lock key of key creation


class KeyCipher:
    """Encrypts private keys at rest with a key derived from the service's secret (never logged)."""

    def __init__(self, secret: str) -> None:
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"passerelle-identity", info=b"signing-keys").derive(
            secret.encode("utf-8")
        )
        self._fernet = Fernet(base64.urlsafe_b64encode(derived))

    def encrypt(self, data: bytes) -> bytes:
        return self._fernet.encrypt(data)

    def decrypt(self, data: bytes) -> bytes:
        try:
            return self._fernet.decrypt(data)
        except InvalidToken as exc:
            raise RuntimeError("signing key cannot be decrypted: IDENTITY_KEY_ENCRYPTION_SECRET changed?") from exc


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def public_jwk(kid: str, key: Ed25519PrivateKey) -> dict[str, str]:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return {"kty": "OKP", "crv": "Ed25519", "x": _b64url(raw), "kid": kid, "alg": ALGORITHM, "use": "sig"}


@dataclass(frozen=True)
class StoredKey:
    kid: str
    activates_at: datetime
    jwk: dict[str, Any]
    encrypted: bytes

    @property
    def times(self) -> KeyTimes:
        return KeyTimes(self.kid, self.activates_at)


class KeyStore:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        cipher: KeyCipher,
        schedule: KeySchedule,
        cache_seconds: float = 30.0,
        clock: Any = utc_now,
    ) -> None:
        self._sessions = sessions
        self._cipher = cipher
        self.schedule = schedule
        self._cache_seconds = cache_seconds
        self._clock = clock
        self._keys: list[StoredKey] = []
        self._loaded_at = float("-inf")
        self._private: dict[str, Ed25519PrivateKey] = {}
        self._lock = asyncio.Lock()

    async def _load(self, force: bool = False) -> list[StoredKey]:
        async with self._lock:
            if force or time.monotonic() - self._loaded_at > self._cache_seconds:
                async with self._sessions() as session:
                    rows = (await session.execute(sa.select(signing_keys))).mappings().all()
                self._keys = [StoredKey(r["kid"], r["activates_at"], r["public_jwk"], r["private_key"]) for r in rows]
                self._loaded_at = time.monotonic()
            return self._keys

    async def ensure_keys(self) -> bool:
        """Creates the next key if the schedule says so, forgets keys nobody needs; True if a key was created."""
        now = self._clock()
        keys = await self._load(force=True)
        if self.schedule.next_activation([k.times for k in keys], now) is None and not self.schedule.disposable(
            [k.times for k in keys], now
        ):
            return False
        created = False
        async with self._sessions() as session, session.begin():
            await session.execute(sa.select(sa.func.pg_advisory_xact_lock(_LOCK_ID)))
            rows = (await session.execute(sa.select(signing_keys.c.kid, signing_keys.c.activates_at))).all()
            times = [KeyTimes(kid, at) for kid, at in rows]
            activation = self.schedule.next_activation(times, now)
            if activation is not None:
                kid = f"{activation:%Y%m%d}-{secrets.token_hex(4)}"
                private = Ed25519PrivateKey.generate()
                raw = private.private_bytes(
                    serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
                )
                await session.execute(
                    sa.insert(signing_keys).values(
                        kid=kid,
                        algorithm=ALGORITHM,
                        public_jwk=public_jwk(kid, private),
                        private_key=self._cipher.encrypt(raw),
                        created_at=now,
                        activates_at=activation,
                    )
                )
                created = True
                log.info("signing key created", kid=kid, activates_at=activation.isoformat())
            doomed = [k.kid for k in self.schedule.disposable(times, now)]
            if doomed:
                await session.execute(sa.delete(signing_keys).where(signing_keys.c.kid.in_(doomed)))
        await self._load(force=True)
        return created

    async def signing_key(self) -> tuple[str, Ed25519PrivateKey]:
        now = self._clock()
        keys = await self._load()
        current = self.schedule.signing_key([k.times for k in keys], now)
        if current is None:
            await self.ensure_keys()
            keys = await self._load(force=True)
            current = self.schedule.signing_key([k.times for k in keys], now)
            if current is None:
                raise RuntimeError("no signing key available")
        if current.kid not in self._private:
            stored = next(k for k in keys if k.kid == current.kid)
            self._private[current.kid] = Ed25519PrivateKey.from_private_bytes(self._cipher.decrypt(stored.encrypted))
        return current.kid, self._private[current.kid]

    async def jwks(self) -> dict[str, Any]:
        now = self._clock()
        keys = await self._load()
        published = {k.kid for k in self.schedule.published([k.times for k in keys], now)}
        ordered = sorted((k for k in keys if k.kid in published), key=lambda k: k.activates_at, reverse=True)
        return {"keys": [k.jwk for k in ordered]}
