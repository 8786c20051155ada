"""Property-based fuzzing of the APIs with schemathesis (issue #10, the second suite).

The contracts service runs as a real uvicorn process on the test stack's PostgreSQL; its keys are served by a
static JWKS. Schemathesis generates requests from its OpenAPI document, for every operation, with a valid
token of an employer and a training organisation, and checks two things: no server error, and every answer
matches the documented schema (the error shape included). Bounded in examples (FUZZ_EXAMPLES per operation,
8 by default) and without deadlines. It prints examples and server errors.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from passerelle.contracts.testing.samples import DEMO_CFA_UAI, DEMO_EMPLOYER_SIRET
from passerelle.libs.testing.database import fresh_service_database
from passerelle.libs.testing.processes import ServiceProcess, free_port
from passerelle.libs.testing.tokens import TokenFactory, employer_claim, training_claim

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
SIGNER = TokenFactory()
FIGURES = {"examples": 0, "server_errors": 0}


@pytest.fixture(scope="module")
def contracts_url(stack, log_dir, tmp_path_factory):
    keys = tmp_path_factory.mktemp("jwks")
    (keys / "jwks.json").write_text(json.dumps(SIGNER.jwks()))
    port = free_port()
    command = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(keys)]
    server = ServiceProcess("jwks", command, {}, log_dir).start()
    jwks_url = f"http://127.0.0.1:{port}/jwks.json"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(jwks_url, timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    env = {
        "CONTRACTS_DATABASE_URL": fresh_service_database(REPO / "services" / "contracts", "e2e_fuzz_contracts"),
        "CONTRACTS_JWKS_URL": jwks_url,
        "CONTRACTS_CONSUMERS_ENABLED": "false",
        "CONTRACTS_RELAY_IN_PROCESS": "false",
        "CONTRACTS_REVOCATION_FEED_ENABLED": "false",
        "CONTRACTS_LOG_LEVEL": "WARNING",
    }
    contracts = ServiceProcess.uvicorn("contracts-fuzz", "passerelle.contracts.main:app", env, log_dir).start()
    try:
        yield contracts.url
    finally:
        contracts.stop()
        server.stop()


HEADERS = SIGNER.headers(
    orgs=[employer_claim(DEMO_EMPLOYER_SIRET, role="admin"), training_claim(DEMO_CFA_UAI, role="admin")],
    lifetime=3600,
)


def test_contracts_api_answers_every_generated_request_as_documented(contracts_url):
    api = schemathesis.openapi.from_url(f"{contracts_url}/openapi.json")
    failures: list[str] = []
    operations = 0
    for result in api.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        def run(case: Any) -> None:
            FIGURES["examples"] += 1
            response = case.call(base_url=contracts_url, headers=HEADERS, timeout=30)
            if response.status_code >= 500:
                FIGURES["server_errors"] += 1
            case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])

        try:
            run()
        except Exception as exc:  # noqa: BLE001 - every operation is tried; the failures are listed together
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc).splitlines()[0][:300]}")
    print(
        f"\nfuzzing (contracts): {operations} operations, {FIGURES['examples']} examples, "
        f"{FIGURES['server_errors']} server errors, {len(failures)} operations failing"
    )
    assert not failures, "\n".join(failures)
