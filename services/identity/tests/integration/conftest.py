"""Integration fixtures: identity on a fresh, migrated database of the real stack, served in-process.

The app runs with its lifespan (outbox relay to the real Kafka, mail worker to the real SMTP catcher).
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
import sqlalchemy as sa
from stdnum import luhn

from passerelle.identity.bootstrap import bootstrap
from passerelle.identity.config import Settings
from passerelle.libs.identifiers import UAI_LETTERS
from passerelle.libs.testing.database import fresh_service_database
from passerelle.libs.testing.stack import ensure_stack

SERVICE_DIR = Path(__file__).resolve().parents[2]
PASSWORD = "cheval-agrafe-lune-42"


def new_siren() -> str:
    body = f"{random.randint(10_000_000, 99_999_999)}"
    return body + luhn.calc_check_digit(body)


def new_siret(siren: str | None = None) -> str:
    body = (siren or new_siren()) + f"{random.randint(0, 9999):04d}"
    return body + luhn.calc_check_digit(body)


def new_uai() -> str:
    digits = f"{random.randint(0, 9_999_999):07d}"
    return digits + UAI_LETTERS[int(digits) % 23]


def new_email(label: str = "personne") -> str:
    return f"{label}.{uuid.uuid4().hex[:10]}@integration.example.fr"


@pytest.fixture(scope="session")
def database_url() -> str:
    ensure_stack()
    return fresh_service_database(SERVICE_DIR, "identity_test")


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        # Cheap Argon2 parameters: the tests create many accounts; the algorithm is the same.
        argon2_time_cost=1,
        argon2_memory_kib=8192,
        argon2_parallelism=1,
        mail_poll_seconds=0.1,
        portal_url="http://portail.test",
        login_max_failures_per_ip=1000,
    )


@pytest.fixture(scope="session")
async def app(settings: Settings):
    service = bootstrap(settings)
    application = service.app()
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.10", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://identity.test") as c:
        yield c


class Database:
    def __init__(self, url: str) -> None:
        self.engine = sa.create_engine(url)

    def rows(self, sql: str, **params: Any) -> list[Any]:
        with self.engine.connect() as conn:
            return list(conn.execute(sa.text(sql), params))

    def scalar(self, sql: str, **params: Any) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(sa.text(sql), params).scalar()

    def topics(self, key: str) -> list[str]:
        """Topics of the events written to the outbox with this key (an organisation's or account's id)."""
        return [r[0] for r in self.rows("SELECT topic FROM outbox WHERE key = :k ORDER BY seq", k=key)]


@pytest.fixture(scope="session")
def db(database_url: str):
    database = Database(database_url)
    yield database
    database.engine.dispose()


class Mailbox:
    """The stack's mail catcher, read over its JSON API."""

    def __init__(self) -> None:
        self.api = os.environ["PASSERELLE_MAIL_API"].rstrip("/")

    async def messages(self, to: str, at_least: int = 1, timeout: float = 15.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        found: list[dict[str, Any]] = []
        async with httpx.AsyncClient(timeout=5) as http:
            while time.monotonic() < deadline:
                found = (await http.get(f"{self.api}/api/messages", params={"to": to})).json()
                if len(found) >= at_least:
                    return found
                await asyncio.sleep(0.1)
        raise AssertionError(f"expected {at_least} mail(s) to {to}, got {len(found)}")

    async def link_secret(self, to: str, path: str, timeout: float = 15.0) -> str:
        """The secret of the newest `path` link mailed to `to` (waits for it)."""
        pattern = re.compile(re.escape(path) + r"\?jeton=([^\s]+)")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in await self.messages(to, 0):  # newest first
                match = pattern.search(message["text"])
                if match:
                    return unquote(match.group(1))
            await asyncio.sleep(0.1)
        raise AssertionError(f"no {path} link mailed to {to}")


@pytest.fixture(scope="session")
def mailbox() -> Mailbox:
    return Mailbox()


class Api:
    """Shortcuts over the HTTP API for the scenarios."""

    def __init__(self, client: httpx.AsyncClient, mailbox: Mailbox) -> None:
        self.client = client
        self.mailbox = mailbox

    async def register(self, email: str, full_name: str = "Camille Martin", password: str = PASSWORD) -> None:
        r = await self.client.post("/accounts", json={"email": email, "full_name": full_name, "password": password})
        assert r.status_code == 202, r.text

    async def confirmed_account(self, email: str, full_name: str = "Camille Martin") -> dict[str, Any]:
        await self.register(email, full_name)
        secret = await self.mailbox.link_secret(email, "/compte/confirmer")
        r = await self.client.post("/accounts/confirmation", json={"token": secret})
        assert r.status_code == 200, r.text
        return r.json()

    async def login(self, email: str, password: str = PASSWORD) -> dict[str, Any]:
        r = await self.client.post("/auth/login", json={"email": email, "password": password})
        assert r.status_code == 200, r.text
        return r.json()

    async def headers(self, email: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {(await self.login(email))['access_token']}"}

    async def employer(
        self, headers: dict[str, str], siret: str, name: str = "Boulangerie Dupain", verified: bool = True
    ) -> dict[str, Any]:
        r = await self.client.post(
            "/organisations", json={"kind": "employer", "name": name, "siret": siret}, headers=headers
        )
        assert r.status_code == 201, r.text
        org = r.json()
        assert org["verified"] is False
        if verified:
            org = await self.verify_by_post(headers, org)
        return org

    async def verify_by_post(self, headers: dict[str, str], org: dict[str, Any]) -> dict[str, Any]:
        """The code sent by post to the establishment (the local adapter prints it to the mail catcher)."""
        path = f"/organisations/{org['id']}/verification/postal-code"
        sent = await self.client.post(path, headers=headers)
        assert sent.status_code == 202, sent.text
        [letter] = await self.mailbox.messages(f"courrier.{org['siret']}@courrier.passerelle.local")
        code = "".join(re.search(r"(\d{4}) (\d{4})", letter["text"]).group(1, 2))  # type: ignore[union-attr]
        confirmed = await self.client.post(f"{path}/confirm", json={"code": code}, headers=headers)
        assert confirmed.status_code == 200, confirmed.text
        assert confirmed.json()["verified"] is True
        return confirmed.json()


@pytest.fixture
def api(client: httpx.AsyncClient, mailbox: Mailbox) -> Api:
    return Api(client, mailbox)
