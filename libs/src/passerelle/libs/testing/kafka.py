"""Kafka helpers for integration and end-to-end tests (real broker of the test stack).

records = await read_topic(bootstrap, "contract.transmitted", until=lambda rs: len(rs) >= 2)
await produce(bootstrap, envelope, event)                  # as a producing service would
await produce(bootstrap, envelope, event, auth=KafkaAuth.for_principal("documents"))   # as that principal
await produce_raw(bootstrap, topic, value=b"...", headers=[("ce_id", None)])   # anything at all
row = await eventually(lambda: fetch_row(...), lambda row: row is not None)

Every helper authenticates as the environment's principal (PASSERELLE_KAFKA_SASL_*: the stack's admin in a test
run) unless given `auth=`.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition

from passerelle.libs.kafka_auth import KafkaAuth, kafka_options
from passerelle.schemas import Envelope, Event, encode_record

T = TypeVar("T")


async def eventually(
    probe: Callable[[], Awaitable[T]],
    check: Callable[[T], bool] = bool,
    *,
    timeout: float = 30.0,
    interval: float = 0.2,
) -> T:
    """Calls `probe` until `check(value)` holds and returns that value; AssertionError after `timeout`.

    Only a bound on how long to wait for an asynchronous effect: no test asserts on the time it took.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = await probe()
        if check(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout:g} s; last value: {value!r}")
        await asyncio.sleep(interval)


async def read_topic(
    bootstrap: str,
    topic: str | Sequence[str],
    *,
    until: Callable[[list[ConsumerRecord]], bool] | None = None,
    key: bytes | None = None,
    timeout: float = 30.0,
    quiet: float | None = None,
    auth: KafkaAuth | None = None,
) -> list[ConsumerRecord]:
    """The records of one topic or several from the start (optionally only those with `key`).

    Reads until `until(records)` holds (AssertionError after `timeout`), or, without `until`, until a poll
    returns nothing more (everything already there), or, with `quiet`, until no record came for that many
    seconds (a pipeline still writing: everything it wrote so far).
    """
    topics = [topic] if isinstance(topic, str) else list(topic)
    consumer = AIOKafkaConsumer(
        *topics,
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        client_id=f"test-reader-{uuid.uuid4().hex[:8]}",
        **kafka_options(auth),
    )
    await consumer.start()
    records: list[ConsumerRecord] = []
    deadline = time.monotonic() + timeout
    last = time.monotonic()
    try:
        while True:
            batches = await consumer.getmany(timeout_ms=500, max_records=5000)
            fetched = [r for rs in batches.values() for r in rs if key is None or r.key == key]
            records += fetched
            if batches:
                last = time.monotonic()
            if until is not None and until(records):
                return records
            settled = quiet is None or time.monotonic() - last >= quiet
            if until is None and not batches and consumer.assignment() and settled:
                return records
            if time.monotonic() > deadline:
                if until is None:
                    return records
                raise AssertionError(f"{topics}: condition not met within {timeout:g} s ({len(records)} records)")
    finally:
        await consumer.stop()


def header(record: ConsumerRecord, name: str) -> bytes | None:
    for k, v in record.headers or ():
        if k == name:
            return v  # type: ignore[no-any-return]
    return None


async def produce_raw(
    bootstrap: str,
    topic: str,
    *,
    value: bytes | None,
    key: bytes | None = None,
    headers: Sequence[tuple[str, bytes | None]] = (),
    max_request_size: int = 1048576,
    auth: KafkaAuth | None = None,
) -> None:
    """Any record at all (bad headers, a bad body...), to test what a consumer does with it."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, max_request_size=max_request_size, **kafka_options(auth))
    await producer.start()
    try:
        await producer.send_and_wait(topic, value=value, key=key, headers=list(headers))
    finally:
        await producer.stop()


async def produce(
    bootstrap: str, envelope: Envelope, event: Event | dict[str, Any], *, auth: KafkaAuth | None = None
) -> None:
    """A well-formed Passerelle record, as the relay would publish it."""
    key, value, headers = encode_record(envelope, event)
    await produce_raw(bootstrap, envelope.type, value=value, key=key, headers=list(headers), auth=auth)


async def publish_all(bootstrap: str, events: list[Event], producer_name: str) -> None:
    """Well-formed records of many events at once, as `producer_name`'s relay would publish them (benchmarks feed
    a service this way: the sends are awaited together, not one by one)."""
    from passerelle.libs.relay import make_producer  # the relay's own producer settings (idempotent, SASL)

    producer = make_producer(bootstrap)
    await producer.start()
    try:
        futures = []
        for event in events:
            envelope = Envelope(
                type=event.topic, schema_version=event.schema_version, producer=producer_name, subject=event.subject()
            )
            key, value, headers = encode_record(envelope, event)
            futures.append(await producer.send(event.topic, key=key, value=value, headers=headers))
        await asyncio.gather(*futures)
    finally:
        await producer.stop()


async def start_group_at_end(bootstrap: str, group: str, topics: Sequence[str]) -> None:
    """Commits a new consumer group's offsets at the end of `topics`: a service deployed now, which does not
    replay the shared test broker's history (other tests' events) before the events of its own test."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False, **kafka_options()
    )
    await consumer.start()
    try:
        cluster = await consumer._client.fetch_all_metadata()  # no subscription: ask for every topic's partitions
        partitions = [TopicPartition(t, p) for t in topics for p in sorted(cluster.partitions_for_topic(t) or ())]
        if not partitions:
            return
        consumer.assign(partitions)  # manual assignment: the group's offsets can be committed without joining it
        ends = await consumer.end_offsets(partitions)
        await consumer.commit({tp: offset for tp, offset in ends.items()})
    finally:
        await consumer.stop()
