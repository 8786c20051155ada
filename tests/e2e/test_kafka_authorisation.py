"""The broker itself refuses forged producers (issue #10, item 4): SASL/SCRAM with one principal per service and
ACLs from the registry, on the test stack's real Kafka.

Each service's principal writes only the topics it owns, reads only those it consumes, with consumer groups named
after it; an anonymous client and a wrong password are refused before any request; the stack's admin, a super
user, creates topics. Every other end-to-end test runs its services as their own principals
(libs.testing.processes), so the normal flow under these ACLs is the whole suite's.
"""

from __future__ import annotations

import asyncio
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.conn import create_conn
from aiokafka.errors import (
    GroupAuthorizationFailedError,
    KafkaConnectionError,
    SaslAuthenticationFailed,
    TopicAuthorizationFailedError,
)
from aiokafka.protocol.metadata import MetadataRequest

from passerelle.libs.kafka_auth import KafkaAuth
from passerelle.libs.testing.kafka import produce, read_topic
from passerelle.schemas import Envelope, decode_record
from passerelle.schemas.events.common import ContractParties
from passerelle.schemas.events.contracts import ContractDrafted
from passerelle.schemas.events.documents import DocumentUploaded
from passerelle.schemas.registry import OWNERS

pytestmark = pytest.mark.timeout(180)


def principal(name: str) -> KafkaAuth:
    return KafkaAuth.for_principal(name)


async def send(bootstrap: str, auth: KafkaAuth, topic: str, value: bytes) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, request_timeout_ms=10000, **auth.client_options())
    await producer.start()
    try:
        await asyncio.wait_for(producer.send_and_wait(topic, value=value, key=b"probe"), 30)
    finally:
        await producer.stop()


async def first_batch(bootstrap: str, auth: KafkaAuth, topic: str, group: str) -> dict:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=group, auto_offset_reset="latest", **auth.client_options()
    )
    try:
        await asyncio.wait_for(consumer.start(), 30)
        return await asyncio.wait_for(consumer.getmany(timeout_ms=2000), 30)
    finally:
        await consumer.stop()


def drafted() -> tuple[Envelope, ContractDrafted]:
    contract_id = uuid.uuid4()
    parties = ContractParties(employer_siret="81208328500013", training_uai="0754321P", opco_code="OPCO-EP")
    event = ContractDrafted(contract_id=contract_id, contract_type="apprentissage", parties=parties)
    envelope = Envelope(type=event.topic, schema_version=1, producer="contracts", subject=str(contract_id))
    return envelope, event


def test_a_service_writes_its_own_topic_and_the_consumer_reads_it_with_its_group(stack):
    bootstrap = stack["PASSERELLE_KAFKA_BOOTSTRAP"]
    envelope, event = drafted()
    asyncio.run(produce(bootstrap, envelope, event, auth=principal("contracts")))
    records = asyncio.run(
        read_topic(bootstrap, event.topic, key=envelope.subject.encode(), until=bool, auth=principal("documents"))
    )
    decoded_envelope, decoded = decode_record(records[0].value, records[0].headers)
    assert decoded_envelope.producer == "contracts" and decoded.contract_id == event.contract_id
    # Its consumer group (named after it, as in every test) may join and read.
    assert isinstance(asyncio.run(first_batch(bootstrap, principal("documents"), event.topic, "documents-auth")), dict)


def test_a_service_cannot_write_a_topic_another_service_owns(stack):
    bootstrap = stack["PASSERELLE_KAFKA_BOOTSTRAP"]
    assert OWNERS[DocumentUploaded.topic] == "documents"
    for forger in ("contracts", "notifier", "opco_processing", "identity", "portal"):
        with pytest.raises(TopicAuthorizationFailedError):
            asyncio.run(send(bootstrap, principal(forger), DocumentUploaded.topic, b"{}"))
    # The owner may: the refusal above is the ACL's, not a broken topic.
    asyncio.run(send(bootstrap, principal("documents"), DocumentUploaded.topic, b"not an event: parked by consumers"))


def test_a_service_reads_only_what_it_consumes_and_only_with_its_own_groups(stack):
    bootstrap = stack["PASSERELLE_KAFKA_BOOTSTRAP"]
    # documents consumes contract events, not the OPCO's anomalies.
    with pytest.raises(TopicAuthorizationFailedError):
        asyncio.run(first_batch(bootstrap, principal("documents"), "anomaly.raised", "documents-auth"))
    # A group named after another service is that service's offsets: refused.
    with pytest.raises(GroupAuthorizationFailedError):
        asyncio.run(first_batch(bootstrap, principal("documents"), "contract.drafted", "notifier-auth"))


def test_an_anonymous_client_and_a_wrong_password_are_refused(stack):
    host, port = stack["PASSERELLE_KAFKA_BOOTSTRAP"].rsplit(":", 1)
    documents = principal("documents")

    async def metadata(**options: object) -> object:
        conn = await create_conn(host, int(port), request_timeout_ms=10000, **options)
        try:
            return await conn.send(MetadataRequest([]))
        finally:
            conn.close()

    # The same request with the right password is answered: the broker is there and listening.
    assert asyncio.run(metadata(**documents.client_options())) is not None
    with pytest.raises(KafkaConnectionError):  # no SASL handshake: the broker closes the connection
        asyncio.run(metadata())
    with pytest.raises(SaslAuthenticationFailed):
        asyncio.run(metadata(**(documents.client_options() | {"sasl_plain_password": "not-the-password"})))
    with pytest.raises(SaslAuthenticationFailed):
        asyncio.run(metadata(**(documents.client_options() | {"sasl_plain_username": "intruder"})))
