"""The notifier in-process on the real stack: PostgreSQL (fresh database) and the mail catcher (SMTP + API).

Events go through the real consumer group code (`ConsumerGroup.process` on encoded Kafka records: inbox claim,
batch transaction); the Kafka transport itself is exercised by the end-to-end test.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import ConsumerRecord

from passerelle.libs.testing.database import fresh_service_database
from passerelle.libs.testing.stack import ensure_stack
from passerelle.libs.testing.tokens import TokenFactory
from passerelle.notifier.bootstrap import bootstrap
from passerelle.notifier.config import Settings
from passerelle.schemas import Envelope, Event, encode_record
from passerelle.schemas.registry import OWNERS

SERVICE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def stack() -> dict[str, str]:
    return ensure_stack()


@pytest.fixture(scope="session")
def database_url(stack) -> str:
    return fresh_service_database(SERVICE_DIR, "notifier_test")


@pytest.fixture(scope="session")
def mail_api(stack) -> str:
    return os.environ.get("PASSERELLE_MAIL_API") or stack["PASSERELLE_MAIL_API"]


@pytest.fixture(scope="session")
def settings(database_url, stack) -> Settings:
    return Settings(
        database_url=database_url,
        consumers_enabled=False,
        relay_in_process=False,
        smtp_host=stack.get("PASSERELLE_SMTP_HOST", "127.0.0.1"),
        smtp_port=int(stack["PASSERELLE_SMTP_PORT"]),
        portal_url="https://portail.test",
        mail_poll_seconds=0.2,
        # Tests that need the delivery loop start it (`mail_loop`), so others control delivery themselves.
        background_enabled=False,
        mail_first_retry_seconds=0.05,
        log_json=False,
        log_level=os.environ.get("NOTIFIER_LOG_LEVEL", "WARNING"),
    )


@pytest.fixture(scope="session")
def tokens() -> TokenFactory:
    return TokenFactory()


@pytest.fixture(scope="session")
async def service(settings, tokens):
    service = bootstrap(settings)
    app = service.app()
    async with app.router.lifespan_context(app):
        tokens.install(app)
        service.fastapi = app  # type: ignore[attr-defined]
        yield service


@pytest.fixture(scope="session")
async def client(service):
    transport = httpx.ASGITransport(app=service.fastapi)
    async with httpx.AsyncClient(transport=transport, base_url="http://notifier", timeout=30) as client:
        yield client


@pytest.fixture(scope="session")
def notifier(service):
    return service.context


@pytest.fixture
async def mail_loop(notifier, database_url):
    from passerelle.notifier.entrypoints.background import MailDelivery

    work = MailDelivery(database_url)
    await work.start(notifier, None, "notifier")
    yield work
    await work.stop()


_offsets = iter(range(10**9))


def record(event: Event, envelope: Envelope | None = None) -> tuple[ConsumerRecord, Envelope]:
    envelope = envelope or Envelope(
        type=event.topic,
        schema_version=event.schema_version,
        producer=OWNERS.get(event.topic, "test"),  # consumers park records not from the topic's owner
        subject=event.subject(),
    )
    key, value, headers = encode_record(envelope, event)
    rec = ConsumerRecord(
        topic=event.topic,
        partition=0,
        offset=next(_offsets),
        timestamp=0,
        timestamp_type=0,
        key=key,
        value=value,
        checksum=None,
        serialized_key_size=len(key or b""),
        serialized_value_size=len(value),
        headers=list(headers),
    )
    return rec, envelope


@pytest.fixture
def deliver(service):
    """Applies events through the service's consumer group, as its Kafka subscriber would."""
    group = service.consumer_group

    async def apply(*events: Event | tuple[ConsumerRecord, Envelope]) -> list[Envelope]:
        items = [e if isinstance(e, tuple) else record(e) for e in events]
        await group.process([rec for rec, _ in items])
        return [env for _, env in items]

    return apply


async def mails_to(mail_api: str, address: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.get(f"{mail_api}/api/messages", params={"to": address})
        response.raise_for_status()
        return response.json()  # type: ignore[no-any-return]


def unique_address(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.test"


def bearer(tokens: TokenFactory, account_id: uuid.UUID, orgs: Sequence[dict[str, Any]] = ()) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens.issue(account_id, orgs)}"}
