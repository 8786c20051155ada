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
from pathlib import Path
from typing import Any

import httpx
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
from passerelle.libs.testing.tokens import TokenFactory, employer_claim, opco_claim, training_claim

REPO = Path(__file__).resolve().parents[2]
OBJECT_PARAM = re.compile(r"\{(contract_id|document_id)\}")
REVOKED_SESSION = str(uuid.uuid4())


@pytest.fixture(scope="module")
async def contracts(stack) -> AsyncIterator[tuple[Any, TokenFactory]]:
    signer = TokenFactory()
    settings = Settings(
        database_url=fresh_service_database(REPO / "services" / "contracts", "e2e_access_matrix"),
        consumers_enabled=False,
        relay_in_process=False,
        revocation_feed_enabled=False,
        jwks_url="http://127.0.0.1:9/unused",
        log_json=False,
    )
    service = bootstrap(settings)
    app = service.app()
    async with app.router.lifespan_context(app):
        verifier = app.state.token_verifier
        verifier.set_jwks(signer.jwks())
        from passerelle.libs.revocation import RevocationList

        verifier.revocations = RevocationList()
        verifier.revocations.end_session(REVOKED_SESSION, time.time())
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
        "unverified_organisation": user(),  # identity leaves unverified organisations out of the token
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
        f"access matrix (contracts): {len(operations(spec))} operations x {len(callers)} roles x 2 tenants: "
        f"{attempts} attempts, {len(leaks)} leaks, {allowed_through} allowed reads that went through"
    )
    assert not leaks, "\n".join(leaks)
    assert allowed_through > 0


@pytest.fixture(scope="module")
async def documents(stack) -> AsyncIterator[tuple[Any, TokenFactory]]:
    from passerelle.documents.bootstrap import bootstrap as documents_bootstrap
    from passerelle.documents.config import Settings as DocumentsSettings
    from passerelle.libs.revocation import RevocationList
    from passerelle.libs.testing.stack import scratch_bucket

    signer = TokenFactory()
    with scratch_bucket("passerelle-access-matrix") as bucket:
        settings = DocumentsSettings(
            database_url=fresh_service_database(REPO / "services" / "documents", "e2e_access_matrix_docs"),
            s3_bucket=bucket,
            consumers_enabled=False,
            relay_in_process=False,
            reconcile_in_process=False,
            revocation_feed_enabled=False,
            jwks_url="http://127.0.0.1:9/unused",
            log_json=False,
        )
        service = documents_bootstrap(settings)
        app = service.app()
        async with app.router.lifespan_context(app):
            verifier = app.state.token_verifier
            verifier.set_jwks(signer.jwks())
            verifier.revocations = RevocationList()
            verifier.revocations.end_session(REVOKED_SESSION, time.time())
            yield service, app, signer


async def test_no_role_reaches_documents_it_may_not_see(documents):
    from passerelle.documents.service_layer.projection import apply_contract_event
    from passerelle.libs.testing.samples import sample_pdf
    from passerelle.schemas import Envelope
    from passerelle.schemas.events.common import ContractParties
    from passerelle.schemas.events.contracts import ContractDrafted

    service, app, signer = documents
    callers = roles(signer)
    contracts_of = {"own": str(uuid.uuid4()), "other": str(uuid.uuid4())}
    # The projection is fed as the consumer feeds it: the contracts service's `contract.drafted`, with its envelope.
    async with service.context.uow_factory() as uow:
        for owner, employer in (("own", DEMO_EMPLOYER_SIRET), ("other", DEMO_OTHER_COMPANY_SIRET)):
            drafted = ContractDrafted(
                contract_id=uuid.UUID(contracts_of[owner]),
                contract_type="apprentissage",
                parties=ContractParties(
                    employer_siret=employer,
                    training_uai=DEMO_CFA_UAI if owner == "own" else None,
                    training_siret=DEMO_CFA_SIRET if owner == "own" else None,
                    opco_code="OPCOMMERCE",
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
        for owner, uploader in (("own", "employer_admin_A"), ("other", "other_company_C")):
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
        f"access matrix (documents): {len(operations(spec))} operations x {len(callers)} roles x 2 tenants: "
        f"{attempts} attempts, {len(leaks)} leaks, {allowed_through} allowed reads that went through"
    )
    assert not leaks, "\n".join(leaks)
    assert allowed_through > 0
