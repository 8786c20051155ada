import time
import uuid

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from passerelle.libs.auth import TokenVerifier, principal_from_claims
from passerelle.libs.errors import Unauthorized

ORG = str(uuid.uuid4())


def keypair(kid: str) -> tuple[Ed25519PrivateKey, dict]:
    key = Ed25519PrivateKey.generate()
    public = jwt.algorithms.OKPAlgorithm.to_jwk(key.public_key(), as_dict=True)
    public.update({"kid": kid, "alg": "EdDSA", "use": "sig"})
    return key, public


def claims(**overrides: object) -> dict:
    now = int(time.time())
    base = {
        "iss": "passerelle-identity",
        "aud": "passerelle",
        "sub": str(uuid.uuid4()),
        "iat": now,
        "exp": now + 600,
        "kind": "user",
        "email": "a@b.fr",
        "name": "A B",
        "orgs": [{"id": ORG, "kind": "employer", "role": "admin", "siret": "81208328500013", "siren": "812083285"}],
    }
    base.update(overrides)
    return base


@pytest.fixture
def verifier_and_key() -> tuple[TokenVerifier, Ed25519PrivateKey]:
    key, public = keypair("k1")
    verifier = TokenVerifier("http://127.0.0.1:9/jwks.json", "passerelle-identity", "passerelle")
    verifier.set_jwks({"keys": [public]})
    return verifier, key


async def test_valid_token_yields_the_person_and_memberships(verifier_and_key):
    verifier, key = verifier_and_key
    principal = await verifier.verify(jwt.encode(claims(), key, algorithm="EdDSA", headers={"kid": "k1"}))
    assert principal.sirets() == {"81208328500013"}
    assert principal.is_party("81208328500013", None)
    assert not principal.is_party("43935504100021", "0754321P")
    assert principal.memberships[0].is_admin


@pytest.mark.parametrize("case", ["expired", "tampered", "other_key", "wrong_audience", "garbage"])
async def test_bad_tokens_are_refused(verifier_and_key, case):
    verifier, key = verifier_and_key
    if case == "expired":
        token = jwt.encode(claims(exp=int(time.time()) - 5), key, algorithm="EdDSA", headers={"kid": "k1"})
    elif case == "tampered":
        token = jwt.encode(claims(), key, algorithm="EdDSA", headers={"kid": "k1"})
        head, payload, sig = token.split(".")
        forged = jwt.utils.base64url_encode(
            jwt.utils.base64url_decode(payload).replace(b'"admin"', b'"root!"')
        ).decode()
        token = f"{head}.{forged}.{sig}"
    elif case == "other_key":
        other, _ = keypair("k1")
        token = jwt.encode(claims(), other, algorithm="EdDSA", headers={"kid": "k1"})
    elif case == "wrong_audience":
        token = jwt.encode(claims(aud="elsewhere"), key, algorithm="EdDSA", headers={"kid": "k1"})
    else:
        token = "not-a-token"
    with pytest.raises(Unauthorized):
        await verifier.verify(token)


def test_training_and_opco_memberships():
    principal = principal_from_claims(
        claims(
            orgs=[
                {"id": ORG, "kind": "training", "role": "contributor", "siret": "19793776650011", "uai": "0754321P"},
                {"id": str(uuid.uuid4()), "kind": "opco", "role": "reviewer", "opco": "OPCOMMERCE"},
            ]
        )
    )
    assert principal.uais() == {"0754321P"} and principal.training_sirets() == {"19793776650011"}
    assert principal.opco_codes() == {"OPCOMMERCE"}
    assert principal.is_party(None, None, "19793776650011")
    assert principal.sirets() == set()


async def test_a_verified_token_is_not_verified_again_until_it_expires(verifier_and_key, monkeypatch):
    verifier, key = verifier_and_key
    token = jwt.encode(claims(exp=int(time.time()) + 60), key, algorithm="EdDSA", headers={"kid": "k1"})
    decoded = []
    real_decode = jwt.decode
    monkeypatch.setattr(jwt, "decode", lambda *a, **k: decoded.append(1) or real_decode(*a, **k))
    first = await verifier.verify(token)
    assert await verifier.verify(token) == first
    assert len(decoded) == 1

    # Past its expiry the cache no longer answers for it: the token goes through the full check again.
    later = time.time() + 61
    monkeypatch.setattr(time, "time", lambda: later)
    await verifier.verify(token)
    assert len(decoded) == 2


async def test_new_keys_forget_the_tokens_verified_with_the_old_ones(verifier_and_key):
    verifier, key = verifier_and_key
    token = jwt.encode(claims(), key, algorithm="EdDSA", headers={"kid": "k1"})
    await verifier.verify(token)
    _, rotated = keypair("k2")
    verifier.set_jwks({"keys": [rotated]})  # k1 withdrawn
    verifier._refresh_seconds = 10**9  # no refetch: the JWKS now served has no k1
    with pytest.raises(Unauthorized):
        await verifier.verify(token)


async def test_a_jwks_that_cannot_be_fetched_is_not_asked_again_on_every_request(monkeypatch):
    verifier = TokenVerifier("http://127.0.0.1:9/jwks.json", "passerelle-identity", "passerelle")
    attempts = []

    class Refusing:
        def __init__(self, **kw): ...
        async def __aenter__(self):
            return self

        async def __aexit__(self, *exc): ...
        async def get(self, url):
            attempts.append(url)
            raise httpx.ConnectError("refused")

    monkeypatch.setattr(httpx, "AsyncClient", Refusing)
    key, _ = keypair("k1")
    token = jwt.encode(claims(), key, algorithm="EdDSA", headers={"kid": "k1"})
    for _ in range(5):
        with pytest.raises(Unauthorized) as refused:
            await verifier.verify(token)
        assert refused.value.code == "keys_unavailable"
    assert len(attempts) == 1
