"""Who may claim an organisation (issue #10, item 1), over HTTP on the real database and mail catcher."""

from __future__ import annotations

import pytest

from passerelle.libs.auth import TokenVerifier

from .conftest import new_email, new_siret, new_uai

pytestmark = pytest.mark.integration


async def token_orgs(client, api, email) -> list[dict]:
    tokens = await api.login(email)
    verifier = TokenVerifier("http://unused.invalid", "passerelle-identity", "passerelle")
    verifier.set_jwks((await client.get("/.well-known/jwks.json")).json())
    principal = await verifier.verify(tokens["access_token"])
    return [{"siret": m.siret, "uai": m.uai} for m in principal.memberships]


async def test_claiming_an_existing_cfa_or_a_fresh_siret_grants_nothing(client, api):
    owner = new_email("cfa")
    await api.confirmed_account(owner)
    owner_headers = await api.headers(owner)
    siret, uai = new_siret(), new_uai()
    cfa = await client.post(
        "/organisations", json={"kind": "training", "name": "CFA", "siret": siret, "uai": uai}, headers=owner_headers
    )
    assert cfa.status_code == 201 and cfa.json()["verified"] is False
    # Not verified yet: the token carries nothing, so no contract addressed to that SIRET/UAI is reachable.
    assert await token_orgs(client, api, owner) == []

    # The attack of the issue: the same SIRET with any fresh UAI is the same organisation, to join, not to copy.
    intruder = new_email("pirate")
    await api.confirmed_account(intruder)
    copy = await client.post(
        "/organisations",
        json={"kind": "training", "name": "CFA bis", "siret": siret, "uai": new_uai()},
        headers=await api.headers(intruder),
    )
    assert copy.status_code == 409 and copy.json()["error"]["code"] == "organisation_exists"
    # A SIRET nobody registered: created, but unverified, so it opens nothing either.
    fresh = await api.employer(await api.headers(intruder), new_siret(), verified=False)
    assert fresh["verified"] is False and await token_orgs(client, api, intruder) == []

    # The code goes by post to the establishment, not to the claimant's mailbox.
    verified = await api.verify_by_post(owner_headers, cfa.json())
    assert verified["verification"] == "postal_code"
    # The organisation says when the letter left and when the proof came (the portal's verification page shows it).
    assert verified["postal_code_sent_at"] is not None and verified["verified_at"] >= verified["postal_code_sent_at"]
    assert await token_orgs(client, api, owner) == [{"siret": siret, "uai": uai}]
    again = await client.post(f"/organisations/{cfa.json()['id']}/verification/postal-code", headers=owner_headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "organisation_already_verified"


async def test_only_an_administrator_asks_for_the_letter(client, api):
    admin, stranger = new_email("admin"), new_email("autre")
    await api.confirmed_account(admin)
    await api.confirmed_account(stranger)
    org = await api.employer(await api.headers(admin), new_siret(), verified=False)
    refused = await client.post(
        f"/organisations/{org['id']}/verification/postal-code", headers=await api.headers(stranger)
    )
    assert refused.status_code == 403
    approve = await client.post(f"/organisations/{org['id']}/verification/approve", headers=await api.headers(admin))
    assert approve.status_code == 403 and approve.json()["error"]["code"] == "approval_reserved_to_opco"
