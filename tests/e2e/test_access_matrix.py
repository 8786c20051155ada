"""The access matrix (issue #10, the first suite): every role x every route of the OpenAPI document x an
object of the caller's own tenant and one of another tenant. A new route is covered without being listed.

On the contracts and documents APIs (real PostgreSQL, S3 and clamd, tokens signed as identity signs them):
- objects: a contract of employer A (SIRET A) and training organisation X, created by A and not transmitted,
  and a contract of company C;
- roles: administrator and contributor of A, another SIRET of A's SIREN, company C, X's administrator and
  contributor, an organisation still unverified (its token carries nothing), staff of the contract's OPCO
  before transmission and of another OPCO, C's API client, no token, a revoked session;
- a leak is a 2xx on a route naming an object the role may not see, or a listing that names it. Every route
  is tried with GET/POST/PUT/PATCH/DELETE as documented, with an empty body (a refusal of the body is no leak).
It prints attempts and leaks and fails on one leak; the allowed parties must get through on the object routes
(so the matrix cannot pass by refusing everyone).
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from passerelle.contracts.bootstrap import bootstrap
from passerelle.contracts.config import Settings
from passerelle.contracts.testing.samples import (
    DEMO_CFA_SIRET,
    DEMO_CFA_UAI,
    DEMO_EMPLOYER_SECOND_SIRET,
    DEMO_EMPLOYER_SIRET,
    DEMO_OTHER_COMPANY_SIRET,
)
from passerelle.libs.testing.database import fresh_service_database
from passerelle.libs.testing.services import in_process, quiet_settings
from passerelle.libs.testing.tokens import TokenFactory, employer_claim, opco_claim, training_claim
from passerelle.schemas.registry import OWNERS

REPO = Path(__file__).resolve().parents[2]
OBJECT_PARAM = re.compile(r"\{(contract_id|document_id)\}")
REVOKED_SESSION = str(uuid.uuid4())
REVOKED = [REVOKED_SESSION]
# Members of organisations not verified yet (#10.1): their tokens carry them as `pending` only. One names a SIRET
# nobody verified; the other names A's own SIRET (as a forged or stale claim would): neither may open anything
# of A, and the second's private draft of A is its alone.
UNVERIFIED_SIRET = "41816609600069"
PENDING_SUBJECT = uuid.uuid4()


def pending(siret: str) -> dict[str, Any]:
    return {"pending": [employer_claim(siret, role="admin")]}


@pytest.fixture(scope="module")
async def contracts(stack) -> AsyncIterator[tuple[Any, TokenFactory]]:
    signer = TokenFactory()
    url = fresh_service_database(REPO / "services" / "contracts", "e2e_access_matrix")
    async with in_process(
        bootstrap(Settings(**quiet_settings(database_url=url))), signer, revoked_sessions=REVOKED
    ) as app:
        yield app, signer


def roles(signer: TokenFactory) -> dict[str, dict[str, str]]:
    def user(*orgs: dict[str, Any], **extra: Any) -> dict[str, str]:
        return signer.headers(uuid.uuid4(), orgs=list(orgs), **extra)

    return {
        "employer_admin_A": user(employer_claim(DEMO_EMPLOYER_SIRET, role="admin")),
        "employer_contributor_A": user(employer_claim(DEMO_EMPLOYER_SIRET)),
        "same_siren_other_siret": user(employer_claim(DEMO_EMPLOYER_SECOND_SIRET, role="admin")),
        "other_company_C": user(employer_claim(DEMO_OTHER_COMPANY_SIRET, role="admin")),
        "cfa_admin_X": user(training_claim(DEMO_CFA_UAI, siret=DEMO_CFA_SIRET, role="admin")),
        "cfa_contributor_X": user(training_claim(DEMO_CFA_UAI, siret=DEMO_CFA_SIRET)),
        "unverified_member": user(**pending(UNVERIFIED_SIRET)),  # identity carries it as pending only
        "unverified_member_naming_A": signer.headers(PENDING_SUBJECT, orgs=[], **pending(DEMO_EMPLOYER_SIRET)),
        "opco_of_contract_before_transmission": user(opco_claim("OPCOMMERCE", role="supervisor")),
        "other_opco": user(opco_claim("AKTO", role="admin")),
        "api_client_of_C": signer.headers(uuid.uuid4(), kind="client", orgs=[employer_claim(DEMO_OTHER_COMPANY_SIRET)]),
        "no_token": {},
        "revoked_session_of_A": user(employer_claim(DEMO_EMPLOYER_SIRET, role="admin"), sid=REVOKED_SESSION),
    }


# Who may see each object (everyone else must learn nothing of it).
ALLOWED = {
    "own": {"employer_admin_A", "employer_contributor_A", "cfa_admin_X", "cfa_contributor_X"},
    "other": {"other_company_C", "api_client_of_C"},
    "private": {"unverified_member_naming_A"},  # its private draft, of A and naming X: A and X see nothing of it
}


def operations(spec: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (method.upper(), path)
        for path, item in spec["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"} and path not in {"/health", "/ready"}
    ]


def concrete(path: str, contract_id: str, document_id: str | None = None) -> str:
    path = path.replace("{contract_id}", contract_id).replace("{document_id}", document_id or str(uuid.uuid4()))
    # Other path parameters get a plausible value (a tab, a SIRET, a code), so the route is reached.
    samples = {"tab": "salarie", "siret": DEMO_EMPLOYER_SIRET, "uai": DEMO_CFA_UAI, "rncp": "RNCP35488"}
    return re.sub(r"\{(\w+)\}", lambda m: samples.get(m.group(1), str(uuid.uuid4())), path)


async def test_no_role_reaches_what_it_may_not_see(contracts):
    app, signer = contracts
    callers = roles(signer)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://contracts") as client:

        async def create(headers: dict[str, str], **body: Any) -> str:
            r = await client.post("/contracts", json={"contract_type": "apprentissage", **body}, headers=headers)
            assert r.status_code == 201, r.text
            return r.json()["id"]

        objects = {
            "own": await create(
                callers["employer_admin_A"], employer_siret=DEMO_EMPLOYER_SIRET, training_uai=DEMO_CFA_UAI
            ),
            "other": await create(callers["other_company_C"], employer_siret=DEMO_OTHER_COMPANY_SIRET),
            "private": await create(
                callers["unverified_member_naming_A"], employer_siret=DEMO_EMPLOYER_SIRET, training_uai=DEMO_CFA_UAI
            ),
        }
        spec = app.openapi()
        attempts, leaks, allowed_through = 0, [], 0
        for method, path in operations(spec):
            for owner, contract_id in objects.items():
                names_object = bool(OBJECT_PARAM.search(path))
                url = concrete(path, contract_id)
                for role, headers in callers.items():
                    allowed = role in ALLOWED[owner]
                    if allowed and method != "GET":
                        continue  # the parties' own writes are the API tests' business, and would change the object
                    kwargs: dict[str, Any] = {"headers": headers}
                    if method in {"POST", "PUT", "PATCH"}:
                        kwargs["json"] = {}
                    response = await client.request(method, url, **kwargs)
                    attempts += 1
                    success = 200 <= response.status_code < 300
                    if allowed:
                        allowed_through += names_object and success
                        continue
                    if (names_object and success) or (success and contract_id in response.text):
                        leaks.append(f"{role} {method} {url} -> {response.status_code} ({owner} contract)")
                    assert response.status_code < 500, f"{role} {method} {url}: {response.status_code} {response.text}"
    print(
        f"access matrix (contracts): {len(operations(spec))} operations x {len(callers)} roles x 2 tenants and a "
        "private draft: "
        f"{attempts} attempts, {len(leaks)} leaks, {allowed_through} allowed reads that went through"
    )
    assert not leaks, "\n".join(leaks)
    assert allowed_through > 0


@pytest.fixture(scope="module")
async def documents(stack) -> AsyncIterator[tuple[Any, TokenFactory]]:
    from passerelle.documents.bootstrap import bootstrap as documents_bootstrap
    from passerelle.documents.config import Settings as DocumentsSettings
    from passerelle.libs.testing.stack import scratch_bucket

    signer = TokenFactory()
    with scratch_bucket("passerelle-access-matrix") as bucket:
        url = fresh_service_database(REPO / "services" / "documents", "e2e_access_matrix_docs")
        settings = DocumentsSettings(**quiet_settings(database_url=url, s3_bucket=bucket, reconcile_in_process=False))
        service = documents_bootstrap(settings)
        async with in_process(service, signer, revoked_sessions=REVOKED) as app:
            yield service, app, signer


async def test_no_role_reaches_documents_it_may_not_see(documents):
    from passerelle.documents.service_layer.projection import apply_contract_event
    from passerelle.libs.testing.samples import sample_pdf
    from passerelle.schemas import Envelope
    from passerelle.schemas.events.common import ContractParties
    from passerelle.schemas.events.contracts import ContractDrafted

    service, app, signer = documents
    callers = roles(signer)
    contracts_of = {"own": str(uuid.uuid4()), "other": str(uuid.uuid4()), "private": str(uuid.uuid4())}
    # The projection is fed as the consumer feeds it: the contracts service's `contract.drafted`, with its envelope.
    async with service.context.uow_factory() as uow:
        for owner, employer in (
            ("own", DEMO_EMPLOYER_SIRET),
            ("other", DEMO_OTHER_COMPANY_SIRET),
            ("private", DEMO_EMPLOYER_SIRET),
        ):
            drafted = ContractDrafted(
                contract_id=uuid.UUID(contracts_of[owner]),
                contract_type="apprentissage",
                parties=ContractParties(
                    employer_siret=employer,
                    training_uai=DEMO_CFA_UAI if owner != "other" else None,
                    training_siret=DEMO_CFA_SIRET if owner != "other" else None,
                    opco_code="OPCOMMERCE",
                    private_to=PENDING_SUBJECT if owner == "private" else None,
                ),
                version=1,
            )
            envelope = Envelope(
                type=drafted.topic,
                schema_version=drafted.schema_version,
                producer="contracts",
                subject=drafted.subject(),
            )
            await apply_contract_event(uow, envelope, drafted)
        await uow.commit()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://documents", timeout=60) as client:
        document_of = {}
        for owner, uploader in (
            ("own", "employer_admin_A"),
            ("other", "other_company_C"),
            ("private", "unverified_member_naming_A"),
        ):
            r = await client.post(
                f"/contracts/{contracts_of[owner]}/documents",
                headers=callers[uploader],
                data={"document_type": "convention_formation"},
                files={"file": ("convention.pdf", sample_pdf(), "application/pdf")},
            )
            assert r.status_code == 201, r.text
            document_of[owner] = r.json()["id"]
        spec = app.openapi()
        attempts, leaks, allowed_through = 0, [], 0
        for method, path in operations(spec):
            for owner, contract_id in contracts_of.items():
                names_object = bool(OBJECT_PARAM.search(path))
                url = concrete(path, contract_id, document_of[owner])
                for role, headers in callers.items():
                    allowed = role in ALLOWED[owner]
                    if allowed and method != "GET":
                        continue
                    kwargs: dict[str, Any] = {"headers": headers}
                    if method in {"POST", "PUT"}:
                        kwargs["files" if "documents" in path and method == "POST" else "content"] = (
                            {"file": ("x.pdf", sample_pdf(), "application/pdf")} if method == "POST" else sample_pdf()
                        )
                        if method == "POST":
                            kwargs["data"] = {"document_type": "autre"}
                    response = await client.request(method, url, **kwargs)
                    attempts += 1
                    success = 200 <= response.status_code < 300
                    if allowed:
                        allowed_through += names_object and success
                        continue
                    if (names_object and success) or (success and (contract_id in response.text)):
                        leaks.append(f"{role} {method} {url} -> {response.status_code} ({owner} contract)")
                    assert response.status_code < 500, f"{role} {method} {url}: {response.status_code} {response.text}"
    print(
        f"access matrix (documents): {len(operations(spec))} operations x {len(callers)} roles x 2 tenants and a "
        "private draft: "
        f"{attempts} attempts, {len(leaks)} leaks, {allowed_through} allowed reads that went through"
    )
    assert not leaks, "\n".join(leaks)
    assert allowed_through > 0


@pytest.fixture(scope="module")
async def opco_processing(stack) -> AsyncIterator[tuple[Any, Any, TokenFactory]]:
    from passerelle.opco_processing.bootstrap import bootstrap as opco_bootstrap
    from passerelle.opco_processing.config import Settings as OpcoSettings

    class AcceptingValidation:  # the contracts engine's port: the matrix is about access, not checks
        async def validate(self, form: dict[str, Any], documents: list[str]) -> list[dict[str, Any]]:
            return []

    signer = TokenFactory()
    url = fresh_service_database(REPO / "services" / "opco-processing", "e2e_access_matrix_opco")
    settings = OpcoSettings(**quiet_settings(database_url=url, background_enabled=False))
    service = opco_bootstrap(settings, validation=AcceptingValidation())
    async with in_process(service, signer, revoked_sessions=REVOKED) as app:
        yield service, app, signer


def opco_roles(signer: TokenFactory) -> dict[str, dict[str, str]]:
    def user(*orgs: dict[str, Any], **extra: Any) -> dict[str, str]:
        return signer.headers(uuid.uuid4(), orgs=list(orgs), **extra)

    return {
        "reviewer_of_case_opco": user(opco_claim("OPCOEP", role="reviewer")),
        "supervisor_of_case_opco": user(opco_claim("OPCOEP", role="supervisor")),
        "admin_of_case_opco": user(opco_claim("OPCOEP", role="admin")),
        "reviewer_of_other_opco": user(opco_claim("AKTO", role="reviewer")),
        "supervisor_of_other_opco": user(opco_claim("AKTO", role="supervisor")),
        "third_opco_admin": user(opco_claim("OPCOMMERCE", role="admin")),
        "machine_client_of_third_opco": signer.headers(uuid.uuid4(), kind="client", orgs=[opco_claim("OPCOMMERCE")]),
        "employer_admin_of_contract": user(employer_claim(DEMO_EMPLOYER_SIRET, role="admin")),
        "cfa_admin_of_contract": user(training_claim(DEMO_CFA_UAI, siret=DEMO_CFA_SIRET, role="admin")),
        "unverified_member": user(**pending(UNVERIFIED_SIRET)),
        "unverified_member_naming_the_employer": user(**pending(DEMO_EMPLOYER_SIRET)),
        "no_token": {},
        "revoked_session_of_case_opco": user(opco_claim("OPCOEP", role="supervisor"), sid=REVOKED_SESSION),
    }


OPCO_ALLOWED = {
    "own": {"reviewer_of_case_opco", "supervisor_of_case_opco", "admin_of_case_opco"},
    "other": {"reviewer_of_other_opco", "supervisor_of_other_opco"},
}
CASE_PARAM = re.compile(r"\{(case_id|contract_id|letter_id|check_id|kind)\}")


async def test_no_role_reaches_review_cases_it_may_not_see(opco_processing):
    """opco-processing: a case of OPCO EP (routed by the bakery's IDCC) and one of AKTO (no IDCC, the
    contract's OPCO); only the staff of the case's OPCO may read or act on it, nobody else learns it exists."""
    from passerelle.contracts.testing.samples import complete_apprenticeship_form
    from passerelle.libs.testing.events import contract_transmitted, envelope_for, parties
    from passerelle.opco_processing.service_layer import intake

    service, app, signer = opco_processing
    ctx = service.context
    callers = opco_roles(signer)
    form = complete_apprenticeship_form().model_dump(mode="json", exclude_none=True)
    other_form = {**form, "employer": {**form["employer"], "idcc": None}}
    cases: dict[str, tuple[str, str]] = {}
    for owner, body, opco in (("own", form, "OPCOEP"), ("other", other_form, "AKTO")):
        event = contract_transmitted(form=body, parties=parties(opco_code=opco), transmitted_at=ctx.clock())
        async with ctx.uow() as uow:
            case = await intake.receive_transmission(ctx, uow, envelope_for(event), event)
            await uow.commit()
        assert case.opco_code == opco, case.opco_code
        cases[owner] = (str(case.id), str(event.contract_id))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://opco", timeout=60) as client:
        spec = app.openapi()
        attempts, leaks, allowed_through = 0, [], 0
        for method, path in operations(spec):
            for owner, (case_id, contract_id) in cases.items():
                names_object = bool(CASE_PARAM.search(path))
                url = path.replace("{case_id}", case_id).replace("{contract_id}", contract_id)
                url = url.replace("{check_id}", "FUNDING").replace("{kind}", "anomalie")
                url = re.sub(r"\{(\w+)\}", lambda _: str(uuid.uuid4()), url)
                for role, headers in callers.items():
                    allowed = role in OPCO_ALLOWED[owner]
                    if allowed and method != "GET":
                        continue
                    kwargs: dict[str, Any] = {"headers": headers}
                    if method in {"POST", "PUT", "PATCH"}:
                        kwargs["json"] = {}
                    response = await client.request(method, url, **kwargs)
                    attempts += 1
                    success = 200 <= response.status_code < 300
                    if allowed:
                        allowed_through += names_object and success
                        continue
                    if (names_object and success) or (
                        success and (case_id in response.text or contract_id in response.text)
                    ):
                        leaks.append(f"{role} {method} {url} -> {response.status_code} ({owner} case)")
                    assert response.status_code < 500, f"{role} {method} {url}: {response.status_code} {response.text}"
    print(
        f"access matrix (opco-processing): {len(operations(spec))} operations x {len(callers)} roles x 2 OPCOs: "
        f"{attempts} attempts, {len(leaks)} leaks, {allowed_through} allowed reads that went through"
    )
    assert not leaks, "\n".join(leaks)
    assert allowed_through > 0


@pytest.fixture(scope="module")
async def notifier(stack) -> AsyncIterator[tuple[Any, Any, TokenFactory]]:
    from passerelle.libs.consumer import DeadLetters
    from passerelle.libs.relay import make_producer
    from passerelle.notifier.bootstrap import bootstrap as notifier_bootstrap
    from passerelle.notifier.config import Settings as NotifierSettings

    signer = TokenFactory()
    url = fresh_service_database(REPO / "services" / "notifier", "e2e_access_matrix_notifier")
    service = notifier_bootstrap(NotifierSettings(**quiet_settings(database_url=url, background_enabled=False)))
    producer = make_producer(stack["PASSERELLE_KAFKA_BOOTSTRAP"])
    await producer.start()
    try:
        async with in_process(service, signer, revoked_sessions=REVOKED) as app:
            service.consumer_group.dead_letters = DeadLetters(producer)
            yield service, app, signer
    finally:
        await producer.stop()


async def test_no_role_reaches_another_persons_notifications(notifier):
    """The notifier: a document on a contract tells the employer's members; no one but the person told reaches that person's
    notification (by its id, or in any listing, the contract's included), colleagues and the CFA included."""
    from passerelle.libs.testing.events import record_of, sample_event
    from passerelle.schemas import Envelope
    from passerelle.schemas.events.common import ContractParties
    from passerelle.schemas.events.contracts import ContractDrafted
    from passerelle.schemas.events.documents import DocumentUploaded
    from passerelle.schemas.events.identity import AccountRegistered, MembershipGranted, OrganisationRegistered

    service, app, signer = notifier
    employer_org, other_org = uuid.uuid4(), uuid.uuid4()
    people = {name: uuid.uuid4() for name in ("victim", "colleague", "other_company")}
    events: list[Any] = [
        OrganisationRegistered(organisation_id=employer_org, kind="employer", name="Dupain", siret=DEMO_EMPLOYER_SIRET),
        OrganisationRegistered(
            organisation_id=other_org, kind="employer", name="Martin", siret=DEMO_OTHER_COMPANY_SIRET
        ),
    ]
    for name, account in people.items():
        org, siret = (
            (other_org, DEMO_OTHER_COMPANY_SIRET) if name == "other_company" else (employer_org, DEMO_EMPLOYER_SIRET)
        )
        email = f"{name}-{account.hex[:8]}@example.test"
        events += [
            AccountRegistered(account_id=account, email=email, full_name=name.title(), registered_at=datetime.now(UTC)),
            MembershipGranted(
                membership_id=uuid.uuid4(),
                account_id=account,
                email=email,
                full_name=name.title(),
                organisation_id=org,
                organisation_kind="employer",
                siret=siret,
                role="admin" if name != "colleague" else "contributor",
            ),
        ]
    contract_id = uuid.uuid4()
    parties = ContractParties(
        employer_siret=DEMO_EMPLOYER_SIRET, training_uai=DEMO_CFA_UAI, training_siret=DEMO_CFA_SIRET
    )
    # The contract becomes known (drafted), then a document on it tells both sides' members.
    events.append(ContractDrafted(contract_id=contract_id, contract_type="apprentissage", parties=parties))
    events.append(sample_event(DocumentUploaded, contract_id=contract_id))
    for offset, event in enumerate(events):
        envelope = Envelope(
            type=event.topic, schema_version=event.schema_version, producer=OWNERS[event.topic], subject=event.subject()
        )
        await service.consumer_group.process([record_of(envelope, event, offset=offset)])

    def person(name: str, *orgs: dict[str, Any], **extra: Any) -> dict[str, str]:
        return signer.headers(people.get(name, uuid.uuid4()), orgs=list(orgs), **extra)

    victim_claim = employer_claim(DEMO_EMPLOYER_SIRET, role="admin", organisation_id=employer_org)
    callers = {
        "victim": person("victim", victim_claim),
        "colleague_same_siret": person("colleague", employer_claim(DEMO_EMPLOYER_SIRET, organisation_id=employer_org)),
        "other_company_C": person("other_company", employer_claim(DEMO_OTHER_COMPANY_SIRET, role="admin")),
        "cfa_admin_X": person("cfa", training_claim(DEMO_CFA_UAI, siret=DEMO_CFA_SIRET, role="admin")),
        "opco_staff": person("opco", opco_claim("OPCOMMERCE", role="supervisor")),
        "unverified_member": person("unverified", **pending(UNVERIFIED_SIRET)),
        "unverified_member_naming_A": person("unverified_a", **pending(DEMO_EMPLOYER_SIRET)),
        "api_client_of_A": signer.headers(uuid.uuid4(), kind="client", orgs=[employer_claim(DEMO_EMPLOYER_SIRET)]),
        "no_token": {},
        "revoked_session_of_victim": person("victim", victim_claim, sid=REVOKED_SESSION),
    }
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://notifier", timeout=60) as client:
        mine = await client.get("/notifications", headers=callers["victim"])
        assert mine.status_code == 200, mine.text
        told = [n["id"] for n in mine.json()["items"] if n.get("contract_id") == str(contract_id)]
        assert told, f"the document told the victim nothing: {mine.text}"
        victims_notification = told[0]
        spec = app.openapi()
        attempts, leaks = 0, []
        for method, path in operations(spec):
            if path.endswith("/stream"):
                continue  # an endless response; the stream carries the same notifications as the feed
            url = path.replace("{notification_id}", victims_notification).replace("{contract_id}", str(contract_id))
            url = url.replace("{identifier}", DEMO_EMPLOYER_SIRET).replace("{kind}", "contract_proposed")
            url = re.sub(r"\{(\w+)\}", lambda _: str(uuid.uuid4()), url)
            for role, headers in callers.items():
                if role == "victim":
                    continue
                kwargs: dict[str, Any] = {"headers": headers}
                if method in {"POST", "PUT", "PATCH"}:
                    kwargs["json"] = {}
                response = await client.request(method, url, **kwargs)
                attempts += 1
                success = 200 <= response.status_code < 300
                if success and ("{notification_id}" in path or victims_notification in response.text):
                    leaks.append(f"{role} {method} {url} -> {response.status_code}")
                assert response.status_code < 500, f"{role} {method} {url}: {response.status_code} {response.text}"
        still = await client.get(f"/notifications/{victims_notification}", headers=callers["victim"])
        assert still.status_code == 200, still.text
    print(
        f"access matrix (notifier): {len(operations(spec))} operations x {len(callers) - 1} roles: "
        f"{attempts} attempts, {len(leaks)} leaks; the victim still reaches its notification"
    )
    assert not leaks, "\n".join(leaks)


@pytest.fixture(scope="module")
async def identity(stack) -> AsyncIterator[tuple[Any, Any]]:
    from passerelle.identity.bootstrap import bootstrap as identity_bootstrap
    from passerelle.identity.config import Settings as IdentitySettings

    url = fresh_service_database(REPO / "services" / "identity", "e2e_access_matrix_identity")
    # A light Argon2 cost: the matrix logs a dozen people in, on a shared machine.
    settings = IdentitySettings(
        **quiet_settings(
            database_url=url,
            mail_worker_enabled=False,
            argon2_time_cost=1,
            argon2_memory_kib=8192,
            argon2_parallelism=1,
        )
    )
    service = identity_bootstrap(settings)
    async with in_process(service) as app:
        yield service, app


IDENTITY_OBJECT_PARAM = re.compile(r"\{(organisation_id|membership_id|invitation_id|api_client_id|request_id)\}")
# Routes that act on the caller's own account only, and would end it or its sessions for the rest of the matrix.
SELF_ENDING = {("POST", "/auth/logout-all"), ("POST", "/me/close")}
# By design, any signed-in person may ask to join an organisation they know the id of (its administrators decide).
OPEN_BY_DESIGN = {("POST", "/organisations/{organisation_id}/join-requests")}


async def test_no_role_reaches_another_tenants_organisation_people_or_clients(identity):
    """Identity's own routes: two verified employer establishments A and B (their organisation, members, an
    invitation, an API client, a join request); roles: A's administrator and contributor, B's administrator, the
    member of an organisation not verified yet, OPCO staff, a person of no organisation, A's API client, no token,
    a revoked session of A's administrator. Nobody but A's (B's) members learns anything of A (B)."""
    from passerelle.identity.service_layer import commands as identity_commands
    from passerelle.identity.service_layer import provisioning
    from passerelle.libs.revocation import RevocationList
    from tests.e2e.test_identity_access import new_siren, new_siret

    service, app = identity
    ctx = service.context
    password = "matrice-des-acces-2026"
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://identity", timeout=60) as client:

        async def person(label: str) -> Any:
            account, _ = await provisioning.provision_account(
                identity_commands.ProvisionAccount(f"{label}@matrice.example.fr", password, label.title()),
                ctx.uow(),
                ctx.ports,
            )
            return account

        async def member(account: Any, org: Any, role: str) -> None:
            await provisioning.grant_membership(
                identity_commands.GrantMembership(account.id, org.id, role), ctx.uow(), ctx.ports
            )

        async def login(account: Any) -> dict[str, Any]:
            r = await client.post("/auth/login", json={"email": account.email, "password": password})
            assert r.status_code == 200, r.text
            return dict(r.json())

        def bearer(token: str) -> dict[str, str]:
            return {"Authorization": f"Bearer {token}"}

        async def call(method: str, path: str, headers: dict[str, str], **kw: Any) -> Any:
            r = await client.request(method, path, headers=headers, **kw)
            assert r.status_code in (200, 201), f"{method} {path}: {r.status_code} {r.text}"
            return r.json()

        tenants: dict[str, dict[str, str]] = {}
        people: dict[str, Any] = {}
        tokens: dict[str, dict[str, str]] = {}
        for tenant in ("own", "other"):
            org, _ = await provisioning.provision_organisation(
                identity_commands.ProvisionOrganisation("employer", f"Boulangerie {tenant}", new_siret(new_siren())),
                ctx.uow(),
                ctx.ports,
            )
            admin, contributor = await person(f"admin-{tenant}"), await person(f"contributeur-{tenant}")
            await member(admin, org, "admin")
            await member(contributor, org, "contributor")
            people[f"admin_{tenant}"], people[f"contributor_{tenant}"] = admin, contributor
            admin_headers = bearer((await login(admin))["access_token"])
            tokens[f"admin_{tenant}"] = admin_headers
            path = f"/organisations/{org.id}"
            members = await call("GET", f"{path}/members", admin_headers)
            invitation = await call(
                "POST",
                f"{path}/invitations",
                admin_headers,
                json={"email": f"invite-{tenant}@matrice.example.fr", "role": "contributor"},
            )
            api_client = await call("POST", f"{path}/api-clients", admin_headers, json={"name": f"Paie {tenant}"})
            applicant = bearer((await login(await person(f"candidat-{tenant}")))["access_token"])
            request = await call("POST", f"{path}/join-requests", applicant, json={})
            tenants[tenant] = {
                "organisation_id": str(org.id),
                "membership_id": next(m["membership_id"] for m in members if m["role"] == "contributor"),
                "invitation_id": invitation["id"],
                "api_client_id": api_client["id"],
                "request_id": request["id"],
            }
            if tenant == "own":
                form = {
                    "grant_type": "client_credentials",
                    "client_id": api_client["client_id"],
                    "client_secret": api_client["client_secret"],
                }
                r = await client.post("/oauth/token", data=form)
                assert r.status_code == 200, r.text
                tokens["api_client_of_A"] = bearer(r.json()["access_token"])
        tokens["contributor_A"] = bearer((await login(people["contributor_own"]))["access_token"])
        tokens["admin_A"] = tokens.pop("admin_own")
        tokens["admin_B"] = tokens.pop("admin_other")
        # The first account of an establishment not verified yet: its token carries it as pending only.
        newcomer = await person("nouveau")
        newcomer_headers = bearer((await login(newcomer))["access_token"])
        body = {"kind": "employer", "name": "Boulangerie nouvelle", "siret": new_siret(new_siren())}
        assert not (await call("POST", "/organisations", newcomer_headers, json=body))["verified"]
        tokens["unverified_member"] = bearer((await login(newcomer))["access_token"])
        opco, _ = await provisioning.provision_organisation(
            identity_commands.ProvisionOrganisation("opco", "OPCO de la matrice", opco_code="OPCOMMERCE"),
            ctx.uow(),
            ctx.ports,
        )
        staff = await person("superviseur")
        await member(staff, opco, "supervisor")
        tokens["opco_supervisor"] = bearer((await login(staff))["access_token"])
        tokens["no_organisation"] = bearer((await login(await person("seul")))["access_token"])
        tokens["no_token"] = {}
        # A's administrator's other session, ended: identity's revocation list says so (as its feed would).
        ended = await login(people["admin_own"])
        claims = jwt.decode(ended["access_token"], options={"verify_signature": False})
        r = await client.post("/auth/logout", json={"refresh_token": ended["refresh_token"]})
        assert r.status_code in (200, 204), r.text
        ctx.verifier.revocations = RevocationList()
        ctx.verifier.revocations.end_session(claims["sid"], time.time())
        tokens["revoked_session_of_admin_A"] = bearer(ended["access_token"])

        allowed = {"own": {"admin_A", "contributor_A"}, "other": {"admin_B"}}
        spec = app.openapi()
        attempts, leaks, allowed_through = 0, [], 0
        for method, path in operations(spec):
            if (method, path) in SELF_ENDING or path == "/.well-known/jwks.json":
                continue
            names_object = bool(IDENTITY_OBJECT_PARAM.search(path))
            for owner, ids in tenants.items():
                url = re.sub(r"\{(\w+)\}", lambda m, ids=ids: ids.get(m.group(1), str(uuid.uuid4())), path)
                for role, headers in tokens.items():
                    is_allowed = role in allowed[owner]
                    if is_allowed and method != "GET":
                        continue  # the members' own writes are identity's API tests' business
                    kwargs: dict[str, Any] = {"headers": headers}
                    if method in {"POST", "PUT", "PATCH"}:
                        kwargs["json"] = {}
                    response = await client.request(method, url, **kwargs)
                    attempts += 1
                    success = 200 <= response.status_code < 300
                    assert response.status_code < 500, f"{role} {method} {url}: {response.status_code} {response.text}"
                    if is_allowed:
                        allowed_through += names_object and success
                        continue
                    if (method, path) in OPEN_BY_DESIGN:
                        continue
                    named = [name for name, value in ids.items() if value in response.text]
                    if (names_object and success) or (success and named):
                        leaks.append(f"{role} {method} {url} -> {response.status_code} ({owner}: {named})")
        # The matrix cannot pass by refusing everyone: A's administrator still reads A.
        still = await client.get(f"/organisations/{tenants['own']['organisation_id']}", headers=tokens["admin_A"])
        assert still.status_code == 200, still.text
    print(
        f"access matrix (identity): {len(operations(spec))} operations x {len(tokens)} roles x 2 tenants: "
        f"{attempts} attempts, {len(leaks)} leaks, {allowed_through} allowed reads that went through"
    )
    assert not leaks, "\n".join(leaks)
    assert allowed_through > 0
