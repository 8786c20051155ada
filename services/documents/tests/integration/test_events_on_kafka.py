"""The Kafka side: contract events feed the access projection; uploads reach Kafka through the outbox."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from aiokafka import AIOKafkaConsumer

from passerelle.libs.kafka_auth import kafka_options
from passerelle.libs.relay import make_producer
from passerelle.libs.testing.samples import sample_pdf
from passerelle.libs.testing.tokens import employer_claim, opco_claim
from passerelle.schemas import Envelope, decode_record, encode_record
from passerelle.schemas.events.common import ContractParties
from passerelle.schemas.events.contracts import ContractDrafted, ContractTransmitted

pytestmark = pytest.mark.integration

SIRET = "41816609600069"
PARTIES = ContractParties(employer_siret=SIRET, training_uai="0330012A", opco_code="AKTO")


async def publish(settings, *events) -> None:
    producer = make_producer(settings.kafka_bootstrap)
    await producer.start()
    try:
        for event in events:
            envelope = Envelope(
                type=event.topic, schema_version=1, producer="contracts", subject=str(event.contract_id)
            )
            key, value, headers = encode_record(envelope, event)
            await producer.send_and_wait(event.topic, key=key, value=value, headers=headers)
    finally:
        await producer.stop()


async def test_contract_events_open_the_contract_and_uploads_are_announced(client, settings, docs, sign, wait_until):
    contract_id = uuid.uuid4()
    employer = sign(employer_claim(SIRET))
    opco = sign(opco_claim("AKTO"))
    drafted = ContractDrafted(contract_id=contract_id, contract_type="apprentissage", parties=PARTIES)
    await publish(settings, drafted)

    async def known():
        async with docs.uow_factory() as uow:
            return await uow.contracts.get(contract_id)

    access = await wait_until(known, timeout=60)
    assert access is not None and not access.transmitted

    response = await client.post(
        f"/contracts/{contract_id}/documents",
        headers=employer,
        data={"document_type": "convention_formation"},
        files={"file": ("c.pdf", sample_pdf(), "application/pdf")},
    )
    assert response.status_code == 201
    document_id = response.json()["id"]
    assert (await client.get(f"/documents/{document_id}", headers=opco)).status_code == 404

    transmitted = ContractTransmitted(
        contract_id=contract_id,
        contract_type="apprentissage",
        parties=PARTIES,
        revision=1,
        form={},
        transmitted_at=datetime.now(UTC),
    )
    await publish(settings, transmitted, transmitted)  # a redelivery changes nothing

    async def opco_sees():
        return (await client.get(f"/documents/{document_id}", headers=opco)).status_code == 200

    assert await wait_until(opco_sees, timeout=60)

    consumer = AIOKafkaConsumer(
        "document.uploaded",
        bootstrap_servers=settings.kafka_bootstrap,
        **kafka_options(),
        group_id=None,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    found = []
    try:

        async def announced():
            batches = await consumer.getmany(timeout_ms=500)
            for records in batches.values():
                for r in records:
                    if r.key == str(contract_id).encode():
                        found.append(decode_record(r.value, r.headers))
            return found

        await wait_until(announced, timeout=60)
    finally:
        await consumer.stop()
    [(envelope, event)] = found
    assert envelope.producer == "documents" and envelope.subject == str(contract_id)
    assert str(event.document_id) == document_id and event.document_type == "convention_formation"


async def test_documents_follow_the_contracts_parties_rule_deletion_included(client, settings, sign, wait_until):
    """Issue #10, item 3: an employer sees nothing of a training organisation's draft before it is proposed
    (as contracts answers 404), and nobody sees a deleted draft's documents."""
    from passerelle.libs.testing.tokens import training_claim
    from passerelle.schemas.events.contracts import ContractDeleted, ContractProposed

    contract_id = uuid.uuid4()
    employer = sign(employer_claim(SIRET))
    cfa = sign(training_claim("0330012A"))
    hidden = PARTIES.model_copy(update={"employer_may_see": False})
    await publish(settings, ContractDrafted(contract_id=contract_id, contract_type="apprentissage", parties=hidden))
    listing = f"/contracts/{contract_id}/documents"

    async def cfa_sees():
        return (await client.get(listing, headers=cfa)).status_code == 200

    assert await wait_until(cfa_sees, timeout=60)
    upload = {
        "data": {"document_type": "convention_formation"},
        "files": {"file": ("c.pdf", sample_pdf(), "application/pdf")},
    }
    assert (await client.get(listing, headers=employer)).status_code == 404
    assert (await client.post(listing, headers=employer, **upload)).status_code == 404
    stored = await client.post(listing, headers=cfa, **upload)
    assert stored.status_code == 201, stored.text
    document = f"/documents/{stored.json()['id']}"
    assert (await client.get(document, headers=employer)).status_code == 404

    proposed = ContractProposed(
        contract_id=contract_id, contract_type="apprentissage", parties=PARTIES, employer_email="rh@example.fr"
    )
    await publish(settings, proposed)

    async def employer_sees():
        return (await client.get(document, headers=employer)).status_code == 200

    assert await wait_until(employer_sees, timeout=60)

    await publish(settings, ContractDeleted(contract_id=contract_id, contract_type="apprentissage", parties=PARTIES))

    async def nobody_sees():
        return (await client.get(listing, headers=cfa)).status_code == 404

    assert await wait_until(nobody_sees, timeout=60)
    for headers in (cfa, employer):
        assert (await client.get(document, headers=headers)).status_code == 404
        assert (await client.get(f"{document}/content", headers=headers)).status_code == 404
        assert (await client.post(listing, headers=headers, **upload)).status_code == 404
