"""Property-based fuzzing of the APIs with schemathesis (issue #10, the second suite).

The contracts, documents and identity services run as real uvicorn processes on the test stack (PostgreSQL,
S3, clamd); contracts and documents trust a static JWKS, identity signs the token of an account it registered.
Schemathesis generates requests from each OpenAPI document, for every operation, with a valid token of an
employer and a training organisation (identity: an administrator of a verified organisation), and checks two things: no server error, and every answer
matches the documented schema (the error shape included). Bounded in examples (FUZZ_EXAMPLES per operation,
8 by default) and without deadlines. It prints examples and server errors.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from passerelle.contracts.testing.samples import DEMO_CFA_UAI, DEMO_EMPLOYER_SIRET
from passerelle.libs.testing.processes import ServiceProcess, free_port
from passerelle.libs.testing.services import service_process
from passerelle.libs.testing.tokens import TokenFactory, employer_claim, training_claim
from tests.e2e.test_identity_access import Identity, Mailbox, new_email, new_siren, new_siret

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
SIGNER = TokenFactory()


@pytest.fixture(scope="module")
def jwks_url(stack, log_dir, tmp_path_factory):
    keys = tmp_path_factory.mktemp("jwks")
    (keys / "jwks.json").write_text(json.dumps(SIGNER.jwks()))
    port = free_port()
    command = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(keys)]
    server = ServiceProcess("jwks", command, {}, log_dir).start()
    url = f"http://127.0.0.1:{port}/jwks.json"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    try:
        yield url
    finally:
        server.stop()


@pytest.fixture(scope="module")
def contracts_url(jwks_url, log_dir):
    env = {"CONTRACTS_JWKS_URL": jwks_url}
    with service_process("contracts", "e2e_fuzz_contracts", log_dir, env, name="contracts-fuzz") as contracts:
        yield contracts.url


@pytest.fixture(scope="module")
def documents_url(jwks_url, log_dir):
    env = {"DOCUMENTS_JWKS_URL": jwks_url, "DOCUMENTS_RECONCILE_IN_PROCESS": "false"}
    with service_process("documents", "e2e_fuzz_documents", log_dir, env, name="documents-fuzz") as documents:
        yield documents.url


@pytest.fixture(scope="module")
def identity_url(stack, log_dir):
    env = {"IDENTITY_PORTAL_URL": "http://portail.e2e", "IDENTITY_MAIL_POLL_SECONDS": "0.2"}
    with service_process("identity", "e2e_fuzz_identity", log_dir, env, name="identity-fuzz") as identity:
        yield identity.url


HEADERS = SIGNER.headers(
    orgs=[employer_claim(DEMO_EMPLOYER_SIRET, role="admin"), training_claim(DEMO_CFA_UAI, role="admin")],
    lifetime=3600,
)


def fuzz(name: str, url: str, headers: dict[str, str]) -> None:
    """Every operation of the service's OpenAPI document, EXAMPLES generated requests each."""
    api = schemathesis.openapi.from_url(f"{url}/openapi.json")
    failures: list[str] = []
    operations = 0
    figures = {"examples": 0, "server_errors": 0}
    for result in api.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        def run(case: Any) -> None:
            figures["examples"] += 1
            response = case.call(base_url=url, headers=headers, timeout=30)
            if response.status_code >= 500:
                figures["server_errors"] += 1
            case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])

        try:
            run()
        except Exception as exc:  # noqa: BLE001 - every operation is tried; the failures are listed together
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc).splitlines()[0][:300]}")
    print(
        f"\nfuzzing ({name}): {operations} operations, {figures['examples']} examples, "
        f"{figures['server_errors']} server errors, {len(failures)} operations failing"
    )
    assert not failures, "\n".join(failures)


def test_contracts_api_answers_every_generated_request_as_documented(contracts_url):
    fuzz("contracts", contracts_url, HEADERS)


def test_documents_api_answers_every_generated_request_as_documented(documents_url):
    fuzz("documents", documents_url, HEADERS)


def test_identity_api_answers_every_generated_request_as_documented(identity_url, stack):
    """With the token of a real account of this identity (it signs its own): an administrator of a verified
    organisation, so the organisation routes are reached beyond 403."""
    mailbox = Mailbox(os.environ.get("PASSERELLE_MAIL_API") or stack["PASSERELLE_MAIL_API"])
    idp = Identity(identity_url, mailbox)
    email = new_email("fuzz")
    idp.sign_up(email, "Camille Fuzz")
    siret = new_siret(new_siren())
    org = idp.call(
        "POST",
        "/organisations",
        idp.token(email),
        json={"kind": "employer", "name": "Fuzz SARL", "siret": siret},
        expect=201,
    ).json()
    idp.verify_by_post(email, org)
    fuzz("identity", identity_url, {"Authorization": f"Bearer {idp.token(email)}"})
