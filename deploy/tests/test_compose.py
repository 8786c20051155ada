"""`docker compose up` brings the whole platform up (deploy/compose), and a contract goes through it: drafted,
its training agreement uploaded to documents, transmitted, and published on contract.transmitted.

Needs a Docker engine (DOCKER_HOST, or `deploy/images/engine.py start`) and the test ports free: scripts/test.sh
runs it after the native stack has stopped. Tokens come from a key this test publishes (as in tests/e2e)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer

from passerelle.contracts.testing.samples import DEMO_CFA_UAI, DEMO_EMPLOYER_SIRET, complete_apprenticeship_form
from passerelle.libs.kafka_auth import KafkaAuth
from passerelle.libs.testing.containers import busy_ports, ports_from_env
from passerelle.libs.testing.tokens import TokenFactory
from tests.e2e.test_contract_drafting import EMPLOYER, Api, poll, tab
from tests.e2e.test_documents_flow import training_agreement

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]
COMPOSE = REPO / "deploy" / "compose" / "compose.sh"
KAFKA_ENV = REPO / ".stack" / "compose" / "kafka.env"  # the SASL passwords compose.sh draws


def compose_admin() -> KafkaAuth:
    """The compose Kafka's admin (a super user), to read what the platform published."""
    values = dict(line.split("=", 1) for line in KAFKA_ENV.read_text().split())
    return KafkaAuth.build(username="stack-admin", password=values["KAFKA_ADMIN_PASSWORD"])


def compose(project: str, override: Path, *args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COMPOSE_FILES": f"-f {override}", "COMPOSE_PROJECT_NAME": project}
    return subprocess.run([str(COMPOSE), *args], env=env, capture_output=True, text=True, timeout=timeout, cwd=REPO)


async def transmitted(bootstrap: str, contract_id: str, timeout: float = 60) -> dict:
    consumer = AIOKafkaConsumer(
        "contract.transmitted",
        bootstrap_servers=bootstrap,
        **compose_admin().client_options(),
        group_id=None,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                for record in records:
                    if (record.key or b"").decode() == contract_id:
                        return json.loads(record.value)
    finally:
        await consumer.stop()
    raise AssertionError("contract.transmitted never published")


async def test_compose_brings_the_platform_up_and_a_contract_goes_through(tmp_path):
    ports = ports_from_env()
    busy = busy_ports(ports)
    assert not busy, f"ports taken, stop what uses them first: {busy}"
    project = f"passerelle-smoke-{uuid.uuid4().hex[:6]}"
    tokens = TokenFactory()
    with tokens.serve_jwks() as jwks_url:
        override = tmp_path / "compose.override.yaml"
        override.write_text(
            "services:\n"
            + "".join(
                f"  {s}:\n    environment:\n      {s.upper()}_JWKS_URL: {jwks_url}\n"
                for s in ("contracts", "documents")
            )
        )
        started = time.monotonic()
        up = compose(project, override, "up", "-d", "--wait", "--wait-timeout", "600")
        took = time.monotonic() - started
        try:
            assert up.returncode == 0, up.stdout[-3000:] + up.stderr[-3000:]
            print(f"\ndocker compose up --wait: {took:.1f}s")
            states = json.loads(
                "[" + ",".join(compose(project, override, "ps", "-a", "--format", "json").stdout.split()) + "]"
            )
            by_name = {s["Service"]: s for s in states}
            for service in ("identity", "contracts", "documents", "opco-processing", "notifier", "portal"):
                assert by_name[service]["Health"] == "healthy", by_name[service]
            for job in ("topics", "kafka-acls", "bucket", "migrate-contracts", "migrate-documents"):
                assert by_name[job]["ExitCode"] == 0, by_name[job]

            contracts_url = f"http://127.0.0.1:{ports['CONTRACTS_PORT']}"
            documents_url = f"http://127.0.0.1:{ports['DOCUMENTS_PORT']}"
            employer = Api(contracts_url, tokens, EMPLOYER)
            uploads = Api(documents_url, tokens, EMPLOYER)
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
                assert employer.put(f"/contracts/{contract_id}/tabs/{name}", json=tab(form, name)).status_code == 200
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
            await poll(employer, contract_id, lambda c: len(c["documents"]) == 1)
            sent = employer.post(f"/contracts/{contract_id}/transmit")
            assert sent.status_code == 200, sent.text
            assert sent.json()["contract"]["status"] == "transmitted"
            event = await transmitted(f"127.0.0.1:{ports['KAFKA_PORT']}", contract_id)
            assert [d["document_id"] for d in event["documents"]] == [stored.json()["id"]]
        except BaseException:
            logs = compose(project, override, "logs", "--tail", "40", "contracts", "documents", timeout=120)
            print(logs.stdout[-8000:])
            raise
        finally:
            down = compose(project, override, "down", "-v", "--remove-orphans", timeout=300)
            assert down.returncode == 0, down.stderr
