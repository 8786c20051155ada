"""Issue #10.1 on real PostgreSQL and Kafka: a draft of an unverified organisation's member is private to them
(the dashboard's SQL reach included), refused at proposal and transmission, and `organisation.verified` from
Kafka makes it an ordinary draft (its `contract.updated` leaves through the outbox and the relay)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from passerelle.contracts.testing.samples import DEMO_CFA_UAI
from passerelle.libs.testing.kafka import eventually, read_topic
from passerelle.schemas import decode_record
from passerelle.schemas.events.identity import OrganisationVerified

from .test_consumers import publish

pytestmark = pytest.mark.integration


async def test_a_private_draft_until_the_organisation_is_verified(kafka_client, stack, signer, orgs):
    siret = orgs.new_siret()
    org_id, creator, colleague = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    pending = [{"id": str(org_id), "kind": "employer", "role": "admin", "siret": siret}]

    def as_creator() -> dict[str, str]:
        return signer.headers(creator, orgs=[], pending=pending)

    verified_colleague = signer.headers(colleague, orgs=[orgs.employer(siret)])
    pending_colleague = signer.headers(uuid.uuid4(), orgs=[], pending=pending)
    cfa = signer.headers(uuid.uuid4(), orgs=[orgs.training(DEMO_CFA_UAI)])
    client = kafka_client

    created = await client.post(
        "/contracts",
        json={"contract_type": "apprentissage", "employer_siret": siret, "training_uai": DEMO_CFA_UAI},
        headers=as_creator(),
    )
    assert created.status_code == 201, created.text
    contract_id = created.json()["id"]
    assert created.json()["private"] is True
    # The dashboard: the creator's private reach lists it, badge flag and all; nobody else's reach does.
    mine = (await client.get("/contracts", headers=as_creator())).json()
    assert [(c["id"], c["private"]) for c in mine["items"]] == [(contract_id, True)]
    for other in (verified_colleague, pending_colleague, cfa):
        assert (await client.get(f"/contracts/{contract_id}", headers=other)).status_code == 404
        listed = (await client.get("/contracts", headers=other)).json()
        assert contract_id not in [c["id"] for c in listed["items"]]
    refused = await client.post(f"/contracts/{contract_id}/transmit", headers=as_creator())
    assert refused.status_code == 403, refused.text
    assert refused.json()["error"]["fields"][0] == {
        "path": "organisation",
        "code": "organisation_not_verified",
        "message": refused.json()["error"]["message"],
    }

    # organisation.verified, from identity through Kafka: an ordinary draft of the establishment.
    verified_at = datetime.now(UTC)
    await publish(
        stack,
        OrganisationVerified(
            organisation_id=org_id,
            kind="employer",
            siret=siret,
            siren=siret[:9],
            method="operator",
            verified_at=verified_at,
            member_account_ids=[creator],
        ),
    )
    seen = await eventually(
        lambda: client.get(f"/contracts/{contract_id}", headers=verified_colleague), lambda r: r.status_code == 200
    )
    assert seen.json()["private"] is False and seen.json()["your_sides"] == ["employer"]
    assert (await client.get(f"/contracts/{contract_id}", headers=cfa)).json()["your_sides"] == ["training"]
    listed = (await client.get("/contracts", headers=verified_colleague)).json()
    assert [(c["id"], c["private"]) for c in listed["items"]] == [(contract_id, False)]
    records = await read_topic(
        stack["PASSERELLE_KAFKA_BOOTSTRAP"],
        "contract.updated",
        key=contract_id.encode(),
        until=lambda found: len(found) >= 1,
    )
    updates = [decode_record(r.value, r.headers)[1] for r in records]
    assert [u.parties.private_to for u in updates][-1] is None
    # A token issued before the verification is refused (its rights changed: the portal renews it) ...
    stale = signer.headers(creator, orgs=[], pending=pending, issued_at=round(verified_at.timestamp() - 5, 3))
    refused_stale = await client.post("/contracts", json={"contract_type": "apprentissage"}, headers=stale)
    assert refused_stale.status_code == 401 and refused_stale.json()["error"]["code"] == "token_revoked"
    # ... and a draft made with one issued afterwards that still carries the pending claim is an ordinary one.
    late = await client.post("/contracts", json={"contract_type": "apprentissage"}, headers=as_creator())
    assert late.status_code == 201, late.text
    assert late.json()["private"] is False
