"""Contract drafting end to end: the contracts service as a real process, real PostgreSQL and Kafka.

Both contract types are drafted tab by tab, refused with errors on the right tabs, corrected, given their
training agreement (a real `document.uploaded` on Kafka), transmitted, and `contract.transmitted` is seen on
Kafka exactly once per transmission. The OPCO's `anomaly.raised` and `contract.engaged` events then move the
status. Bad input gets a 422 naming the field, and nothing is saved.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from passerelle.contracts.testing.samples import (
    DEMO_CFA_SIRET,
    DEMO_CFA_UAI,
    DEMO_EMPLOYER_SIRET,
    DEMO_PRO_EMPLOYER_SIRET,
    complete_apprenticeship_form,
    complete_professionalisation_form,
)
from passerelle.libs.kafka_auth import kafka_options
from passerelle.libs.relay import make_producer
from passerelle.libs.testing.database import fresh_service_database
from passerelle.libs.testing.processes import ServiceProcess
from passerelle.libs.testing.stack import REPO
from passerelle.libs.testing.tokens import TokenFactory
from passerelle.schemas import Envelope, Event, encode_record
from passerelle.schemas.events.documents import DocumentUploaded
from passerelle.schemas.events.opco import Anomaly, AnomalyRaised, ContractEngaged
from passerelle.schemas.registry import owner_of

pytestmark = pytest.mark.e2e


def _org(kind: str, **ids: str) -> dict[str, Any]:
    claim: dict[str, Any] = {"id": str(uuid.uuid4()), "kind": kind, "role": "admin", **ids}
    if "siret" in ids:
        claim["siren"] = ids["siret"][:9]
    return claim


EMPLOYER = [_org("employer", siret=DEMO_EMPLOYER_SIRET)]
PRO_EMPLOYER = [_org("employer", siret=DEMO_PRO_EMPLOYER_SIRET)]
CFA = [_org("training", uai=DEMO_CFA_UAI, siret=DEMO_CFA_SIRET)]


class Api:
    """The contracts API as one person sees it."""

    def __init__(self, base_url: str, tokens: TokenFactory, orgs: list[dict[str, Any]]) -> None:
        self.client = httpx.Client(base_url=base_url, timeout=30)
        self.tokens = tokens
        self.orgs = orgs
        self.subject = uuid.uuid4()

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens.issue(self.subject, self.orgs)}"}

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.client.get(path, headers=self._headers(), **kw)

    def _write_headers(self, path: str) -> dict[str, str]:
        # Writes on a contract require the version last read (If-Match): read it, as a person's page would.
        headers = self._headers()
        parts = path.split("/")
        if len(parts) > 2 and parts[1] == "contracts" and len(parts[2]) == 36:
            etag = self.client.get(f"/contracts/{parts[2]}", headers=headers).headers.get("etag")
            if etag:
                headers["If-Match"] = etag
        return headers

    def post(self, path: str, **kw: Any) -> httpx.Response:
        return self.client.post(path, headers=self._write_headers(path), **kw)

    def put(self, path: str, **kw: Any) -> httpx.Response:
        return self.client.put(path, headers=self._write_headers(path), **kw)


async def publish(bootstrap: str, event: Event, producer_name: str | None = None) -> None:
    """One event on its topic, as its owner would publish it: the envelope names the producer by its service name
    (opco_processing, not the folder's opco-processing), which consumers check against the topic's owner."""
    producer_name = producer_name or owner_of(event.topic)
    assert producer_name is not None, f"{event.topic} has no owner"
    envelope = Envelope(
        type=event.topic,
        schema_version=event.schema_version,
        producer=producer_name.replace("-", "_"),
        subject=event.subject(),
    )
    key, value, headers = encode_record(envelope, event)
    producer = make_producer(bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(event.topic, key=key, value=value, headers=headers)
    finally:
        await producer.stop()


async def poll(api: Api, contract_id: str, check, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    body: dict[str, Any] = {}
    while time.monotonic() < deadline:
        body = (await asyncio.to_thread(api.get, f"/contracts/{contract_id}")).json()
        if check(body):
            return body
        await asyncio.sleep(0.3)
    raise AssertionError(f"contract {contract_id} never reached the expected state: {body.get('status')}")


async def transmitted_counts(bootstrap: str, contract_ids: set[str], quiet_seconds: float = 4, timeout: float = 90):
    """`contract.transmitted` records per contract id, read from the topic's start until it stays quiet."""
    consumer = AIOKafkaConsumer(
        "contract.transmitted",
        bootstrap_servers=bootstrap,
        **kafka_options(),
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    counts: Counter[str] = Counter()
    deadline = time.monotonic() + timeout
    last_seen = time.monotonic()
    try:
        while time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=500, max_records=5000)
            for records in batches.values():
                for record in records:
                    key = (record.key or b"").decode()
                    if key in contract_ids:
                        counts[key] += 1
                        last_seen = time.monotonic()
            if set(counts) == contract_ids and time.monotonic() - last_seen > quiet_seconds:
                break
    finally:
        await consumer.stop()
    return counts


def training_agreement(contract_id: str) -> DocumentUploaded:
    return DocumentUploaded(
        document_id=uuid.uuid4(),
        contract_id=uuid.UUID(contract_id),
        document_type="convention_formation",
        version=1,
        filename="convention-de-formation.pdf",
        size=48_213,
        sha256="5f" * 32,
        media_type="application/pdf",
        uploaded_at=datetime.now(UTC),
    )


def tab(form: dict[str, Any], name: str) -> dict[str, Any]:
    if name == "tuteur":
        return {"tutors": form["tutors"], "tutor_eligibility_attested": form["tutor_eligibility_attested"]}
    key = {
        "introduction": "introduction",
        "employeur": "employer",
        "salarie": "employee",
        "contrat": "contract",
        "formation": "training",
        "synthese": "synthesis",
    }[name]
    return form[key]


async def test_both_contract_types_from_draft_to_engagement(stack, log_dir):
    bootstrap = stack["PASSERELLE_KAFKA_BOOTSTRAP"]
    database_url = fresh_service_database(REPO / "services" / "contracts", "e2e_contracts")
    tokens = TokenFactory()
    with tokens.serve_jwks() as jwks_url:
        env = {
            "CONTRACTS_DATABASE_URL": database_url,
            "CONTRACTS_JWKS_URL": jwks_url,
            "CONTRACTS_CONSUMER_GROUP": f"contracts-e2e-{uuid.uuid4().hex[:8]}",
            "CONTRACTS_LOG_JSON": "false",
        }
        service = ServiceProcess.uvicorn("contracts", "passerelle.contracts.main:app", env, log_dir).start()
        try:
            await _scenario(service.url, tokens, bootstrap)
        except BaseException:
            print(service.tail(80))
            raise
        finally:
            service.stop()


async def _scenario(url: str, tokens: TokenFactory, bootstrap: str) -> None:
    employer, pro_employer, cfa = Api(url, tokens, EMPLOYER), Api(url, tokens, PRO_EMPLOYER), Api(url, tokens, CFA)

    # --- Apprenticeship: the CFA pre-fills its part and proposes it; the employer accepts and completes.
    apprenticeship = complete_apprenticeship_form().model_dump(mode="json", exclude_none=True)
    created = cfa.post(
        "/contracts",
        json={"contract_type": "apprentissage", "training_uai": DEMO_CFA_UAI, "employer_siret": DEMO_EMPLOYER_SIRET},
    )
    assert created.status_code == 201, created.text
    app_id = created.json()["id"]
    assert cfa.put(f"/contracts/{app_id}/tabs/formation", json=tab(apprenticeship, "formation")).status_code == 200
    proposed = cfa.post(f"/contracts/{app_id}/propose", json={"employer_email": "recrutement@dupain.example.fr"})
    assert proposed.status_code == 200 and proposed.json()["status"] == "proposed"
    assert employer.post(f"/contracts/{app_id}/accept").json()["status"] == "draft"

    # The employer fills its tabs with two mistakes: a mistyped social security number, a tutor under age.
    wrong_employee = {**tab(apprenticeship, "salarie"), "nir": "108037511102448"}
    wrong_tutors = tab(apprenticeship, "tuteur")
    wrong_tutors["tutors"] = [{**wrong_tutors["tutors"][0], "birth_date": "2009-01-01"}]
    for name, content in [
        ("introduction", tab(apprenticeship, "introduction")),
        ("employeur", tab(apprenticeship, "employeur")),
        ("salarie", wrong_employee),
        ("tuteur", wrong_tutors),
        ("contrat", tab(apprenticeship, "contrat")),
        ("synthese", tab(apprenticeship, "synthese")),
    ]:
        saved = employer.put(f"/contracts/{app_id}/tabs/{name}", json=content)
        assert saved.status_code == 200, (name, saved.text)

    # --- Professionalisation: the employer drafts it alone, forgetting the tutor.
    professionalisation = complete_professionalisation_form().model_dump(mode="json", exclude_none=True)
    created = pro_employer.post(
        "/contracts", json={"contract_type": "professionnalisation", "employer_siret": DEMO_PRO_EMPLOYER_SIRET}
    )
    assert created.status_code == 201, created.text
    pro_id = created.json()["id"]
    for name in ("introduction", "employeur", "salarie", "contrat", "formation", "synthese"):
        saved = pro_employer.put(f"/contracts/{pro_id}/tabs/{name}", json=tab(professionalisation, name))
        assert saved.status_code == 200, (name, saved.text)

    # --- Bad input: 422 with the field's path, and nothing saved.
    before = pro_employer.get(f"/contracts/{pro_id}").json()
    bad = pro_employer.put(
        f"/contracts/{pro_id}/tabs/contrat",
        json={**tab(professionalisation, "contrat"), "weekly_hours": "trente-cinq", "bonus": 1},
    )
    assert bad.status_code == 422
    assert {f["path"] for f in bad.json()["error"]["fields"]} == {"contract.weekly_hours", "contract.bonus"}
    after = pro_employer.get(f"/contracts/{pro_id}").json()
    assert after["version"] == before["version"] and after["form"] == before["form"]

    # --- Transmission refused, with the errors on the right tabs.
    refused = employer.post(f"/contracts/{app_id}/transmit")
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert set(error["tabs_in_error"]) == {"salarie", "tuteur", "documents"}, error["tabs_in_error"]
    rules = {(e["rule_id"], e["field"]) for e in error["errors"]}
    assert ("NIR_CHECKSUM", "employee.nir") in rules
    assert ("TUTOR_AGE_MIN", "tutors[0].birth_date") in rules
    assert ("TRAINING_AGREEMENT_DOCUMENT", "documents.convention_formation") in rules
    by_tab = {t["tab"]: t for t in error["tabs"]}
    assert by_tab["contrat"]["state"] != "error" and by_tab["salarie"]["state"] == "error"
    refused = pro_employer.post(f"/contracts/{pro_id}/transmit")
    assert refused.status_code == 422
    assert set(refused.json()["error"]["tabs_in_error"]) == {"tuteur", "documents"}
    assert employer.get(f"/contracts/{app_id}").json()["status"] == "draft"

    # --- Corrections, and the training agreements uploaded (document.uploaded on Kafka).
    fixed = employer.put(f"/contracts/{app_id}/tabs/salarie", json=tab(apprenticeship, "salarie"))
    assert fixed.status_code == 200 and not [f for f in fixed.json()["findings"] if f["severity"] == "error"]
    assert employer.put(f"/contracts/{app_id}/tabs/tuteur", json=tab(apprenticeship, "tuteur")).status_code == 200
    assert (
        pro_employer.put(f"/contracts/{pro_id}/tabs/tuteur", json=tab(professionalisation, "tuteur")).status_code == 200
    )
    for contract_id in (app_id, pro_id):
        await publish(bootstrap, training_agreement(contract_id))
    await poll(employer, app_id, lambda c: [d["document_type"] for d in c["documents"]] == ["convention_formation"])
    await poll(pro_employer, pro_id, lambda c: len(c["documents"]) == 1)
    assert employer.get(f"/contracts/{app_id}/validation").json()["valid"] is True

    # --- Transmitted: frozen, and contract.transmitted leaves once for each.
    for api, contract_id in ((employer, app_id), (pro_employer, pro_id)):
        sent = api.post(f"/contracts/{contract_id}/transmit")
        assert sent.status_code == 200, sent.text
        assert sent.json()["contract"]["status"] == "transmitted"
        assert api.put(f"/contracts/{contract_id}/tabs/synthese", json={}).status_code == 409
    counts = await transmitted_counts(bootstrap, {app_id, pro_id})
    assert counts == {app_id: 1, pro_id: 1}, counts

    # --- The OPCO raises an anomaly on the apprenticeship; corrected and sent again as revision 2.
    letter = uuid.uuid4()
    await publish(
        bootstrap,
        AnomalyRaised(
            case_id=uuid.uuid4(),
            contract_id=uuid.UUID(app_id),
            revision=1,
            anomalies=[
                Anomaly(
                    code="WEEKLY_HOURS",
                    kind="field_error",
                    field="contract.weekly_hours",
                    message="La durée hebdomadaire est à confirmer.",
                )
            ],
            letter_document_id=letter,
            raised_at=datetime.now(UTC),
        ),
    )
    in_anomaly = await poll(employer, app_id, lambda c: c["status"] == "in_anomaly")
    assert in_anomaly["editable"] is True and in_anomaly["anomaly_letter_document_id"] == str(letter)
    assert in_anomaly["anomalies"][0]["field"] == "contract.weekly_hours"
    terms = {**tab(apprenticeship, "contrat"), "weekly_hours": "32"}
    assert employer.put(f"/contracts/{app_id}/tabs/contrat", json=terms).status_code == 200
    again = employer.post(f"/contracts/{app_id}/transmit")
    assert again.status_code == 200 and again.json()["contract"]["revision"] == 2

    # --- Both engaged.
    for contract_id, revision, number in ((app_id, 2, "OPC-A-0001"), (pro_id, 1, "OPC-P-0001")):
        await publish(
            bootstrap,
            ContractEngaged(
                case_id=uuid.uuid4(),
                contract_id=uuid.UUID(contract_id),
                revision=revision,
                opco_file_number=number,
                letter_document_id=uuid.uuid4(),
                engaged_at=datetime.now(UTC),
            ),
        )
    engaged = await poll(employer, app_id, lambda c: c["status"] == "engaged")
    assert engaged["opco_file_number"] == "OPC-A-0001"
    assert (await poll(pro_employer, pro_id, lambda c: c["status"] == "engaged"))["opco_file_number"] == "OPC-P-0001"
    counts = await transmitted_counts(bootstrap, {app_id, pro_id})
    assert counts == {app_id: 2, pro_id: 1}, counts

    history = [h["action"] for h in employer.get(f"/contracts/{app_id}/history").json()]
    assert history[:3] == ["drafted", "saved", "proposed"]
    assert history.count("transmitted") == 2 and history[-1] == "engaged" and "anomaly_raised" in history
    pdf = employer.get(f"/contracts/{app_id}/cerfa.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
