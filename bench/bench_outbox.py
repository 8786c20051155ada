"""The outbox path end to end: commit (outbox) -> relay -> Kafka -> idempotent consumer -> effect.

1. Latency at a steady 200 events/s: p50/p99 from the producer's commit to the consumer's effect.
2. Throughput: N events committed as fast as the producer can (one per transaction, then 50 per
   transaction), time until the consumer applied all.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

from passerelle.libs.db import create_engine, session_factory
from passerelle.libs.outbox import RelayWaker, install_waker
from passerelle.libs.testing.processes import ServiceProcess
from passerelle.libs.testing.stack import database_admin_url
from tests.probe.producer import write_change, write_changes
from tests.probe.schema import reset_database

THROUGHPUT_EVENTS = int(os.environ.get("BENCH_OUTBOX_EVENTS", "20000"))
LATENCY_RATE = 200.0
LATENCY_SECONDS = float(os.environ.get("BENCH_LATENCY_SECONDS", "20"))


def applied(url: str, run_id: str) -> int:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        n = conn.execute(sa.text("SELECT count(*) FROM probe_effect WHERE run_id = :r"), {"r": run_id}).scalar_one()
    engine.dispose()
    return n


def latencies_ms(url: str, run_id: str) -> list[float]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = (
            conn.execute(
                sa.text(
                    "SELECT extract(epoch FROM applied_at - recorded_at) * 1000 FROM probe_effect WHERE run_id = :r"
                ),
                {"r": run_id},
            )
            .scalars()
            .all()
        )
    engine.dispose()
    return [float(r) for r in rows]


async def wait_applied(url: str, run_id: str, n: int, timeout: float = 600) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await asyncio.to_thread(applied, url, run_id) >= n:
            return time.perf_counter()
        await asyncio.sleep(0.05)
    raise TimeoutError(f"only {applied(url, run_id)} of {n} applied")


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=1000)[int(q * 10) - 1] if len(values) > 1 else values[0]


async def main() -> None:
    admin = database_admin_url()
    producer_url = reset_database(admin, "bench_probe_producer")
    consumer_url = reset_database(admin, "bench_probe_consumer")
    bootstrap = os.environ["PASSERELLE_KAFKA_BOOTSTRAP"]
    logs = Path(tempfile.mkdtemp(prefix="passerelle-bench-"))
    relay = ServiceProcess(
        "relay",
        [sys.executable, "-m", "passerelle.libs.relay", "--database-url", producer_url, "--kafka", bootstrap],
        {},
        logs,
    ).start()
    consumer = ServiceProcess.uvicorn(
        "probe-consumer",
        "tests.probe.consumer_app:app",
        {"PROBE_DATABASE_URL": consumer_url, "PROBE_LOG_LEVEL": "WARNING"},
        logs,
    ).start()
    engine = create_engine(producer_url, pool_size=8)
    sessions = session_factory(engine)
    waker = RelayWaker(producer_url)  # as a service's lifespan does
    await waker.start()
    install_waker(waker)
    try:
        warm = uuid.uuid4().hex
        await write_changes(sessions, warm, range(200), concurrency=4)
        await wait_applied(consumer_url, warm, 200)

        # Steady state first: the throughput runs leave vacuum and checkpoint work behind them.
        steady = uuid.uuid4().hex
        n = int(LATENCY_RATE * LATENCY_SECONDS)
        await write_changes(sessions, steady, range(n), rate_per_second=LATENCY_RATE, concurrency=4)
        await wait_applied(consumer_url, steady, n)
        lat = latencies_ms(consumer_url, steady)
        print(
            f"commit -> effect latency at {LATENCY_RATE:.0f} events/s over {LATENCY_SECONDS:.0f} s: "
            f"p50 {percentile(lat, 50):.1f} ms, p99 {percentile(lat, 99):.1f} ms, max {max(lat):.1f} ms"
        )
        run = uuid.uuid4().hex
        start = time.perf_counter()
        await write_changes(sessions, run, range(THROUGHPUT_EVENTS), concurrency=8)
        committed = time.perf_counter()
        done = await wait_applied(consumer_url, run, THROUGHPUT_EVENTS)
        print(
            f"outbox producer commits: {THROUGHPUT_EVENTS / (committed - start):,.0f} tx/s (one event per transaction)"
        )
        print(
            f"outbox -> relay -> consumer: {THROUGHPUT_EVENTS / (done - start):,.0f} events/s end to end "
            f"({THROUGHPUT_EVENTS} events in {done - start:.1f} s)"
        )

        batched = uuid.uuid4().hex
        start = time.perf_counter()
        for first in range(0, THROUGHPUT_EVENTS, 50):
            await write_change(sessions, batched, range(first, min(first + 50, THROUGHPUT_EVENTS)))
        done = await wait_applied(consumer_url, batched, THROUGHPUT_EVENTS)
        print(
            f"outbox -> relay -> consumer, 50 events per transaction: {THROUGHPUT_EVENTS / (done - start):,.0f} "
            f"events/s end to end"
        )

    finally:
        consumer.stop()
        relay.stop()
        await waker.stop()
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
