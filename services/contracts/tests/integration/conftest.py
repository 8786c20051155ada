"""The contracts service on real PostgreSQL (and Kafka when a test needs it), in process, with signed tokens.

Tokens come from the shared TokenFactory (Ed25519, the claims of `passerelle.libs.auth`), so these tests do
not depend on the identity service.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from passerelle.contracts.bootstrap import bootstrap
from passerelle.contracts.config import Settings
from passerelle.libs.testing.database import fresh_service_database
from passerelle.libs.testing.services import UNUSED_JWKS_URL, in_process, quiet_settings
from passerelle.libs.testing.stack import REPO, ensure_stack
from passerelle.libs.testing.tokens import TokenFactory

SERVICE_DIR = REPO / Path("services/contracts")


def employer(siret: str) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "kind": "employer", "role": "admin", "siret": siret, "siren": siret[:9]}


def training(uai: str, siret: str | None = None) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "kind": "training", "role": "admin", "uai": uai, "siret": siret}


def _luhn_complete(digits: str) -> str:
    for last in "0123456789":
        total = 0
        for index, char in enumerate(reversed(digits + last)):
            value = int(char) * (2 if index % 2 else 1)
            total += value - 9 if value > 9 else value
        if total % 10 == 0:
            return digits + last
    raise AssertionError("unreachable")


def luhn_siret() -> str:
    """A random valid SIRET (its SIREN and itself pass Luhn), for tests that need organisations of their own."""
    number = str(uuid.uuid4().int)
    siren = _luhn_complete("7" + number[:7])
    return _luhn_complete(siren + number[7:11])


@pytest.fixture(scope="session")
def orgs() -> Any:
    """Claim builders: `orgs.employer(siret)`, `orgs.training(uai, siret)`, `orgs.new_siret()`."""

    class Orgs:
        pass

    o = Orgs()
    o.employer = employer  # type: ignore[attr-defined]
    o.training = training  # type: ignore[attr-defined]
    o.new_siret = luhn_siret  # type: ignore[attr-defined]
    return o


@pytest.fixture(scope="session")
def stack() -> dict[str, str]:
    return ensure_stack()


@pytest.fixture(scope="session")
def database_url(stack: dict[str, str]) -> str:
    return fresh_service_database(SERVICE_DIR, "contracts_test")


@pytest.fixture(scope="session")
def signer() -> TokenFactory:
    return TokenFactory()


@pytest.fixture(scope="session")
def auth(signer: TokenFactory) -> Callable[..., dict[str, str]]:
    def headers(orgs: list[dict[str, Any]], sub: uuid.UUID | None = None) -> dict[str, str]:
        return signer.headers(sub, orgs=orgs)

    return headers


@pytest.fixture(scope="session")
async def service(database_url: str, signer: TokenFactory, stack: dict[str, str]) -> AsyncIterator:
    """The app with its consumers and relay off: the API tests read the outbox table themselves."""
    service = bootstrap(Settings(**quiet_settings(database_url=database_url, revocation_feed_enabled=True)))
    async with in_process(service, signer) as app:
        yield service, app


_CONTRACT_WRITE = re.compile(r"^/contracts/([0-9a-f-]{36})(/|$)")


class VersionedClient(httpx.AsyncClient):
    """Writes on a contract require If-Match: when a test does not give it, the current ETag is sent (as a
    client that has just read the contract would). Tests of the requirement itself pass their own `If-Match`
    (an empty one to send none)."""

    async def request(self, method: str, url: Any, *args: Any, **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", None) or {})
        match = _CONTRACT_WRITE.match(str(url))
        if headers.get("If-Match") == "":
            del headers["If-Match"]
        elif method in ("PUT", "POST", "DELETE") and match and "If-Match" not in headers:
            current = await super().request("GET", f"/contracts/{match.group(1)}", headers=headers)
            if "etag" in current.headers:
                headers["If-Match"] = current.headers["etag"]
        return await super().request(method, url, *args, headers=headers, **kwargs)


@pytest.fixture
async def client(service) -> AsyncIterator[httpx.AsyncClient]:
    _, app = service
    async with VersionedClient(transport=httpx.ASGITransport(app=app), base_url="http://contracts") as client:
        yield client


@pytest.fixture(scope="module")
async def kafka_client(stack, signer) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its consumers, relay and revocation feed on real Kafka (a database and a group of its own per
    test module)."""
    url = fresh_service_database(SERVICE_DIR, f"contracts_test_kafka_{uuid.uuid4().hex[:6]}")
    settings = Settings(
        database_url=url,
        consumer_group=f"contracts-test-{uuid.uuid4().hex[:8]}",
        consumer_backoff_seconds=0.05,
        # The stale decision below is parked at once instead of holding its contract's partition for ten minutes.
        consumer_not_yet_patience_seconds=0,
        jwks_url=UNUSED_JWKS_URL,
        log_json=False,
    )
    async with in_process(bootstrap(settings), signer) as app:
        transport = httpx.ASGITransport(app=app)
        async with VersionedClient(transport=transport, base_url="http://contracts") as client:
            client.consumer_group = settings.consumer_group  # type: ignore[attr-defined]
            yield client
