"""The documents service in-process on the real stack: PostgreSQL, Kafka, S3 (versitygw) and clamd.

Each run gets a fresh database, its own bucket (the reconciliation owns its bucket) and its own
consumer group; tokens are signed by a test key whose JWKS the service's verifier is given.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from minio import Minio

from passerelle.documents.bootstrap import bootstrap
from passerelle.documents.config import Settings
from passerelle.documents.domain.access import ContractAccess
from passerelle.libs.testing.database import fresh_service_database
from passerelle.libs.testing.stack import ensure_stack, s3_client, scratch_bucket
from passerelle.libs.testing.tokens import TokenFactory, employer_claim, opco_claim, training_claim

SERVICE_DIR = Path(__file__).resolve().parents[2]
EMPLOYER_SIRET = "73282932000074"
TRAINING_UAI = "0751234J"
OPCO = "OPCO-EP"


@pytest.fixture(scope="session")
def stack() -> dict[str, str]:
    return ensure_stack()


@pytest.fixture(scope="session")
def database_url(stack) -> str:
    return fresh_service_database(SERVICE_DIR, "documents_test")


@pytest.fixture(scope="session")
def bucket(stack):
    with scratch_bucket("passerelle-docs-it") as name:
        yield name


@pytest.fixture(scope="session")
def settings(database_url, bucket) -> Settings:
    return Settings(
        database_url=database_url,
        s3_bucket=bucket,
        consumer_group=f"documents-it-{uuid.uuid4().hex[:8]}",
        reconcile_in_process=False,
        log_json=False,
        log_level=os.environ.get("DOCUMENTS_LOG_LEVEL", "WARNING"),
    )


@pytest.fixture(scope="session")
def tokens() -> TokenFactory:
    return TokenFactory()


@pytest.fixture(scope="session")
async def service(settings, tokens):
    service = bootstrap(settings)
    app = service.app()
    async with app.router.lifespan_context(app):
        app.state.token_verifier.set_jwks(tokens.jwks())
        service.fastapi = app
        yield service


@pytest.fixture(scope="session")
async def client(service):
    transport = httpx.ASGITransport(app=service.fastapi)
    async with httpx.AsyncClient(transport=transport, base_url="http://documents", timeout=60) as client:
        yield client


@pytest.fixture
def docs(service):
    return service.context


async def project_contract(docs, *, transmitted: bool = False, opco: str | None = OPCO) -> uuid.UUID:
    """Feeds the access projection directly (the Kafka path is tested on its own)."""
    contract_id = uuid.uuid4()
    async with docs.uow_factory() as uow:
        await uow.contracts.apply(
            ContractAccess(
                contract_id=contract_id,
                employer_siret=EMPLOYER_SIRET,
                training_uai=TRAINING_UAI,
                training_siret=None,
                opco_code=opco,
                transmitted=transmitted,
                updated_at=datetime.now(UTC),
            )
        )
        await uow.commit()
    return contract_id


@pytest.fixture
def new_contract(docs):
    async def make(**kwargs: Any) -> uuid.UUID:
        return await project_contract(docs, **kwargs)

    return make


@pytest.fixture
async def contract_id(docs) -> uuid.UUID:
    return await project_contract(docs)


@pytest.fixture(scope="session")
def s3(stack) -> Minio:
    return s3_client()


def bearer(tokens: TokenFactory, *orgs: dict[str, Any], kind: str = "user") -> dict[str, str]:
    return tokens.headers(uuid.uuid4(), orgs=list(orgs), kind=kind)


@pytest.fixture
def employer(tokens) -> dict[str, str]:
    return bearer(tokens, employer_claim(EMPLOYER_SIRET))


@pytest.fixture
def training(tokens) -> dict[str, str]:
    return bearer(tokens, training_claim(TRAINING_UAI))


@pytest.fixture
def opco_staff(tokens) -> dict[str, str]:
    return bearer(tokens, opco_claim(OPCO))


@pytest.fixture
def stranger(tokens) -> dict[str, str]:
    return bearer(tokens, employer_claim("55210055400013"))


async def eventually(check, timeout: float = 20.0, interval: float = 0.1):
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = await check()
        if result or asyncio.get_running_loop().time() > deadline:
            return result
        await asyncio.sleep(interval)


@pytest.fixture(scope="session")
def wait_until():
    return eventually


@pytest.fixture(scope="session")
def sign(tokens):
    def make(*orgs: dict[str, Any], kind: str = "user") -> dict[str, str]:
        return bearer(tokens, *orgs, kind=kind)

    return make
