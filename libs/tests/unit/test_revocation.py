"""The revocation list every service checks (issue #10, item 7)."""

import time
import uuid

import pytest

from passerelle.libs.auth import TokenVerifier
from passerelle.libs.errors import Unauthorized
from passerelle.libs.revocation import RevocationList
from passerelle.libs.testing.tokens import TokenFactory
from passerelle.schemas.events.identity import MembershipRevoked, SessionEnded


@pytest.fixture
def setup():
    factory = TokenFactory()
    verifier = TokenVerifier("http://unused.invalid", factory.issuer, factory.audience)
    verifier.set_jwks(factory.jwks())
    verifier.revocations = RevocationList()
    return factory, verifier


async def test_an_ended_session_refuses_its_tokens_even_cached(setup):
    factory, verifier = setup
    account, session = uuid.uuid4(), uuid.uuid4()
    token = factory.token(account, sid=str(session))
    other = factory.token(account, sid=str(uuid.uuid4()))
    assert (await verifier.verify(token)).session_id == str(session)  # now cached
    verifier.revocations.apply(SessionEnded(session_id=session, account_id=account, reason="logout"), time.time())
    with pytest.raises(Unauthorized) as refused:
        await verifier.verify(token)
    assert refused.value.code == "token_revoked"
    assert await verifier.verify(other)  # the account's other sessions go on


async def test_a_membership_change_refuses_the_tokens_issued_before_it_only(setup):
    factory, verifier = setup
    account = uuid.uuid4()
    before = factory.encode({**factory.claims(account), "iat": time.time() - 1})
    cut = time.time()
    event = MembershipRevoked(membership_id=uuid.uuid4(), account_id=account, organisation_id=uuid.uuid4())
    verifier.revocations.apply(event, cut)
    after = factory.encode({**factory.claims(account), "iat": cut + 0.001})
    with pytest.raises(Unauthorized):
        await verifier.verify(before)
    assert (await verifier.verify(after)).subject == account
    assert await verifier.verify(factory.token(uuid.uuid4()))  # others untouched


def test_entries_older_than_a_token_lifetime_are_dropped():
    revocations = RevocationList(horizon_seconds=60)
    revocations.end_session("s", at=time.time() - 120)
    revocations.cut_account("a", at=time.time() - 120)
    revocations.prune()
    assert not revocations.revoked("a", None, "s")


async def test_a_verified_organisation_cuts_its_members_older_tokens_so_the_next_carry_it(setup):
    """Issue #10.1: the older tokens carry the organisation as pending only."""
    from datetime import UTC, datetime

    from passerelle.schemas.events.identity import OrganisationVerified

    factory, verifier = setup
    member, stranger = uuid.uuid4(), uuid.uuid4()
    pending = [{"id": str(uuid.uuid4()), "kind": "employer", "role": "admin", "siret": "81208328500013"}]
    older = factory.encode({**factory.claims(member, pending=pending), "iat": time.time() - 2})
    unrelated = factory.encode({**factory.claims(stranger), "iat": time.time() - 2})
    assert (await verifier.verify(older)).pending[0].siret == "81208328500013"
    verified = OrganisationVerified(
        organisation_id=uuid.UUID(pending[0]["id"]),
        kind="employer",
        siret="81208328500013",
        method="postal_code",
        verified_at=datetime.now(UTC),
        member_account_ids=[member],
    )
    verifier.revocations.apply(verified, time.time() - 1)
    with pytest.raises(Unauthorized) as refused:
        await verifier.verify(older)
    assert refused.value.code == "token_revoked"
    assert await verifier.verify(unrelated)
    assert await verifier.verify(factory.encode({**factory.claims(member), "iat": time.time()}))
