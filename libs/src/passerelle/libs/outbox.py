"""The transactional outbox: events are rows written in the same transaction as the state they describe.

The relay (relay.py) publishes them to Kafka afterwards. After the commit, the writer wakes the relays
through the process's RelayWaker, which sends at most one NOTIFY a millisecond from a connection of its
own, so an event leaves within milliseconds and writers wait for nothing; the relay also polls, in case
a notification is lost. (A NOTIFY inside the writing transaction would hold PostgreSQL's global notify
lock across its WAL flush and serialise every commit of the service.)
"""

from __future__ import annotations

import asyncio
import contextlib
import zlib
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.ext.asyncio import AsyncSession

from passerelle.libs.db import libpq_dsn
from passerelle.libs.logging import get_logger
from passerelle.libs.observability import metrics
from passerelle.libs.observability.tracing import context_headers
from passerelle.schemas import Envelope, Event, encode_record

NOTIFY_CHANNEL = "passerelle_outbox"
# Messages with the same key share a lane; one relay at a time works a lane, which keeps a key's order
# even when several relay instances run.
LANES = 16

metadata = sa.MetaData()

outbox_table = sa.Table(
    "outbox",
    metadata,
    sa.Column("seq", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("event_id", PG_UUID(as_uuid=True), nullable=False, unique=True),
    sa.Column("topic", sa.Text, nullable=False),
    sa.Column("key", sa.Text, nullable=True),
    sa.Column("headers", JSONB, nullable=False),
    sa.Column("payload", sa.LargeBinary, nullable=False),
    sa.Column("lane", sa.SmallInteger, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
    sa.Index("outbox_pending", "seq", postgresql_where=sa.text("sent_at IS NULL")),
    sa.Index("outbox_pending_lane", "lane", "seq", postgresql_where=sa.text("sent_at IS NULL")),
)

inbox_table = sa.Table(
    "inbox",
    metadata,
    sa.Column("event_id", PG_UUID(as_uuid=True), primary_key=True),
    sa.Column("consumer", sa.Text, primary_key=True),
    sa.Column("topic", sa.Text, nullable=False),
    sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
)

_WAKE_SQL = sa.text("SELECT set_config('synchronous_commit', 'off', true), pg_notify(:channel, '')")
log = get_logger(__name__)


def lane_of(key: str | None) -> int:
    return 0 if key is None else zlib.crc32(key.encode()) % LANES


def outbox_row(envelope: Envelope, event: Event | dict[str, Any]) -> dict[str, Any]:
    key, value, headers = encode_record(envelope, event)
    headers = [*headers, *context_headers()]  # the request's (or consumed event's) trace goes on with the event
    key_text = key.decode() if key is not None else None
    return {
        "event_id": envelope.id,
        "topic": envelope.type,
        "key": key_text,
        "headers": [[k, v.decode()] for k, v in headers],
        "payload": value,
        "lane": lane_of(key_text),
        "created_at": datetime.now(UTC),
    }


_BACKLOG_SQL = sa.text(
    "SELECT count(*), COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0) FROM outbox WHERE sent_at IS NULL"
)


async def sample_backlog(engine: Any, service: str) -> tuple[int, float]:
    """Rows waiting in the outbox and the age in seconds of the oldest, into the metrics."""
    async with engine.connect() as conn:
        count, age = (await conn.execute(_BACKLOG_SQL)).one()
    metrics.OUTBOX_BACKLOG.labels(service).set(count)
    metrics.OUTBOX_OLDEST.labels(service).set(float(age))
    return int(count), float(age)


async def add_to_outbox(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    if rows:
        await session.execute(sa.insert(outbox_table), rows)


class RelayWaker:
    """Coalesces the wake-ups of one process into at most one NOTIFY per `min_interval` seconds."""

    def __init__(self, database_url: str, min_interval: float = 0.001) -> None:
        self._dsn = libpq_dsn(database_url)
        self._min_interval = min_interval
        self._pending = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        self._pending.set()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-relay-waker")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        import psycopg

        while True:
            try:
                async with await psycopg.AsyncConnection.connect(self._dsn, autocommit=True) as conn:
                    # A lost wake-up only delays an event until the relay's next poll: no need to flush.
                    await conn.execute("SET synchronous_commit TO off")
                    while True:
                        await self._pending.wait()
                        self._pending.clear()
                        await conn.execute("SELECT pg_notify(%s, '')", (NOTIFY_CHANNEL,))
                        await asyncio.sleep(self._min_interval)
            except (psycopg.Error, OSError) as exc:
                log.warning("relay waker disconnected, retrying", error=repr(exc))
                await asyncio.sleep(1.0)


_waker: RelayWaker | None = None


def install_waker(waker: RelayWaker | None) -> None:
    """The process's waker (the Service installs one in its lifespan)."""
    global _waker
    _waker = waker


async def wake_relay(session: AsyncSession) -> None:
    """Tells the relays that rows were committed; losing this is harmless (the relays also poll)."""
    if _waker is not None:
        _waker.wake()
        return
    try:  # no waker in this process (a script): one small non-durable transaction
        await session.execute(_WAKE_SQL, {"channel": NOTIFY_CHANNEL})
        await session.commit()
    except sa.exc.SQLAlchemyError:
        await session.rollback()


# One fixed statement for any batch size (a multi-row VALUES would be compiled anew for each batch).
_CLAIM_MANY_SQL = sa.text(
    "INSERT INTO inbox (event_id, consumer, topic, applied_at) "
    "SELECT e.id, :consumer, e.topic, now() FROM unnest(CAST(:ids AS uuid[]), CAST(:topics AS text[])) AS e(id, topic) "
    "ON CONFLICT DO NOTHING RETURNING event_id"
)


async def claim_many_in_inbox(session: AsyncSession, envelopes: list[Envelope], consumer: str) -> set[UUID]:
    """The ids among `envelopes` that `consumer` had not applied yet, now recorded (one statement)."""
    if not envelopes:
        return set()
    params = {"consumer": consumer, "ids": [e.id for e in envelopes], "topics": [e.type for e in envelopes]}
    return set((await session.execute(_CLAIM_MANY_SQL, params)).scalars().all())


async def claim_in_inbox(session: AsyncSession, event_id: UUID, consumer: str, topic: str) -> bool:
    """Record that `consumer` applies `event_id`; False if it already did (the event is a duplicate)."""
    stmt = (
        sa.dialects.postgresql.insert(inbox_table)
        .values(event_id=event_id, consumer=consumer, topic=topic, applied_at=datetime.now(UTC))
        .on_conflict_do_nothing()
        .returning(inbox_table.c.event_id)
    )
    return (await session.execute(stmt)).first() is not None
