import time
import uuid

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
