"""Documents and contracts together, both real processes: uploading the training agreement to the
documents service is what lets the contracts service accept a transmission that required it.

contracts --contract.drafted--> documents (who may upload)    documents --document.uploaded--> contracts
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid

import pytest
from aiokafka import AIOKafkaConsumer

from passerelle.contracts.testing.samples import DEMO_CFA_UAI, DEMO_EMPLOYER_SIRET, complete_apprenticeship_form
from passerelle.libs.kafka_auth import kafka_options
from passerelle.libs.testing.database import fresh_service_database
from passerelle.libs.testing.processes import ServiceProcess
from passerelle.libs.testing.stack import REPO
from passerelle.libs.testing.tokens import TokenFactory
from tests.e2e.test_contract_drafting import EMPLOYER, Api, poll, tab
from tests.e2e.test_documents_flow import bucket, training_agreement  # noqa: F401 - `bucket` is a fixture

pytestmark = pytest.mark.e2e


async def transmitted_event(bootstrap: str, contract_id: str, timeout: float = 60) -> dict:
    consumer = AIOKafkaConsumer(
        "contract.transmitted",
        bootstrap_servers=bootstrap,
        **kafka_options(),
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            for records in (await consumer.getmany(timeout_ms=500, max_records=5000)).values():
                for record in records:
                    if (record.key or b"").decode() == contract_id:
                        return json.loads(record.value)
    finally:
        await consumer.stop()
    raise AssertionError("contract.transmitted never published")


async def test_uploaded_training_agreement_unblocks_the_transmission(stack, log_dir, bucket):  # noqa: F811
    bootstrap = stack["PASSERELLE_KAFKA_BOOTSTRAP"]
    tokens = TokenFactory()
    with tokens.serve_jwks() as jwks_url:
        contracts = ServiceProcess.uvicorn(
            "contracts",
            "passerelle.contracts.main:app",
            {
                "CONTRACTS_DATABASE_URL": fresh_service_database(
                    REPO / "services" / "contracts", "e2e_unblock_contracts"
                ),
                "CONTRACTS_JWKS_URL": jwks_url,
                "CONTRACTS_CONSUMER_GROUP": f"contracts-unblock-{uuid.uuid4().hex[:8]}",
            },
            log_dir,
        )
        documents = ServiceProcess.uvicorn(
            "documents",
            "passerelle.documents.main:app",
            {
                "DOCUMENTS_DATABASE_URL": fresh_service_database(
                    REPO / "services" / "documents", "e2e_unblock_documents"
                ),
                "DOCUMENTS_JWKS_URL": jwks_url,
                "DOCUMENTS_S3_BUCKET": bucket,
                "DOCUMENTS_CONSUMER_GROUP": f"documents-unblock-{uuid.uuid4().hex[:8]}",
            },
            log_dir,
        )
        contracts.start()
        documents.start()
        try:
            employer = Api(contracts.url, tokens, EMPLOYER)
            uploads = Api(documents.url, tokens, EMPLOYER)
            uploads.subject = employer.subject

            form = complete_apprenticeship_form().model_dump(mode="json", exclude_none=True)
            created = employer.post(
                "/contracts",
                json={
                    "contract_type": "apprentissage",
                    "employer_siret": DEMO_EMPLOYER_SIRET,
                    "training_uai": DEMO_CFA_UAI,
                },
            )
            assert created.status_code == 201, created.text
            contract_id = created.json()["id"]
            for name in ("introduction", "employeur", "salarie", "tuteur", "contrat", "formation", "synthese"):
                saved = employer.put(f"/contracts/{contract_id}/tabs/{name}", json=tab(form, name))
                assert saved.status_code == 200, (name, saved.text)

            refused = employer.post(f"/contracts/{contract_id}/transmit")
            assert refused.status_code == 422
            assert refused.json()["error"]["tabs_in_error"] == ["documents"]
            assert [e["rule_id"] for e in refused.json()["error"]["errors"]] == ["TRAINING_AGREEMENT_DOCUMENT"]

            # The documents service learns of the contract from contract.drafted, then takes the upload.
            deadline = time.monotonic() + 60
            while uploads.get(f"/contracts/{contract_id}/documents").status_code == 404:
                assert time.monotonic() < deadline, "contract.drafted never reached the documents service"
                await asyncio.sleep(0.2)
            stored = uploads.post(
                f"/contracts/{contract_id}/documents",
                data={"document_type": "convention_formation"},
                files={"file": ("Convention signée.pdf", training_agreement(1), "application/pdf")},
            )
            assert stored.status_code == 201, stored.text
            document_id = stored.json()["id"]

            # document.uploaded reaches contracts: the agreement is listed and the transmission goes through.
            await poll(
                employer,
                contract_id,
                lambda c: [d["document_type"] for d in c["documents"]] == ["convention_formation"],
            )
            sent = employer.post(f"/contracts/{contract_id}/transmit")
            assert sent.status_code == 200, sent.text
            assert sent.json()["contract"]["status"] == "transmitted"
            event = await transmitted_event(bootstrap, contract_id)
            assert [d["document_id"] for d in event["documents"]] == [document_id]
        except BaseException:
            print(contracts.tail(60), documents.tail(60))
            raise
        finally:
            documents.stop()
            contracts.stop()
