"""The contracts service's consumers on real Kafka and PostgreSQL: documents, OPCO decisions, memberships.

The service runs in process with its consumers and its outbox relay; events are produced to Kafka exactly as
the other services would (CloudEvents headers, contract id as key).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
import pytest

from passerelle.contracts.testing.samples import DEMO_PRO_EMPLOYER_SIRET, complete_professionalisation_form
from passerelle.libs.relay import make_producer
from passerelle.libs.testing.kafka import eventually, header, read_topic
from passerelle.schemas import Envelope, Event, encode_record
from passerelle.schemas.events.documents import DocumentUploaded
from passerelle.schemas.events.identity import MembershipGranted
from passerelle.schemas.events.opco import Anomaly, AnomalyRaised, ContractEngaged
from passerelle.schemas.registry import OWNERS, dead_letter_topic  # each event from its topic's owner (item 4)

pytestmark = pytest.mark.integration


async def publish(stack: dict[str, str], event: Event, envelope: Envelope | None = None) -> Envelope:
    envelope = envelope or Envelope(
        type=event.topic, schema_version=event.schema_version, producer=OWNERS[event.topic], subject=event.subject()
    )
    key, value, headers = encode_record(envelope, event)
    producer = make_producer(stack["PASSERELLE_KAFKA_BOOTSTRAP"])
    await producer.start()
    try:
        await producer.send_and_wait(event.topic, key=key, value=value, headers=headers)
    finally:
        await producer.stop()
    return envelope


async def transmitted_on_kafka(stack: dict[str, str], contract_id: str, expected: int) -> int:
    """How many `contract.transmitted` records carry this contract's key (read from the start of the topic)."""
    records = await read_topic(
        stack["PASSERELLE_KAFKA_BOOTSTRAP"],
        "contract.transmitted",
        key=contract_id.encode(),
        until=lambda found: len(found) >= expected,
    )
    return len(records)


def uploaded(contract_id: str, document_type: str = "convention_formation", version: int = 1) -> DocumentUploaded:
    return DocumentUploaded(
        document_id=uuid.uuid4(),
        contract_id=uuid.UUID(contract_id),
        document_type=document_type,
        version=version,
        filename="convention.pdf",
        size=2048,
        sha256="cd" * 32,
        media_type="application/pdf",
        uploaded_at=datetime.now(UTC),
    )


async def test_documents_and_opco_decisions_move_the_contract(kafka_client, stack, auth, orgs):
    client = kafka_client
    account = uuid.uuid4()
    headers = auth([orgs.employer(DEMO_PRO_EMPLOYER_SIRET)], account)
    created = await client.post(
        "/contracts",
        json={"contract_type": "professionnalisation", "employer_siret": DEMO_PRO_EMPLOYER_SIRET},
        headers=headers,
    )
    contract_id = created.json()["id"]
    form = complete_professionalisation_form().model_dump(mode="json", exclude_none=True)
    assert (await client.put(f"/contracts/{contract_id}", json=form, headers=headers)).status_code == 200

    async def contract() -> dict:
        return (await client.get(f"/contracts/{contract_id}", headers=headers)).json()

    # An event for a contract this service never had is ignored, not parked.
    await publish(stack, uploaded(str(uuid.uuid4())))
    await publish(stack, uploaded(contract_id))
    await eventually(contract, lambda c: [d["document_type"] for d in c["documents"]] == ["convention_formation"])

    sent = await client.post(f"/contracts/{contract_id}/transmit", headers=headers)
    assert sent.status_code == 200, sent.text
    assert await transmitted_on_kafka(stack, contract_id, expected=1) == 1

    # A decision on a revision that was never transmitted is not applied: retried, then parked (never dropped).
    stale = ContractEngaged(
        case_id=uuid.uuid4(),
        contract_id=uuid.UUID(contract_id),
        revision=7,
        opco_file_number="X",
        engaged_at=datetime.now(UTC),
    )
    await publish(stack, stale)
    letter = uuid.uuid4()
    anomaly = AnomalyRaised(
        case_id=uuid.uuid4(),
        contract_id=uuid.UUID(contract_id),
        revision=1,
        anomalies=[
            Anomaly(code="HOURLY_PAY", kind="field_error", field="contract.hiring_salary", message="Salaire à revoir.")
        ],
        letter_document_id=letter,
        raised_at=datetime.now(UTC),
    )
    envelope = await publish(stack, anomaly)
    in_anomaly = await eventually(contract, lambda c: c["status"] == "in_anomaly")
    assert in_anomaly["anomalies"][0]["code"] == "HOURLY_PAY"
    assert in_anomaly["anomaly_letter_document_id"] == str(letter)
    assert in_anomaly["editable"] is True
    # The same event delivered again is applied once.
    await publish(stack, anomaly, envelope)

    corrected = await client.put(
        f"/contracts/{contract_id}/tabs/contrat",
        json={**form["contract"], "hiring_salary": "1850.00"},
        headers=headers,
    )
    assert corrected.status_code == 200, corrected.text
    again = await client.post(f"/contracts/{contract_id}/transmit", headers=headers)
    assert again.status_code == 200 and again.json()["contract"]["revision"] == 2
    await publish(
        stack,
        ContractEngaged(
            case_id=uuid.uuid4(),
            contract_id=uuid.UUID(contract_id),
            revision=2,
            opco_file_number="OPC-2026-000042",
            letter_document_id=uuid.uuid4(),
            engaged_at=datetime.now(UTC),
        ),
    )
    engaged = await eventually(contract, lambda c: c["status"] == "engaged")
    assert engaged["opco_file_number"] == "OPC-2026-000042"
    parked = await read_topic(
        stack["PASSERELLE_KAFKA_BOOTSTRAP"],
        dead_letter_topic(client.consumer_group),
        key=contract_id.encode(),
        until=lambda found: len(found) >= 1,
    )
    assert [header(record, "dlt_original_topic") for record in parked] == [b"contract.engaged"]
    assert b"NotYetApplicable" in (header(parked[0], "dlt_error") or b"")
    assert await transmitted_on_kafka(stack, contract_id, expected=2) == 2

    history = (await client.get(f"/contracts/{contract_id}/history", headers=headers)).json()
    actions = [h["action"] for h in history]
    assert actions.count("anomaly_raised") == 1 and actions.count("engaged") == 1
    assert actions.count("transmitted") == 2

    # After engagement a modification request opens a new revision that follows the same path.
    amendment = await client.post(
        f"/contracts/{contract_id}/amendments",
        json={"kind_code": "36", "effective_date": "2026-03-01"},
        headers=headers,
    )
    assert amendment.status_code == 201, amendment.text
    assert amendment.json()["status"] == "draft" and amendment.json()["revision"] == 3
    assert amendment.json()["form"]["contract"]["previous_contract_number"] == "OPC-2026-000042"

    # Transfers go to colleagues only (known from identity's membership events).
    colleague = uuid.uuid4()
    refused = await client.post(
        f"/contracts/{contract_id}/transfer", json={"to_account_id": str(colleague)}, headers=headers
    )
    assert refused.status_code == 422
    await publish(
        stack,
        MembershipGranted(
            membership_id=uuid.uuid4(),
            account_id=colleague,
            email="collegue@numerica.example.fr",
            full_name="Une Collègue",
            organisation_id=uuid.uuid4(),
            organisation_kind="employer",
            siret=DEMO_PRO_EMPLOYER_SIRET,
            siren=DEMO_PRO_EMPLOYER_SIRET[:9],
            role="contributor",
        ),
    )

    async def transfer() -> httpx.Response:
        return await client.post(
            f"/contracts/{contract_id}/transfer", json={"to_account_id": str(colleague)}, headers=headers
        )

    moved = await eventually(transfer, lambda r: r.status_code == 200)
    assert moved.json()["owner_id"] == str(colleague)
