"""The OPCO's review of a contract, end to end on the real stack (Kafka, PostgreSQL, S3, clamd):
contracts, documents and opco-processing as real processes.

A transmitted apprenticeship contract of the bakery (IDCC 0843) reaches OPCO EP's queue, not L'Opcommerce's,
with its checks and funding; the reviewer raises an anomaly (a missing document and a wrong field); the
employer uploads the document, which resumes the case by itself, then corrects the field and transmits
again; the reviewer engages it; the contract shows engagé, the file number and the agreement letter, which
downloads and opens; every event was applied exactly once.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from passerelle.contracts.testing.samples import DEMO_CFA_UAI, DEMO_EMPLOYER_SIRET, complete_apprenticeship_form
from passerelle.libs.kafka_auth import kafka_options
from passerelle.libs.testing.database import fresh_service_database
from passerelle.libs.testing.identity import serve_identity
from passerelle.libs.testing.processes import ServiceProcess
from passerelle.libs.testing.stack import REPO
from passerelle.libs.testing.tokens import TokenFactory, opco_claim
from tests.e2e.test_contract_drafting import EMPLOYER, Api, poll, tab
from tests.e2e.test_documents_flow import bucket, training_agreement  # noqa: F401 - `bucket` is a fixture

pytestmark = pytest.mark.e2e
CLIENTS = {"pcl_opcoep": ("pcs_opcoep_secret", "OPCOEP"), "pcl_opcommerce": ("pcs_opcommerce_secret", "OPCOMMERCE")}


class Staff:
    """opco-processing's API as one OPCO staff member sees it."""

    def __init__(self, base_url: str, tokens: TokenFactory, opco: str, role: str, name: str) -> None:
        self.client = httpx.Client(base_url=base_url, timeout=30)
        self.tokens, self.opco, self.role, self.name = tokens, opco, role, name
        self.subject = uuid.uuid4()

    def headers(self) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.tokens.issue(self.subject, [opco_claim(self.opco, self.role)], name=self.name)}"
        }

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.client.get(path, headers=self.headers(), **kw)

    def post(self, path: str, **kw: Any) -> httpx.Response:
        return self.client.post(path, headers=self.headers(), **kw)


async def until(probe: Callable[[], Any], check: Callable[[Any], bool], what: str, timeout: float = 90) -> Any:
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = await asyncio.to_thread(probe)
        if check(value):
            return value
        await asyncio.sleep(0.3)
    raise AssertionError(f"{what} never happened; last seen: {str(value)[:2000]}")


async def event_counts(bootstrap: str, topics: list[str], key: str, quiet: float = 3) -> Counter[str]:
    consumer = AIOKafkaConsumer(
        *topics,
        bootstrap_servers=bootstrap,
        **kafka_options(),
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    counts: Counter[str] = Counter()
    last = time.monotonic()
    deadline = last + 60
    try:
        while time.monotonic() < deadline and time.monotonic() - last < quiet:
            for records in (await consumer.getmany(timeout_ms=500, max_records=5000)).values():
                for record in records:
                    if (record.key or b"").decode() == key:
                        counts[record.topic] += 1
                        last = time.monotonic()
    finally:
        await consumer.stop()
    return counts


def case_of(staff: Staff, contract_id: str) -> dict[str, Any] | None:
    response = staff.get(f"/cases/by-contract/{contract_id}")
    return response.json() if response.status_code == 200 else None


async def test_a_contract_is_reviewed_corrected_and_engaged(stack, log_dir, bucket):  # noqa: F811
    bootstrap = stack["PASSERELLE_KAFKA_BOOTSTRAP"]
    tokens = TokenFactory()
    suffix = uuid.uuid4().hex[:8]
    with serve_identity(tokens, CLIENTS) as (jwks_url, token_url):
        contracts = ServiceProcess.uvicorn(
            "contracts",
            "passerelle.contracts.main:app",
            {
                "CONTRACTS_DATABASE_URL": fresh_service_database(REPO / "services" / "contracts", "e2e_opco_contracts"),
                "CONTRACTS_JWKS_URL": jwks_url,
                "CONTRACTS_CONSUMER_GROUP": f"contracts-opco-{suffix}",
            },
            log_dir,
        )
        documents = ServiceProcess.uvicorn(
            "documents",
            "passerelle.documents.main:app",
            {
                "DOCUMENTS_DATABASE_URL": fresh_service_database(REPO / "services" / "documents", "e2e_opco_documents"),
                "DOCUMENTS_JWKS_URL": jwks_url,
                "DOCUMENTS_S3_BUCKET": bucket,
                "DOCUMENTS_CONSUMER_GROUP": f"documents-opco-{suffix}",
            },
            log_dir,
        )
        # The administration's deposit service: the fake as its own process (services/deca-fake), over HTTP.
        deca = ServiceProcess.uvicorn(
            "deca-fake", "passerelle.deca_fake.main:app", {"DECA_FAKE_API_KEY": f"cle-{suffix}"}, log_dir
        )
        contracts.start()
        documents.start()
        deca.start()
        # Its first call fails (503): the deposit step must try again, and deposit once.
        async with httpx.AsyncClient(base_url=deca.url, headers={"Authorization": f"Bearer cle-{suffix}"}) as client:
            (await client.post("/simulation/pannes", json={"indisponible": 1})).raise_for_status()
        opco = ServiceProcess.uvicorn(
            "opco-processing",
            "passerelle.opco_processing.main:app",
            {
                "OPCO_PROCESSING_DATABASE_URL": fresh_service_database(
                    REPO / "services" / "opco-processing", "e2e_opco_processing"
                ),
                "OPCO_PROCESSING_JWKS_URL": jwks_url,
                "OPCO_PROCESSING_TOKEN_URL": token_url,
                "OPCO_PROCESSING_CONTRACTS_URL": contracts.url,
                "OPCO_PROCESSING_DOCUMENTS_URL": documents.url,
                "OPCO_PROCESSING_CONSUMER_GROUP": f"opco_processing-{suffix}",
                "OPCO_PROCESSING_MACHINE_CLIENTS": json.dumps(
                    {code: {"client_id": cid, "client_secret": secret} for cid, (secret, code) in CLIENTS.items()}
                ),
                "OPCO_PROCESSING_WORK_INTERVAL_SECONDS": "0.2",
                "OPCO_PROCESSING_DECA_URL": deca.url,
                "OPCO_PROCESSING_DECA_API_KEY": f"cle-{suffix}",
            },
            log_dir,
        )
        opco.start()
        try:
            employer = Api(contracts.url, tokens, EMPLOYER)
            uploads = Api(documents.url, tokens, EMPLOYER)
            uploads.subject = employer.subject
            reviewer = Staff(opco.url, tokens, "OPCOEP", "reviewer", "Inès Roche")
            other_opco = Staff(opco.url, tokens, "OPCOMMERCE", "reviewer", "Emma Girard")

            # --- the employer writes and transmits the contract -------------------------------------
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
                assert employer.put(f"/contracts/{contract_id}/tabs/{name}", json=tab(form, name)).status_code == 200
            await until(
                lambda: uploads.get(f"/contracts/{contract_id}/documents").status_code,
                lambda s: s == 200,
                "the documents service learning of the contract",
            )
            stored = uploads.post(
                f"/contracts/{contract_id}/documents",
                data={"document_type": "convention_formation"},
                files={"file": ("Convention.pdf", training_agreement(1), "application/pdf")},
            )
            assert stored.status_code == 201, stored.text
            await poll(employer, contract_id, lambda c: len(c["documents"]) == 1)
            before_transmission = datetime.now(UTC).isoformat()
            sent = employer.post(f"/contracts/{contract_id}/transmit")
            assert sent.status_code == 200, sent.text

            # --- it reaches OPCO EP's queue (IDCC 0843), checked and funded; not L'Opcommerce's ------
            case = await until(
                lambda: case_of(reviewer, contract_id),
                lambda c: c and c["status"] == "ready",
                "the case being opened and checked",
                timeout=240,
            )
            assert case["opco_code"] == "OPCOEP" and case["routing"]["source"] == "idcc"
            checks = {c["id"]: c for c in case["checks_detail"]}
            assert checks["LEGAL_CONTROLS"]["result"] == "passed"
            assert {"ELIGIBLE_TRAINING", "APPRENTICE_AGE", "PAY", "EMPLOYER_NOT_BARRED", "FUNDING"} <= set(checks)
            assert all(c["effective_result"] != "failed" or not c["blocking"] for c in checks.values())
            assert case["funding"]["basis"] == "npec" and float(case["funding_amount"]) > 0
            assert case["clock"]["due_at"] and case["remaining_seconds"] > 0
            # (the topic keeps other tests' contracts: this service reads it from the start)
            queue = reviewer.get(
                "/cases", params={"tab": "a_traiter", "received_after": before_transmission, "sort": "-received"}
            ).json()
            assert contract_id in [c["contract_id"] for c in queue["items"]] and queue["counts"]["a_traiter"] >= 1
            elsewhere = other_opco.get("/cases", params={"tab": "tous", "received_after": before_transmission}).json()
            assert contract_id not in [c["contract_id"] for c in elsewhere["items"]]
            assert other_opco.get(f"/cases/{case['id']}").status_code == 404

            # --- the reviewer takes it and raises an anomaly: a missing document and a wrong field ---
            assert (
                reviewer.post(
                    f"/cases/{case['id']}/assign",
                    json={"assignee": {"id": str(reviewer.subject), "name": reviewer.name}},
                ).status_code
                == 200
            )
            raised = reviewer.post(
                f"/cases/{case['id']}/anomaly",
                json={
                    "anomalies": [
                        {
                            "kind": "missing_document",
                            "document_type": "cerfa_signe",
                            "reason": "Le CERFA signé par les parties n'est pas joint.",
                        },
                        {
                            "kind": "field_error",
                            "tab": "salarie",
                            "field": "employee.email",
                            "reason": "L'adresse électronique de l'apprenti est celle de l'employeur.",
                        },
                    ]
                },
            )
            assert raised.status_code == 200, raised.text
            assert raised.json()["status"] == "anomaly_pending" and raised.json()["clock"]["due_at"] is None
            shown = await poll(employer, contract_id, lambda c: c["status"] == "in_anomaly")
            assert len(shown["anomalies"]) == 2, shown["anomalies"]

            # --- the employer uploads the document: the case resumes that part by itself -------------
            signed = uploads.post(
                f"/contracts/{contract_id}/documents",
                data={"document_type": "cerfa_signe"},
                files={"file": ("CERFA signé.pdf", training_agreement(3)[:200_000] + b"\n%%EOF\n", "application/pdf")},
            )
            assert signed.status_code == 201, signed.text
            case = await until(
                lambda: case_of(reviewer, contract_id),
                lambda c: any(a["resolution"] == "document_received" for a in c["anomalies"]),
                "the uploaded document closing its anomaly",
            )
            assert case["status"] == "anomaly_pending"  # the field is still awaited
            shown = await poll(
                employer, contract_id, lambda c: [a["code"] for a in c["anomalies"]] == ["FIELD:employee.email"]
            )

            # --- corrects the field and transmits again: the fixed anomaly is closed ----------------
            salarie = tab(form, "salarie")
            salarie["email"] = "lucas.durand.apprenti@example.fr"
            saved = employer.put(f"/contracts/{contract_id}/tabs/salarie", json=salarie)
            assert saved.status_code == 200, saved.text
            again = employer.post(f"/contracts/{contract_id}/transmit")
            assert again.status_code == 200, again.text
            assert again.json()["contract"]["anomalies"] == []
            case = await until(
                lambda: case_of(reviewer, contract_id),
                lambda c: c["revision"] == 2 and c["status"] == "ready",
                "the corrected revision",
            )
            assert {a["code"]: a["resolution"] for a in case["anomalies"]} == {
                "MISSING_DOCUMENT:cerfa_signe": "document_received",
                "FIELD:employee.email": "corrected",
            }
            assert "employee.email" in case["changed_fields"]

            # --- the reviewer engages it -------------------------------------------------------------
            engaged = reviewer.post(f"/cases/{case['id']}/engage")
            assert engaged.status_code == 200, engaged.text
            number = engaged.json()["file_number"]
            assert number.startswith("OPCOEP-")
            shown = await poll(employer, contract_id, lambda c: c["status"] == "engaged")
            assert shown["opco_file_number"] == number
            lines = {
                d["document_type"]: d for d in uploads.get(f"/contracts/{contract_id}/documents").json()["documents"]
            }
            assert len(lines["courrier_accord"]["versions"]) == 1 and len(lines["courrier_anomalie"]["versions"]) == 1
            letter = lines["courrier_accord"]["current"]
            content = uploads.get(f"/documents/{letter['id']}/content")
            assert content.status_code == 200 and content.content.startswith(b"%PDF")
            text = await asyncio.to_thread(
                subprocess.run, ["pdftotext", "-", "-"], input=content.content, capture_output=True, check=True
            )
            words = " ".join(text.stdout.decode().split())
            assert number in words and "accord de prise en charge" in words and "D6224-2" in words
            # The anomaly letter names the field to correct by its label on the form, not by its path.
            anomaly_letter = uploads.get(f"/documents/{lines['courrier_anomalie']['current']['id']}/content")
            text = await asyncio.to_thread(
                subprocess.run, ["pdftotext", "-", "-"], input=anomaly_letter.content, capture_output=True, check=True
            )
            anomaly_words = " ".join(text.stdout.decode().split())
            assert "« Courriel »" in anomaly_words and "employee.email" not in anomaly_words

            # --- the engaged contract is deposited with the administration (the local fake DECA) -------
            case = await until(
                lambda: case_of(reviewer, contract_id), lambda c: c["status"] == "deposited", "the deposit"
            )
            assert case["deposit"]["number"].startswith("DECA-")
            assert "deposit" in [h["action"] for h in reviewer.get(f"/cases/{case['id']}/history").json()]

            # --- every event exactly once ------------------------------------------------------------
            counts = await event_counts(
                bootstrap,
                [
                    "contract.transmitted",
                    "case.opened",
                    "anomaly.raised",
                    "anomaly.resolved",
                    "contract.engaged",
                    "contract.refused",
                    "contract.deposited",
                ],
                contract_id,
            )
            assert counts == Counter(
                {
                    "contract.transmitted": 2,
                    "case.opened": 1,
                    "anomaly.raised": 1,
                    "anomaly.resolved": 2,
                    "contract.engaged": 1,
                    "contract.deposited": 1,
                }
            ), counts
            history = [h["action"] for h in reviewer.get(f"/cases/{case['id']}/history").json()]
            assert history.count("engaged") == 1 and history.count("letter_stored") == 2
            assert history.count("revision_received") == 1
        except BaseException:
            print(opco.tail(80), contracts.tail(30), documents.tail(30), deca.tail(20))
            raise
        finally:
            opco.stop()
            deca.stop()
            documents.stop()
            contracts.stop()
