"""The kit's consumer on the real Kafka and PostgreSQL: a batch that mixes valid and unreadable records.

Valid probes, one with a header that is not UTF-8, one with a null header value, one close to the broker's
size limit and one whose body is not JSON all arrive in the same partition, one after the other (so that
they are fetched in the same batches). Every valid record is applied exactly once, every bad one is parked
once with its reason, the group's committed offset passes the last record, and no batch ever failed (the
consumer did not spin on any of them).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ClassVar

import pytest
import sqlalchemy as sa
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from passerelle.libs.context import ServiceContext
from passerelle.libs.db import Database
from passerelle.libs.kafka_auth import kafka_options
from passerelle.libs.service import Service
from passerelle.libs.settings import ServiceSettings
from passerelle.libs.testing.kafka import eventually, header, read_topic
from passerelle.libs.testing.stack import database_admin_url, ensure_stack
from passerelle.libs.unit_of_work import SqlUnitOfWork
from passerelle.schemas import Envelope, encode_record
from passerelle.schemas.events.platform import ProbeRecorded
from passerelle.schemas.registry import dead_letter_topic
from tests.probe.model import probe_effect
from tests.probe.schema import reset_database

pytestmark = pytest.mark.integration
NEAR_LIMIT = 1_047_000  # the broker takes 1 MiB records: this one fits, its dead-letter copy would not


class KitProbeSettings(ServiceSettings):
    service_name: ClassVar[str] = "kit-probe"
    relay_in_process: bool = False


@dataclass(kw_only=True)
class ProbeContext(ServiceContext[SqlUnitOfWork]):
    pass


async def apply_probe(context: ProbeContext, uow: SqlUnitOfWork, envelope: Envelope, event: ProbeRecorded) -> None:
    await uow.session.execute(
        sa.insert(probe_effect).values(run_id=event.run_id, sequence=event.sequence, recorded_at=event.recorded_at)
    )


def probe(run_id: str, sequence: int) -> tuple[bytes | None, bytes, list[tuple[str, bytes | None]]]:
    event = ProbeRecorded(key=run_id, sequence=sequence, run_id=run_id, recorded_at=datetime.now(UTC))
    envelope = Envelope(type=event.topic, schema_version=1, producer="kit-test", subject=run_id)
    key, value, headers = encode_record(envelope, event)
    return key, value, list(headers)


def replaced(headers: list[tuple[str, bytes | None]], name: str, value: bytes | None) -> list[tuple[str, bytes | None]]:
    return [(k, value if k == name else v) for k, v in headers]


async def test_a_mixed_batch_applies_the_valid_records_once_and_parks_each_bad_one():
    env = ensure_stack()
    bootstrap = env["PASSERELLE_KAFKA_BOOTSTRAP"]
    run_id = uuid.uuid4().hex
    group = f"kit-probe-{run_id[:12]}"
    url = reset_database(database_admin_url(), "libs_kit_consumer")
    settings = KitProbeSettings(database_url=url, kafka_bootstrap=bootstrap, consumer_group=group)
    database = Database.of(settings)
    context = ProbeContext(uow_factory=database.unit_of_work(SqlUnitOfWork, "kit-probe"), producer="kit-probe")
    service = Service(settings, context, database=database, title="kit probe", handlers={ProbeRecorded: apply_probe})

    records: list[tuple[str, tuple[bytes | None, bytes, list[tuple[str, bytes | None]]]]] = []
    for sequence in range(0, 5):
        records.append(("valid", probe(run_id, sequence)))
    key, value, headers = probe(run_id, 100)
    records.append(("not utf-8", (key, value, replaced(headers, "ce_type", b"probe.\xff\xfe"))))
    key, value, headers = probe(run_id, 101)
    records.append(("null header", (key, value, replaced(headers, "ce_id", None))))
    key, _, headers = probe(run_id, 102)
    records.append(("near limit", (key, b'{"key": "' + b"x" * NEAR_LIMIT + b'"}', headers)))
    key, _, headers = probe(run_id, 103)
    records.append(("malformed body", (key, b"{not json", headers)))
    for sequence in range(5, 10):
        records.append(("valid", probe(run_id, sequence)))

    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, **kafka_options(), max_request_size=1_048_576, linger_ms=50
    )
    await producer.start()
    offsets: list[tuple[int, int]] = []
    try:
        sent = [await producer.send(ProbeRecorded.topic, key=k, value=v, headers=h) for _, (k, v, h) in records]
        for future in sent:
            metadata = await future
            offsets.append((metadata.partition, metadata.offset))
    finally:
        await producer.stop()
    partition = {p for p, _ in offsets}
    assert len(partition) == 1  # one key: one partition, so they are fetched together
    last_offset = max(o for _, o in offsets)
    # The stack provisions the services' dead-letter topics (no auto-creation): this test's group needs its own.
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **kafka_options())
    await admin.start()
    try:
        await admin.create_topics([NewTopic(dead_letter_topic(group), num_partitions=1, replication_factor=1)])
    finally:
        await admin.close()
    # On our partition the group starts at our first record, not at the topic's whole history.
    starter = AIOKafkaConsumer(bootstrap_servers=bootstrap, **kafka_options(), group_id=group, enable_auto_commit=False)
    await starter.start()
    try:
        ours = TopicPartition(ProbeRecorded.topic, offsets[0][0])
        starter.assign([ours])
        await starter.commit({ours: min(o for _, o in offsets)})
    finally:
        await starter.stop()

    app = service.app()
    engine = sa.create_engine(url)

    def applied() -> list[int]:
        with engine.connect() as conn:
            rows = conn.execute(sa.select(probe_effect.c.sequence).where(probe_effect.c.run_id == run_id))
            return sorted(r[0] for r in rows)

    async def fetch_applied() -> list[int]:
        return applied()

    async with app.router.lifespan_context(app):
        await eventually(fetch_applied, lambda seen: len(seen) >= 10, timeout=180)
        parked = await read_topic(
            bootstrap,
            dead_letter_topic(group),
            until=lambda rs: len([r for r in rs if r.key == run_id.encode()]) >= 4,
            timeout=60,
        )
        consumers = service.consumer_group
        assert consumers is not None

        async def committed() -> int:
            reader = AIOKafkaConsumer(
                bootstrap_servers=bootstrap, **kafka_options(), group_id=group, enable_auto_commit=False
            )
            await reader.start()
            try:
                return await reader.committed(TopicPartition(ProbeRecorded.topic, offsets[0][0])) or -1
            finally:
                await reader.stop()

        position = await eventually(committed, lambda offset: offset > last_offset, timeout=30)
        stats = dict(consumers.stats)
    engine.dispose()

    assert applied() == list(range(10))  # every valid record, once
    ours = [r for r in parked if r.key == run_id.encode()]
    reasons = {int(header(r, "dlt_original_offset") or b"-1"): (header(r, "dlt_error") or b"").decode() for r in ours}
    expected_offsets = {offsets[i][1]: kind for i, (kind, _) in enumerate(records) if kind != "valid"}
    assert len(ours) == 4 and set(reasons) == set(expected_offsets)  # each bad one, once
    by_kind = {expected_offsets[offset]: reason for offset, reason in reasons.items()}
    assert "'ce_type' is not UTF-8" in by_kind["not utf-8"]
    assert "'ce_id' has a null value" in by_kind["null header"]
    assert "payload does not match" in by_kind["near limit"] and "payload does not match" in by_kind["malformed body"]
    near = next(r for r in ours if expected_offsets[int(header(r, "dlt_original_offset") or b"-1")] == "near limit")
    assert header(near, "dlt_truncated") == b"1" and int(header(near, "dlt_original_size") or 0) > NEAR_LIMIT
    assert header(near, "dlt_original_topic") == ProbeRecorded.topic.encode()
    assert len(near.value or b"") < 100_000
    not_utf8 = next(r for r in ours if expected_offsets[int(header(r, "dlt_original_offset") or b"-1")] == "not utf-8")
    assert header(not_utf8, "ce_type") == b"probe.\xff\xfe"  # parked with its raw bytes
    assert position > last_offset  # the partition moved on
    assert stats.get("batch_failures", 0) == 0, stats  # never read a batch again: no spin
