"""Kafka helpers for integration and end-to-end tests (real broker of the test stack).

records = await read_topic(bootstrap, "contract.transmitted", until=lambda rs: len(rs) >= 2)
await produce(bootstrap, envelope, event)                  # as a producing service would
await produce_raw(bootstrap, topic, value=b"...", headers=[("ce_id", None)])   # anything at all
row = await eventually(lambda: fetch_row(...), lambda row: row is not None)
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord

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
    topic: str,
    *,
    until: Callable[[list[ConsumerRecord]], bool] | None = None,
    key: bytes | None = None,
    timeout: float = 30.0,
) -> list[ConsumerRecord]:
    """The topic's records from the start (optionally only those with `key`).

    Reads until `until(records)` holds (AssertionError after `timeout`), or, without `until`, until a poll
    returns nothing more (everything already there).
    """
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        client_id=f"test-reader-{uuid.uuid4().hex[:8]}",
    )
    await consumer.start()
    records: list[ConsumerRecord] = []
    deadline = time.monotonic() + timeout
    try:
        while True:
            batches = await consumer.getmany(timeout_ms=500, max_records=5000)
            fetched = [r for rs in batches.values() for r in rs if key is None or r.key == key]
            records += fetched
            if until is not None and until(records):
                return records
            if until is None and not batches and consumer.assignment():
                return records
            if time.monotonic() > deadline:
                if until is None:
                    return records
                raise AssertionError(f"{topic}: condition not met within {timeout:g} s ({len(records)} records)")
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
) -> None:
    """Any record at all (bad headers, a bad body...), to test what a consumer does with it."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, max_request_size=max_request_size)
    await producer.start()
    try:
        await producer.send_and_wait(topic, value=value, key=key, headers=list(headers))
    finally:
        await producer.stop()


async def produce(bootstrap: str, envelope: Envelope, event: Event | dict[str, Any]) -> None:
    """A well-formed Passerelle record, as the relay would publish it."""
    key, value, headers = encode_record(envelope, event)
    await produce_raw(bootstrap, envelope.type, value=value, key=key, headers=list(headers))
