"""The transactional outbox: events are rows written in the same transaction as the state they describe.

The relay (relay.py) publishes them to Kafka afterwards. A statement trigger NOTIFYs the relay on
commit, so an event leaves within milliseconds; the relay also polls, in case a notification is lost.
"""

from __future__ import annotations

import zlib
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.ext.asyncio import AsyncSession

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
)

inbox_table = sa.Table(
    "inbox",
    metadata,
    sa.Column("event_id", PG_UUID(as_uuid=True), primary_key=True),
    sa.Column("consumer", sa.Text, primary_key=True),
    sa.Column("topic", sa.Text, nullable=False),
    sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
)

NOTIFY_TRIGGER_SQL = [
    f"""
    CREATE OR REPLACE FUNCTION outbox_notify() RETURNS trigger AS $$
    BEGIN
        PERFORM pg_notify('{NOTIFY_CHANNEL}', '');
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS outbox_notify ON outbox",
    "CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify()",
]


def lane_of(key: str | None) -> int:
    return 0 if key is None else zlib.crc32(key.encode()) % LANES


def outbox_row(envelope: Envelope, event: Event | dict[str, Any]) -> dict[str, Any]:
    key, value, headers = encode_record(envelope, event)
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


async def add_to_outbox(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    if rows:
        await session.execute(sa.insert(outbox_table), rows)


async def claim_in_inbox(session: AsyncSession, event_id: UUID, consumer: str, topic: str) -> bool:
    """Record that `consumer` applies `event_id`; False if it already did (the event is a duplicate)."""
    stmt = (
        sa.dialects.postgresql.insert(inbox_table)
        .values(event_id=event_id, consumer=consumer, topic=topic, applied_at=datetime.now(UTC))
        .on_conflict_do_nothing()
        .returning(inbox_table.c.event_id)
    )
    return (await session.execute(stmt)).first() is not None
