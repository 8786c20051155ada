"""Documents, black-box: the service as a real process on the real stack (PostgreSQL, Kafka, S3, clamd).

A contract known from its contracts event gets a training agreement, then a second version that
supersedes it; both versions download through presigned URLs with their exact bytes; an EICAR file, an
oversize file and a renamed executable are refused (the EICAR one announced by `document.rejected`, none
downloadable); `document.uploaded` reaches Kafka exactly once per upload.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
import uuid

import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from passerelle.libs.kafka_auth import kafka_options
from passerelle.libs.relay import make_producer
from passerelle.libs.testing import samples
from passerelle.libs.testing.database import fresh_service_database
from passerelle.libs.testing.processes import ServiceProcess
from passerelle.libs.testing.stack import REPO, scratch_bucket
from passerelle.libs.testing.tokens import TokenFactory, employer_claim, training_claim
from passerelle.schemas import Envelope, decode_record, encode_record
from passerelle.schemas.events.common import ContractParties
from passerelle.schemas.events.contracts import ContractDrafted

pytestmark = pytest.mark.e2e

EMPLOYER_SIRET = "73282932000074"
TRAINING_UAI = "0751234J"
MAX_UPLOAD = 10 * 1024 * 1024


@pytest.fixture(scope="module")
def bucket(stack):
    with scratch_bucket("passerelle-docs-e2e") as name:
        yield name


@pytest.fixture(scope="module")
def tokens() -> TokenFactory:
    return TokenFactory()


@pytest.fixture(scope="module")
def documents(stack, log_dir, bucket, tokens):
    database_url = fresh_service_database(REPO / "services" / "documents", "e2e_documents")
    with tokens.serve_jwks() as jwks_url:
        env = {
            "DOCUMENTS_DATABASE_URL": database_url,
            "DOCUMENTS_JWKS_URL": jwks_url,
            "DOCUMENTS_S3_BUCKET": bucket,
            "DOCUMENTS_CONSUMER_GROUP": f"documents-e2e-{uuid.uuid4().hex[:8]}",
        }
        process = ServiceProcess.uvicorn("documents", "passerelle.documents.main:app", env, log_dir).start()
        try:
            yield process
        finally:
            process.stop()


async def publish_contract(bootstrap: str, event: ContractDrafted) -> None:
    producer = make_producer(bootstrap)
    await producer.start()
    try:
        envelope = Envelope(type=event.topic, schema_version=1, producer="contracts", subject=str(event.contract_id))
        key, value, headers = encode_record(envelope, event)
        await producer.send_and_wait(event.topic, key=key, value=value, headers=headers)
    finally:
        await producer.stop()


async def read_events(bootstrap: str, topic: str, contract_id: uuid.UUID, expected: int, linger: float = 3.0):
    """Every event of `topic` about the contract: read until `expected` arrived, then a little longer."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, **kafka_options(), group_id=None, auto_offset_reset="earliest"
    )
    await consumer.start()
    found = []
    deadline = time.monotonic() + 60
    settled_at = None
    try:
        while time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=300)
            for records in batches.values():
                for r in records:
                    if r.key == str(contract_id).encode():
                        found.append(decode_record(r.value, r.headers))
            if len(found) >= expected:
                settled_at = settled_at or time.monotonic()
                if time.monotonic() - settled_at >= linger:
                    break
    finally:
        await consumer.stop()
    return found


def training_agreement(version: int) -> bytes:
    # Version 2 is past the 1 MiB kept in memory: that upload is spooled to disk, then scanned and stored.
    seed = hashlib.sha256(f"convention v{version}".encode()).hexdigest().encode()
    return samples.sample_pdf(640_000 * version, seed)


async def test_training_agreement_versions_checks_and_events(stack, documents, tokens):
    bootstrap = stack["PASSERELLE_KAFKA_BOOTSTRAP"]
    employer = tokens.headers(uuid.uuid4(), orgs=[employer_claim(EMPLOYER_SIRET)])
    training = tokens.headers(uuid.uuid4(), orgs=[training_claim(TRAINING_UAI)])
    contract_id = uuid.uuid4()
    parties = ContractParties(employer_siret=EMPLOYER_SIRET, training_uai=TRAINING_UAI, opco_code="OPCO-EP")
    await publish_contract(
        bootstrap, ContractDrafted(contract_id=contract_id, contract_type="apprentissage", parties=parties)
    )

    async with httpx.AsyncClient(base_url=documents.url, timeout=60) as api, httpx.AsyncClient(timeout=60) as browser:

        async def upload(content: bytes, name: str) -> httpx.Response:
            return await api.post(
                f"/contracts/{contract_id}/documents",
                headers=employer,
                data={"document_type": "convention_formation"},
                files={"file": (name, content, "application/pdf")},
            )

        # The contract reaches the service through Kafka within moments.
        deadline = time.monotonic() + 60
        while (await api.get(f"/contracts/{contract_id}/documents", headers=employer)).status_code == 404:
            assert time.monotonic() < deadline, "contract.drafted never reached the documents service"
            await asyncio.sleep(0.2)

        v1, v2 = training_agreement(1), training_agreement(2)
        first = await upload(v1, "Convention de formation.pdf")
        assert first.status_code == 201, first.text
        second = await upload(v2, "Convention de formation (corrigée).pdf")
        assert second.status_code == 201, second.text
        assert second.json()["version"] == 2 and second.json()["supersedes"] == first.json()["id"]

        for created, content in ((first, v1), (second, v2)):
            link = await api.get(f"/documents/{created.json()['id']}/download-url", headers=training)
            assert link.status_code == 200
            downloaded = await browser.get(link.json()["url"])
            assert downloaded.status_code == 200
            assert hashlib.sha256(downloaded.content).hexdigest() == hashlib.sha256(content).hexdigest()
            assert downloaded.headers["content-disposition"].startswith('attachment; filename="Convention')

        infected = await upload(samples.eicar_pdf(), "eicar.pdf")
        assert infected.status_code == 422
        assert infected.json()["error"]["code"] == "document_infected"
        assert "virus" in infected.json()["error"]["message"]

        oversize = await upload(b"%PDF-1.7\n" + b"\0" * MAX_UPLOAD, "trop gros.pdf")
        assert oversize.status_code == 413
        assert oversize.json()["error"]["message"] == "Le fichier dépasse la taille maximale autorisée (10 Mo)."

        for header in (b"\x7fELF\x02\x01\x01\x00", b"MZ\x90\x00\x03\x00\x00\x00"):
            renamed = await upload(header + os.urandom(20_000), "convention.pdf")
            assert renamed.status_code == 415
            assert "PDF, PNG et JPEG" in renamed.json()["error"]["message"]

        listing = (await api.get(f"/contracts/{contract_id}/documents", headers=employer)).json()
        [line] = listing["documents"]
        assert [v["version"] for v in line["versions"]] == [2, 1]  # nothing refused was kept

    uploaded = await read_events(bootstrap, "document.uploaded", contract_id, expected=2)
    assert sorted(str(e.document_id) for _, e in uploaded) == sorted([first.json()["id"], second.json()["id"]])
    assert len({env.id for env, _ in uploaded}) == len(uploaded) == 2  # exactly once per upload
    rejected = await read_events(bootstrap, "document.rejected", contract_id, expected=4, linger=1.0)
    assert sorted(e.reason_code for _, e in rejected) == [
        "infected",
        "too_large",
        "type_not_allowed",
        "type_not_allowed",
    ]

    # That the upload unblocks the transmission in contracts: test_agreement_unblocks_transmission.py.
