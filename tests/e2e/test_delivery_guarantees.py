"""The delivery guarantees on real components: outbox -> relay -> Kafka -> idempotent consumer.

While a producer writes N changes through its outbox, the consumer is SIGKILLed and restarted, the
relay is SIGKILLed and restarted, and the Kafka broker is stopped and restarted. Afterwards every
change was applied exactly once, and a malformed record and a poison event were parked on the
dead-letter topic without stopping the flow.
"""

from __future__ import annotations

import asyncio
import sys
import time
import uuid

import pytest
import sqlalchemy as sa
from aiokafka import AIOKafkaConsumer

from passerelle.libs.db import create_engine, session_factory
from passerelle.libs.kafka_auth import kafka_options
from passerelle.libs.relay import make_producer
from passerelle.libs.testing.processes import ServiceProcess
from passerelle.libs.testing.stack import database_admin_url, supervisorctl, wait_for_kafka
from passerelle.schemas import Envelope
from passerelle.schemas.events.platform import ProbeRecorded
from passerelle.schemas.registry import dead_letter_topic
from tests.probe.consumer_app import GROUP
from tests.probe.producer import write_change, write_changes
from tests.probe.schema import reset_database

pytestmark = pytest.mark.e2e

N = 4000
RATE = 200.0


def effect_counts(url: str, run_id: str) -> tuple[int, int]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        total, distinct = conn.execute(
            sa.text("SELECT count(*), count(DISTINCT sequence) FROM probe_effect WHERE run_id = :r"), {"r": run_id}
        ).one()
    engine.dispose()
    return total, distinct


async def wait_for_effects(url: str, run_id: str, at_least: int, timeout: float) -> tuple[int, int]:
    deadline = time.monotonic() + timeout
    counts = (0, 0)
    while time.monotonic() < deadline:
        counts = await asyncio.to_thread(effect_counts, url, run_id)
        if counts[1] >= at_least:
            return counts
        await asyncio.sleep(0.5)
    return counts


async def read_dead_letters(bootstrap: str, marker: str, expected: int, timeout: float = 60) -> list[dict[str, str]]:
    consumer = AIOKafkaConsumer(
        dead_letter_topic(GROUP),
        bootstrap_servers=bootstrap,
        **kafka_options(),
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    found: list[dict[str, str]] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and len(found) < expected:
            batches = await consumer.getmany(timeout_ms=1000)
            for records in batches.values():
                for r in records:
                    headers = {k: (v or b"").decode("utf-8", "replace") for k, v in r.headers or ()}
                    if marker in (r.value or b"").decode("utf-8", "replace") or marker == headers.get(
                        "ce_correlationid"
                    ):
                        found.append(headers)
    finally:
        await consumer.stop()
    return found


async def read_topic_for(bootstrap: str, topic: str, marker: str, event_ids: set[str], timeout: float = 60) -> set[str]:
    """Event ids among `event_ids` seen on `topic` at least twice (the original and the replay)."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        **kafka_options(),
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    seen: dict[str, int] = {}
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and not all(seen.get(e, 0) >= 2 for e in event_ids):
            batches = await consumer.getmany(timeout_ms=1000, max_records=5000)
            for records in batches.values():
                for r in records:
                    # Other suites write hostile records (null or non-UTF-8 headers) to the same probe topic.
                    ce_id = (dict(r.headers or ()).get("ce_id") or b"").decode(errors="replace")
                    if ce_id in event_ids:
                        seen[ce_id] = seen.get(ce_id, 0) + 1
    finally:
        await consumer.stop()
    return {e for e, n in seen.items() if n >= 2}


async def inject_malformed(bootstrap: str, marker: str) -> None:
    producer = make_producer(bootstrap)
    await producer.start()
    try:
        bad_envelope = Envelope(type=ProbeRecorded.topic, schema_version=1, producer="probe", subject="k1")
        await producer.send_and_wait(
            ProbeRecorded.topic, key=b"k1", value=f"not json {marker}".encode(), headers=bad_envelope.headers()
        )
    finally:
        await producer.stop()


async def test_every_change_applied_exactly_once_through_faults(stack, log_dir):
    admin_url = database_admin_url()
    producer_url = reset_database(admin_url, "e2e_probe_producer")
    consumer_url = reset_database(admin_url, "e2e_probe_consumer")
    bootstrap = stack["PASSERELLE_KAFKA_BOOTSTRAP"]
    run_id = uuid.uuid4().hex
    poison = N  # one extra change the consumer can never apply

    relay = ServiceProcess(
        "relay",
        [sys.executable, "-m", "passerelle.libs.relay", "--database-url", producer_url, "--kafka", bootstrap],
        {},
        log_dir,
    ).start()
    consumer_env = {
        "PROBE_DATABASE_URL": consumer_url,
        "PROBE_POISON_SEQUENCE": str(poison),
        "PROBE_CONSUMER_MAX_ATTEMPTS": "3",
        "PROBE_LOG_JSON": "false",
    }
    consumer = ServiceProcess.uvicorn("probe-consumer", "tests.probe.consumer_app:app", consumer_env, log_dir).start()
    engine = create_engine(producer_url)
    sessions = session_factory(engine)
    try:
        writer = asyncio.create_task(write_changes(sessions, run_id, range(N), rate_per_second=RATE))
        started = time.monotonic()

        async def at(second: float) -> None:
            await asyncio.sleep(max(0.0, started + second - time.monotonic()))

        await at(3)
        consumer.kill()
        await at(4)
        consumer.start()
        await at(8)
        relay.kill()
        await at(9)
        relay.start()
        await at(11)
        stopped = supervisorctl("stop", "kafka")
        assert "stopped" in stopped.stdout.lower(), stopped.stdout + stopped.stderr
        await asyncio.sleep(2)
        started_again = supervisorctl("start", "kafka")
        assert "started" in started_again.stdout.lower(), started_again.stdout + started_again.stderr
        await wait_for_kafka(bootstrap)
        await inject_malformed(bootstrap, run_id)
        await write_change(sessions, run_id, poison)
        await writer

        total, distinct = await wait_for_effects(consumer_url, run_id, N, timeout=240)
        lost = N - distinct
        duplicates = total - distinct
        print(f"\ndelivery under faults: {N} changes, {distinct} applied, lost={lost}, duplicate effects={duplicates}")
        assert lost == 0, f"{lost} change(s) lost\n{consumer.tail()}\n{relay.tail()}"
        assert duplicates == 0, f"{duplicates} duplicate effect(s)"
        assert total == N, "the poison change must not have been applied"

        parked = await read_dead_letters(bootstrap, run_id, expected=2)
        errors = sorted(h.get("dlt_error", "") for h in parked)
        assert len(parked) == 2, parked
        assert any("MalformedMessage" in e for e in errors), errors
        assert any("poison probe" in e for e in errors), errors
        assert all(h.get("dlt_original_topic") == ProbeRecorded.topic for h in parked)
        # Replaying the parked records republishes them, same event ids, to their original topic.
        replay = ServiceProcess(
            "replay",
            [sys.executable, "-m", "passerelle.libs.dead_letters", "replay", "--group", GROUP, "--kafka", bootstrap],
            {},
            log_dir,
        ).start()
        assert replay.proc is not None and replay.proc.wait(120) == 0, replay.tail()
        replayed = await read_topic_for(bootstrap, ProbeRecorded.topic, run_id, {h["ce_id"] for h in parked})
        assert replayed == {h["ce_id"] for h in parked}
        # Nothing waits in the outbox any more.
        async with engine.connect() as conn:
            pending = (await conn.execute(sa.text("SELECT count(*) FROM outbox WHERE sent_at IS NULL"))).scalar_one()
        assert pending == 0
    finally:
        consumer.stop()
        relay.stop()
        await engine.dispose()
        supervisorctl("start", "kafka")
