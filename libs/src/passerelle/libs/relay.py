"""The outbox relay: publishes committed outbox rows to Kafka, then marks them sent.

- wakes on LISTEN/NOTIFY, and polls as a fallback;
- idempotent producer, acks=all, keyed by subject;
- several instances may run: each transaction first locks some lanes (a lane is a hash of the key; a
  transaction advisory lock each), then takes those lanes' oldest rows FOR UPDATE. A lane is worked by
  one instance at a time and always from its oldest row, so no row is published twice in steady state
  and a key's order is kept. (Deciding row by row during the scan is not enough: a lane released by
  another relay halfway through the scan would let a later row of a key overtake an earlier one.)
- a crash between publishing and marking republishes those rows on restart: consumers deduplicate
  by event id, so nothing a user sees is duplicated.

Run it alone with `passerelle-relay --database-url ... --kafka ...` (or `python -m passerelle.libs.relay`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
from typing import Any

import psycopg
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from passerelle.libs.db import libpq_dsn
from passerelle.libs.kafka_auth import KafkaAuth, kafka_options
from passerelle.libs.logging import configure_logging, get_logger
from passerelle.libs.observability import metrics
from passerelle.libs.observability.tracing import configure_tracing, publish_span
from passerelle.libs.outbox import LANES, NOTIFY_CHANNEL

log = get_logger(__name__)

_ADVISORY_NAMESPACE = 7_402_311  # any constant: the first key of the (namespace, lane) advisory lock

# Lanes with rows waiting, in random order (so relays spread over them), locked up to a limit.
_LOCK_LANES_SQL = f"""
WITH candidates AS MATERIALIZED (
    SELECT l AS lane FROM generate_series(0, {LANES - 1}) AS l
    WHERE EXISTS (SELECT 1 FROM outbox o WHERE o.sent_at IS NULL AND o.lane = l)
    ORDER BY random()
)
SELECT lane FROM candidates WHERE pg_try_advisory_xact_lock({_ADVISORY_NAMESPACE}, lane) LIMIT %s
"""
_CLAIM_SQL = """
SELECT seq, topic, key, headers, payload FROM outbox
WHERE sent_at IS NULL AND lane = ANY(%s)
ORDER BY seq
LIMIT %s
FOR UPDATE
"""
_MARK_SQL = "UPDATE outbox SET sent_at = now() WHERE seq = ANY(%s)"
_PURGE_SQL = "DELETE FROM outbox WHERE sent_at < now() - make_interval(secs => %s)"


def make_producer(bootstrap: str, auth: KafkaAuth | None = None, **overrides: Any) -> AIOKafkaProducer:
    """The platform's producer: idempotent, acks=all, authenticated as `auth` (the environment's if None)."""
    options: dict[str, Any] = {
        "bootstrap_servers": bootstrap,
        **kafka_options(auth),
        "enable_idempotence": True,
        "acks": "all",
        # No linger: the relay hands over a whole batch at once, and latency matters more.
        "linger_ms": 0,
        "max_batch_size": 256 * 1024,
        "request_timeout_ms": 15000,
        "retry_backoff_ms": 200,
    }
    options.update(overrides)
    return AIOKafkaProducer(**options)


class OutboxRelay:
    def __init__(
        self,
        database_url: str,
        kafka_bootstrap: str,
        *,
        auth: KafkaAuth | None = None,
        batch_size: int = 500,
        poll_interval: float = 1.0,
        lanes_per_claim: int = LANES,
        retention_seconds: float = 24 * 3600,
    ) -> None:
        self._dsn = libpq_dsn(database_url)
        self._bootstrap = kafka_bootstrap
        self._auth = auth
        self._batch_size = batch_size
        self._lanes_per_claim = lanes_per_claim
        self._poll_interval = poll_interval
        self._retention = retention_seconds
        self._stopping = asyncio.Event()
        self.published = 0

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        """Publish until stop(); survives database and broker outages by retrying with backoff."""
        backoff = 0.5
        while not self._stopping.is_set():
            try:
                await self._serve()
                backoff = 0.5
            except (psycopg.Error, KafkaError, OSError) as exc:
                log.warning("outbox relay interrupted, retrying", error=repr(exc), retry_in=backoff)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), backoff)
                backoff = min(backoff * 2, 10.0)

    async def _serve(self) -> None:
        producer = make_producer(self._bootstrap, self._auth)
        await producer.start()
        try:
            async with (
                await psycopg.AsyncConnection.connect(self._dsn, autocommit=True) as listener,
                await psycopg.AsyncConnection.connect(self._dsn) as worker,
            ):
                await listener.execute(f"LISTEN {NOTIFY_CHANNEL}")
                await self._purge(worker)
                loops = 0
                while not self._stopping.is_set():
                    sent, lanes = await self._drain_once(worker, producer)
                    if sent >= self._batch_size or lanes >= self._lanes_per_claim:
                        continue  # the claim was full: more may be waiting, look again before sleeping
                    loops += 1
                    if loops % 600 == 0:
                        await self._purge(worker)
                    await self._wait_for_notification(listener)
        finally:
            await producer.stop()

    async def _wait_for_notification(self, listener: psycopg.AsyncConnection) -> None:
        stop = asyncio.ensure_future(self._stopping.wait())
        notified = asyncio.ensure_future(self._next_notification(listener))
        try:
            await asyncio.wait({stop, notified}, timeout=self._poll_interval, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (stop, notified):
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await notified
        if notified.done() and not notified.cancelled() and notified.exception():
            raise notified.exception()  # type: ignore[misc]

    @staticmethod
    async def _next_notification(listener: psycopg.AsyncConnection) -> None:
        async for _ in listener.notifies(stop_after=1):
            return

    async def _drain_once(self, conn: psycopg.AsyncConnection, producer: AIOKafkaProducer) -> tuple[int, int]:
        """Publishes the oldest rows of the lanes it could lock: (rows published, lanes locked)."""
        async with conn.transaction():
            lanes = [r[0] for r in await (await conn.execute(_LOCK_LANES_SQL, (self._lanes_per_claim,))).fetchall()]
            if not lanes:
                return 0, 0
            rows = await (await conn.execute(_CLAIM_SQL, (lanes, self._batch_size))).fetchall()
            if not rows:
                return 0, len(lanes)
            futures = []
            for _seq, topic, key, headers, payload in rows:
                # A span of the trace that wrote the row; the record carries this span's context on.
                with publish_span(topic, [(k, v.encode()) for k, v in headers], key) as traced_headers:
                    futures.append(
                        await producer.send(
                            topic,
                            value=payload,
                            key=key.encode() if key is not None else None,
                            headers=traced_headers,
                        )
                    )
                metrics.PUBLISHED.labels(metrics.service(), topic).inc()
            await asyncio.gather(*futures)
            await conn.execute(_MARK_SQL, ([r[0] for r in rows],))
        self.published += len(rows)
        return len(rows), len(lanes)

    async def _purge(self, conn: psycopg.AsyncConnection) -> None:
        async with conn.transaction():
            await conn.execute(_PURGE_SQL, (self._retention,))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Publish a service's outbox to Kafka")
    parser.add_argument(
        "--database-url", default=os.environ.get("RELAY_DATABASE_URL"), required="RELAY_DATABASE_URL" not in os.environ
    )
    parser.add_argument("--kafka", default=os.environ.get("PASSERELLE_KAFKA_BOOTSTRAP", "127.0.0.1:9092"))
    parser.add_argument("--name", default=os.environ.get("RELAY_NAME", "relay"))
    args = parser.parse_args(argv)
    configure_logging(args.name)
    configure_tracing(args.name)
    metrics.set_service(args.name)
    relay = OutboxRelay(args.database_url, args.kafka, auth=KafkaAuth.from_env())

    async def _run() -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, relay.stop)
        await relay.run()

    asyncio.run(_run())


if __name__ == "__main__":
    main()
