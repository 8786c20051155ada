"""Inspect and replay parked messages.

    passerelle-dead-letters list   --group contracts
    passerelle-dead-letters replay --group contracts [--limit N]

Replay republishes each parked record to its original topic with its original key, value and
CloudEvents headers (the same event id), so the consumers that already applied it skip it and the
group that parked it tries again. Progress is kept by the `dlt-replay.<group>` consumer group.
A record parked truncated (too large to copy whole) is read back from its original topic, partition
and offset; if the topic no longer holds it (retention), it is reported and skipped.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from passerelle.libs import committed_offsets
from passerelle.libs.kafka_auth import kafka_options
from passerelle.libs.relay import make_producer
from passerelle.schemas.registry import dead_letter_topic


def _original(record: Any) -> tuple[str, list[tuple[str, bytes]]]:
    headers = list(record.headers or ())
    found = dict(headers)
    topic = found[("dlt_original_topic")].decode()
    return topic, [(k, v) for k, v in headers if not k.startswith("dlt_")]


async def read_original(bootstrap: str, record: Any, timeout: float = 10.0) -> Any | None:
    """The record a truncated dead letter stands for, read at its original topic, partition and offset."""
    found = dict(record.headers or ())
    tp = TopicPartition(found["dlt_original_topic"].decode(), int(found["dlt_original_partition"]))
    offset = int(found["dlt_original_offset"])
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None, **kafka_options())
    await consumer.start()
    try:
        consumer.assign([tp])
        first = (await consumer.beginning_offsets([tp]))[tp]
        if offset < first:
            return None
        consumer.seek(tp, offset)
        batches = await consumer.getmany(tp, timeout_ms=int(timeout * 1000), max_records=1)
        records = batches.get(tp, [])
        return records[0] if records and records[0].offset == offset else None
    finally:
        await consumer.stop()


async def _consumer(bootstrap: str, group: str | None, topic: str) -> AIOKafkaConsumer:
    committed_offsets.install()
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        **kafka_options(),
    )
    await consumer.start()
    return consumer


async def list_parked(bootstrap: str, group: str, limit: int) -> list[dict[str, Any]]:
    consumer = await _consumer(bootstrap, None, dead_letter_topic(group))
    out: list[dict[str, Any]] = []
    try:
        batches = await consumer.getmany(timeout_ms=2000, max_records=limit)
        for records in batches.values():
            for r in records:
                h = {k: (v or b"").decode("utf-8", "replace") for k, v in r.headers or ()}
                out.append(
                    {
                        "offset": r.offset,
                        "topic": h.get("dlt_original_topic"),
                        "event_id": h.get("ce_id"),
                        "error": h.get("dlt_error"),
                        "attempts": h.get("dlt_attempts"),
                        "parked_at": h.get("dlt_parked_at"),
                        "truncated": h.get("dlt_truncated") == "1",
                    }
                )
    finally:
        await consumer.stop()
    return out


async def replay(bootstrap: str, group: str, limit: int) -> int:
    """Republishes what was parked before the call: records parked again meanwhile wait for the next replay."""
    consumer = await _consumer(bootstrap, f"dlt-replay.{group}", dead_letter_topic(group))
    producer = make_producer(bootstrap)
    await producer.start()
    replayed = 0
    try:
        partitions = [
            TopicPartition(dead_letter_topic(group), p)
            for p in consumer.partitions_for_topic(dead_letter_topic(group)) or ()
        ]
        end = await consumer.end_offsets(partitions)
        remaining = {tp: off for tp, off in end.items() if off > await _position(consumer, tp)}
        while remaining and replayed < limit:
            batches = await consumer.getmany(*remaining, timeout_ms=2000, max_records=min(500, limit - replayed))
            if not batches:
                break
            for tp, records in batches.items():
                records = [r for r in records if r.offset < end[tp]]
                for r in records:
                    topic, headers = _original(r)
                    key, value = r.key, r.value
                    if dict(r.headers or ()).get("dlt_truncated") == b"1":
                        original = await read_original(bootstrap, r)
                        if original is None:
                            print(f"skipped dead letter {r.offset}: its original is no longer on {topic}")
                            continue
                        key, value, headers = original.key, original.value, list(original.headers or ())
                    await producer.send_and_wait(topic, value=value, key=key, headers=headers)
                    replayed += 1
                if records:
                    await consumer.commit({tp: records[-1].offset + 1})
                if not records or records[-1].offset + 1 >= end[tp]:
                    remaining.pop(tp, None)
    finally:
        await producer.stop()
        await consumer.stop()
    return replayed


async def _position(consumer: AIOKafkaConsumer, tp: TopicPartition) -> int:
    committed = await consumer.committed(tp)
    if committed is not None:
        return committed
    return (await consumer.beginning_offsets([tp]))[tp]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["list", "replay"])
    parser.add_argument("--group", required=True, help="the consumer group (service) whose parked messages to use")
    parser.add_argument("--limit", type=int, default=10_000)
    parser.add_argument("--kafka", default=os.environ.get("PASSERELLE_KAFKA_BOOTSTRAP", "127.0.0.1:9092"))
    args = parser.parse_args(argv)
    if args.action == "list":
        for row in asyncio.run(list_parked(args.kafka, args.group, args.limit)):
            print(row)
    else:
        print(f"replayed {asyncio.run(replay(args.kafka, args.group, args.limit))} message(s)")


if __name__ == "__main__":
    main()
