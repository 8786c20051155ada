"""Signing keys on a database of their own: created, published ahead, rotated, retired, encrypted at rest."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from passerelle.identity.adapters.keys import KeyCipher, KeyStore
from passerelle.identity.adapters.signer import JwtSigner
from passerelle.identity.domain.key_schedule import KeySchedule
from passerelle.libs.auth import TokenVerifier
from passerelle.libs.db import create_engine, session_factory
from passerelle.libs.errors import Unauthorized
from passerelle.libs.testing.database import fresh_service_database
from passerelle.libs.testing.fakes import FakeClock
from passerelle.libs.testing.stack import ensure_stack

pytestmark = pytest.mark.integration
SERVICE_DIR = Path(__file__).resolve().parents[2]


async def test_rotation_publishes_ahead_keeps_old_keys_while_needed_then_forgets_them():
    ensure_stack()
    url = fresh_service_database(SERVICE_DIR, "identity_keys_test")
    engine = create_engine(url, 2)
    clock = FakeClock(datetime.now(UTC))
    schedule = KeySchedule(timedelta(days=30), timedelta(minutes=10), timedelta(minutes=15))
    store = KeyStore(session_factory(engine), KeyCipher("un secret de test"), schedule, cache_seconds=0, clock=clock)
    signer = JwtSigner(store)
    try:
        assert await store.ensure_keys()
        assert not await store.ensure_keys()  # nothing due: nothing created
        claims = {"iss": "passerelle-identity", "aud": "passerelle", "sub": "00000000-0000-0000-0000-000000000001"}
        real_now = int(datetime.now(UTC).timestamp())
        old_token = await signer.sign({**claims, "iat": real_now, "exp": real_now + 600})
        [first] = (await store.jwks())["keys"]

        # Ten minutes before the rotation is due, the next key is created and published, not yet used.
        clock.now += timedelta(days=30, minutes=-10)
        assert await store.ensure_keys()
        kids = [k["kid"] for k in (await store.jwks())["keys"]]
        assert len(kids) == 2 and kids[1] == first["kid"]
        assert (await store.signing_key())[0] == first["kid"]

        # Once active, it signs; the old key is still published for the tokens it signed.
        clock.now += timedelta(minutes=11)
        new_kid, _ = await store.signing_key()
        assert new_kid == kids[0]
        verifier = TokenVerifier("http://unused.invalid", "passerelle-identity", "passerelle")
        verifier.set_jwks(await store.jwks())
        new_token = await signer.sign({**claims, "iat": real_now, "exp": real_now + 600})
        assert (await verifier.verify(old_token)).subject == (await verifier.verify(new_token)).subject

        # After the grace period the old key is withdrawn and deleted: its tokens no longer verify.
        clock.now += timedelta(minutes=20)
        await store.ensure_keys()
        assert [k["kid"] for k in (await store.jwks())["keys"]] == [new_kid]
        verifier = TokenVerifier("http://unused.invalid", "passerelle-identity", "passerelle")
        verifier.set_jwks(await store.jwks())
        with pytest.raises(Unauthorized):
            await verifier.verify(old_token)

        # Private keys are encrypted at rest, and unreadable with another secret.
        async with engine.connect() as conn:
            stored = (await conn.execute(sa.text("SELECT private_key FROM signing_keys"))).scalar_one()
        assert stored.startswith(b"gAAAA")  # a Fernet token, not a raw key
        other = KeyStore(session_factory(engine), KeyCipher("un autre secret"), schedule, cache_seconds=0, clock=clock)
        with pytest.raises(RuntimeError):
            await other.signing_key()
    finally:
        await engine.dispose()
