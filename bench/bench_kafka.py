"""Raw Kafka ceiling with the Python client: idempotent producer, acks=all, 1 KiB records, then consume them."""

from __future__ import annotations

import asyncio
import os
import time
import uuid

from aiokafka import AIOKafkaConsumer

from passerelle.libs.kafka_auth import kafka_options
from passerelle.libs.relay import make_producer

MESSAGES = int(os.environ.get("BENCH_KAFKA_MESSAGES", "100000"))
SIZE = 1024


async def main() -> None:
    bootstrap = os.environ["PASSERELLE_KAFKA_BOOTSTRAP"]
    topic = f"bench.raw-{uuid.uuid4().hex[:8]}"
    value = os.urandom(SIZE // 2).hex().encode()
    producer = make_producer(bootstrap, linger_ms=5)
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"warm-up")
        start = time.perf_counter()
        pending = []
        for i in range(MESSAGES):
            pending.append(await producer.send(topic, value, key=str(i % 64).encode()))
            if len(pending) >= 5000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
        produced = time.perf_counter() - start
    finally:
        await producer.stop()

    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        **kafka_options(),
        auto_offset_reset="earliest",
        group_id=None,
        enable_auto_commit=False,
        max_partition_fetch_bytes=4 * 1024 * 1024,
    )
    await consumer.start()
    try:
        seen = 0
        start = time.perf_counter()
        while seen < MESSAGES + 1:
            batches = await consumer.getmany(timeout_ms=1000, max_records=10000)
            seen += sum(len(r) for r in batches.values())
        consumed = time.perf_counter() - start
    finally:
        await consumer.stop()
    print(
        f"kafka raw produce (aiokafka, idempotent, acks=all, {SIZE} B): {MESSAGES / produced:,.0f} msg/s "
        f"({MESSAGES} in {produced:.1f} s)"
    )
    print(f"kafka raw consume (aiokafka): {MESSAGES / consumed:,.0f} msg/s")


if __name__ == "__main__":
    asyncio.run(main())
