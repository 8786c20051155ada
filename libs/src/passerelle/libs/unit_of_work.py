"""The unit of work: one database transaction that commits the state and the events it caused together."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any, Self
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from passerelle.libs.outbox import add_to_outbox, claim_in_inbox, claim_many_in_inbox, outbox_row, wake_relay
from passerelle.schemas import Envelope, Event


class SqlUnitOfWork:
    """Services subclass it to expose their repositories on `self.session`.

    `publish` only queues the event: it reaches the outbox table in `commit`, in the same transaction.
    `after_commit` runs a callback once the transaction is committed (waking a background step that has new
    work); a rollback forgets it.

    A read-only one (`Database.read_only`) runs each statement on its own, without a transaction: it may not
    publish or commit, and its engine refuses writes. Its reads see what they would in an ordinary one (at READ
    COMMITTED, the platform's level, each statement takes its own snapshot anyway); what needs a lock held
    across statements (FOR UPDATE) takes the ordinary one.
    """

    read_only: bool = False

    def __init__(self, sessions: async_sessionmaker[AsyncSession], producer: str) -> None:
        self._sessions = sessions
        self.producer = producer
        self._pending: list[dict[str, Any]] = []
        self._after_commit: list[Callable[[], None]] = []
        self.cause: Envelope | None = None

    async def __aenter__(self) -> Self:
        self.session = self._sessions()
        self._pending = []
        self._after_commit = []
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.rollback()
        await self.session.close()

    def _writable(self) -> None:
        if self.read_only:
            raise RuntimeError("a read-only unit of work may not publish or commit")

    def publish(self, event: Event, correlation_id: UUID | None = None) -> Envelope:
        """Queue an event; if this unit of work handles a consumed event, the new one is caused by it."""
        self._writable()
        if self.cause is not None:
            envelope = self.cause.caused(event.topic, event.schema_version, self.producer, event.subject())
        else:
            extra = {"correlation_id": correlation_id} if correlation_id else {}
            envelope = Envelope(
                type=event.topic,
                schema_version=event.schema_version,
                producer=self.producer,
                subject=event.subject(),
                **extra,
            )
        self._pending.append(outbox_row(envelope, event))
        return envelope

    async def claim(self, envelope: Envelope, consumer: str) -> bool:
        """Idempotent consumer: False if this consumer already applied the event."""
        self.cause = envelope
        return await claim_in_inbox(self.session, envelope.id, consumer, envelope.type)

    async def claim_many(self, envelopes: list[Envelope], consumer: str) -> set[UUID]:
        """Idempotent consumer, for a batch: the ids this consumer had not applied yet."""
        return await claim_many_in_inbox(self.session, envelopes, consumer)

    async def claim_parking(self, parking_id: UUID, consumer: str) -> bool:
        """A record `consumer` parks on its dead-letter topic: False if it parked it already."""
        return await claim_in_inbox(self.session, parking_id, consumer, "dead-letter")

    async def commit(self) -> None:
        self._writable()
        rows, self._pending = self._pending, []
        await add_to_outbox(self.session, rows)
        await self.session.commit()
        if rows:
            await wake_relay(self.session)
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            callback()

    def after_commit(self, callback: Callable[[], None]) -> None:
        if callback not in self._after_commit:
            self._after_commit.append(callback)

    async def rollback(self) -> None:
        self._pending = []
        self._after_commit = []
        await self.session.rollback()
