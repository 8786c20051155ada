"""The outbox relay on real PostgreSQL and Kafka: two instances at once publish every event once, in key order."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest
from aiokafka import AIOKafkaConsumer

from passerelle.libs.db import create_engine, session_factory
from passerelle.libs.kafka_auth import kafka_options
from passerelle.libs.outbox import RelayWaker, install_waker
from passerelle.libs.relay import OutboxRelay
from passerelle.libs.testing.stack import database_admin_url, ensure_stack
from tests.probe.producer import write_change
from tests.probe.schema import reset_database

pytestmark = pytest.mark.integration
EVENTS = 3000


async def read_run(bootstrap: str, run_id: str, expected: int, timeout: float = 60) -> list[tuple[str, int, str]]:
    consumer = AIOKafkaConsumer(
        "probe.recorded",
        bootstrap_servers=bootstrap,
        **kafka_options(),
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    seen: list[tuple[str, int, str]] = []
    deadline = time.monotonic() + timeout
    try:
        while len(seen) < expected and time.monotonic() < deadline:
            for records in (await consumer.getmany(timeout_ms=500, max_records=5000)).values():
                for r in records:
                    if run_id.encode() in (r.value or b""):
                        import json

                        body = json.loads(r.value)
                        seen.append((body["key"], body["sequence"], dict(r.headers)["ce_id"].decode()))
        await asyncio.sleep(1.0)  # anything published twice would show up now
        for records in (await consumer.getmany(timeout_ms=1000, max_records=5000)).values():
            seen += [(0, 0, dict(r.headers)["ce_id"].decode()) for r in records if run_id.encode() in (r.value or b"")]
    finally:
        await consumer.stop()
    return seen


async def test_two_relays_publish_each_event_once_and_keep_key_order():
    env = ensure_stack()
    url = reset_database(database_admin_url(), "libs_relay_test")
    bootstrap = env["PASSERELLE_KAFKA_BOOTSTRAP"]
    engine = create_engine(url)
    sessions = session_factory(engine)
    waker = RelayWaker(url)
    await waker.start()
    install_waker(waker)
    # Each claims at most half the lanes, so that both relays work at the same time.
    relays = [OutboxRelay(url, bootstrap, batch_size=100, lanes_per_claim=8) for _ in range(2)]
    tasks = [asyncio.create_task(r.run()) for r in relays]
    run_id = uuid.uuid4().hex
    try:
        for first in range(0, EVENTS, 20):
            await write_change(sessions, run_id, range(first, first + 20))
        seen = await read_run(bootstrap, run_id, EVENTS)
    finally:
        for r in relays:
            r.stop()
        await asyncio.gather(*tasks)
        install_waker(None)
        await waker.stop()
        await engine.dispose()
    ids = [s[2] for s in seen]
    assert len(ids) == EVENTS and len(set(ids)) == EVENTS  # none lost, none twice
    assert all(r.published > 0 for r in relays), [r.published for r in relays]  # both did work
    by_key: dict[str, list[int]] = {}
    for key, sequence, _ in seen:
        by_key.setdefault(key, []).append(sequence)
    disordered = {k: v for k, v in by_key.items() if v != sorted(v)}
    assert not disordered, {k: [x for i, x in enumerate(v) if i and x < v[i - 1]][:5] for k, v in disordered.items()}


async def test_an_event_leaves_within_milliseconds_of_the_commit():
    env = ensure_stack()
    url = reset_database(database_admin_url(), "libs_relay_latency")
    engine = create_engine(url)
    waker = RelayWaker(url)
    await waker.start()
    install_waker(waker)
    relay = OutboxRelay(url, env["PASSERELLE_KAFKA_BOOTSTRAP"], poll_interval=30.0)  # polling cannot be what wakes it
    task = asyncio.create_task(relay.run())
    try:
        await asyncio.sleep(2.0)  # relay connected and listening
        run_id = uuid.uuid4().hex
        await write_change(session_factory(engine), run_id, 0)
        deadline = time.monotonic() + 5.0
        while relay.published < 1 and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        assert relay.published == 1
    finally:
        relay.stop()
        await task
        install_waker(None)
        await waker.stop()
        await engine.dispose()
