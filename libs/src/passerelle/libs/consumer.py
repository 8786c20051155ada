"""Idempotent consumers with retries and dead letters, on FastStream's Kafka subscribers.

For every batch of records a subscriber receives:
1. each record is decoded (CloudEvents headers + typed payload); a malformed one is parked at once;
2. fast path: the whole batch is applied in one transaction, each event claimed in the inbox first
   (a redelivered event changes nothing);
3. if that fails, each record is applied alone, retried with backoff, and parked on the service's
   dead-letter topic with the error and its original headers when it keeps failing: a poison message
   never blocks its partition and is never dropped silently;
4. the offsets are committed only after the effects: the batch's own offsets, explicitly, in the
   background and in order, so the next batch does not wait for the broker (an infrastructure outage
   nacks instead, so the batch is read again; a commit lost in a crash only redelivers applied events,
   which the inbox skips).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Union

import psycopg
import sqlalchemy.exc
from aiokafka import AIOKafkaProducer, ConsumerRecord, TopicPartition
from faststream.kafka import KafkaBroker, KafkaMessage
from faststream.middlewares import AckPolicy

from passerelle.libs.logging import get_logger
from passerelle.libs.unit_of_work import SqlUnitOfWork
from passerelle.schemas import Envelope, Event, decode_record, event_for_topic
from passerelle.schemas.envelope import MalformedMessage
from passerelle.schemas.registry import check_origin, dead_letter_topic

log = get_logger(__name__)

Handler = Callable[[Any, Envelope, Any], Awaitable[None]]
# The kit's handler: `handler(context, uow, envelope, event)`, one use case per event type.
ContextHandler = Callable[[Any, Any, Envelope, Any], Awaitable[None]]
HandlerTable = Mapping[type[Event], ContextHandler]
# The batch form, for high-volume consumers: `handler(context, uow, [(envelope, event), ...])`.
ContextBatchHandler = Callable[[Any, Any, list[tuple[Envelope, Any]]], Awaitable[None]]
BatchHandlerTable = Mapping[type[Event], ContextBatchHandler]
# A batch handler applies all the new events of one topic of a batch at once (high-volume consumers).
BatchHandler = Callable[[Any, list[tuple[Envelope, Any]]], Awaitable[None]]
_INFRASTRUCTURE_ERRORS = (
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    psycopg.OperationalError,
    ConnectionError,
    TimeoutError,
)


class InfrastructureUnavailable(Exception):
    """The database (or another dependency) is down: the batch is not committed and is read again."""


@dataclass
class ConsumerGroup:
    """The events one service consumes, and what it does with each."""

    group: str
    uow_factory: Callable[[], SqlUnitOfWork]
    handlers: dict[str, Handler] = field(default_factory=dict)
    batch_handlers: dict[str, BatchHandler] = field(default_factory=dict)
    max_attempts: int = 5
    backoff_seconds: float = 0.2
    dead_letters: DeadLetters | None = None
    committer: OffsetCommitter | None = None

    @classmethod
    def from_table(
        cls,
        group: str,
        context: Any,
        handlers: HandlerTable,
        batch_handlers: BatchHandlerTable | None = None,
    ) -> ConsumerGroup:
        """The group that applies `handlers` (`{EventType: use_case}`), each in a unit of work of `context`."""
        consumers = cls(group, uow_factory=context.uow_factory)
        for event_type, handler in handlers.items():
            consumers.handlers[event_type.topic] = _bind(context, handler)
        for event_type, batch_handler in (batch_handlers or {}).items():
            consumers.batch_handlers[event_type.topic] = _bind_batch(context, batch_handler)
        return consumers

    def on(self, topic: str) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.handlers[topic] = handler
            return handler

        return register

    def on_batch(self, topic: str) -> Callable[[BatchHandler], BatchHandler]:
        def register(handler: BatchHandler) -> BatchHandler:
            self.batch_handlers[topic] = handler
            return handler

        return register

    @property
    def topics(self) -> list[str]:
        return [*self.handlers, *(t for t in self.batch_handlers if t not in self.handlers)]

    async def process(self, records: Sequence[ConsumerRecord]) -> None:
        decoded: list[tuple[ConsumerRecord, Envelope, Any]] = []
        for record in records:
            try:
                envelope, payload = decode_record(record.value, record.headers)
                # A forged record: another service's name, or another topic's type (issue #10, item 4).
                check_origin(record.topic, envelope.type, envelope.producer)
            except MalformedMessage as exc:
                await self._park(record, exc, attempts=1)
                continue
            decoded.append((record, envelope, payload))
        if not decoded:
            return
        try:
            await self._apply(decoded)
            return
        except _INFRASTRUCTURE_ERRORS as exc:
            await self._pause(exc)
        except Exception as exc:  # noqa: BLE001 - a poison message: isolate it below
            log.warning("batch failed, applying one by one", group=self.group, error=repr(exc))
        for item in decoded:
            await self._apply_alone(item)

    async def _apply(self, items: Sequence[tuple[ConsumerRecord, Envelope, Any]]) -> None:
        async with self.uow_factory() as uow:
            fresh = await uow.claim_many([envelope for _, envelope, _ in items], self.group)
            by_topic: dict[str, list[tuple[Envelope, Any]]] = {}
            for record, envelope, payload in items:
                if envelope.id not in fresh:
                    continue
                if record.topic in self.batch_handlers:
                    by_topic.setdefault(record.topic, []).append((envelope, payload))
                else:
                    uow.cause = envelope  # events the handler publishes are caused by this one
                    await self.handlers[record.topic](uow, envelope, payload)
            for topic, batch in by_topic.items():
                uow.cause = None
                await self.batch_handlers[topic](uow, batch)
            await uow.commit()

    async def _apply_alone(self, item: tuple[ConsumerRecord, Envelope, Any]) -> None:
        record = item[0]
        for attempt in range(1, self.max_attempts + 1):
            try:
                await self._apply([item])
                return
            except _INFRASTRUCTURE_ERRORS as exc:
                await self._pause(exc)
            except Exception as exc:  # noqa: BLE001
                if attempt == self.max_attempts:
                    await self._park(record, exc, attempts=attempt)
                    return
                delay = self.backoff_seconds * 2 ** (attempt - 1)
                log.warning(
                    "event failed, retrying",
                    group=self.group,
                    topic=record.topic,
                    offset=record.offset,
                    attempt=attempt,
                    retry_in=delay,
                    error=repr(exc),
                )
                await asyncio.sleep(delay)

    async def _pause(self, exc: BaseException) -> None:
        log.warning("dependency unavailable, batch will be read again", group=self.group, error=repr(exc))
        await asyncio.sleep(self.backoff_seconds * 5)
        raise InfrastructureUnavailable(repr(exc)) from exc

    async def _park(self, record: ConsumerRecord, exc: BaseException, attempts: int) -> None:
        if self.dead_letters is None:
            raise RuntimeError("no dead-letter producer configured") from exc
        await self.dead_letters.park(self.group, record, exc, attempts)


def _bind(context: Any, handler: ContextHandler) -> Handler:
    async def bound(uow: Any, envelope: Envelope, event: Any) -> None:
        await handler(context, uow, envelope, event)

    bound.__name__ = getattr(handler, "__name__", "handler")
    return bound


def _bind_batch(context: Any, handler: ContextBatchHandler) -> BatchHandler:
    async def bound(uow: Any, batch: list[tuple[Envelope, Any]]) -> None:
        await handler(context, uow, batch)

    bound.__name__ = getattr(handler, "__name__", "handler")
    return bound


class DeadLetters:
    """Parks failed records on `dlt.<group>` with the error, keeping the original key, value and headers."""

    def __init__(self, producer: AIOKafkaProducer) -> None:
        self._producer = producer

    async def park(self, group: str, record: ConsumerRecord, exc: BaseException, attempts: int) -> None:
        headers = list(record.headers or ()) + [
            ("dlt_error", repr(exc)[:2000].encode()),
            ("dlt_original_topic", record.topic.encode()),
            ("dlt_original_partition", str(record.partition).encode()),
            ("dlt_original_offset", str(record.offset).encode()),
            ("dlt_attempts", str(attempts).encode()),
            ("dlt_parked_at", datetime.now(UTC).isoformat().encode()),
        ]
        await self._producer.send_and_wait(
            dead_letter_topic(group), value=record.value, key=record.key, headers=headers
        )
        log.error(
            "event parked on dead-letter topic",
            group=group,
            topic=record.topic,
            offset=record.offset,
            attempts=attempts,
            error=repr(exc),
        )


class OffsetCommitter:
    """Commits each processed batch's offsets after its effects, one commit after the other."""

    def __init__(self) -> None:
        self._last: asyncio.Task[None] | None = None

    def commit_soon(self, message: KafkaMessage) -> None:
        offsets: dict[TopicPartition, int] = {}
        for record in message.raw_message:
            tp = TopicPartition(record.topic, record.partition)
            offsets[tp] = max(offsets.get(tp, 0), record.offset + 1)
        self._last = asyncio.create_task(self._commit_after(self._last, message.consumer, offsets))

    @staticmethod
    async def _commit_after(previous: asyncio.Task[None] | None, consumer: Any, offsets: dict[Any, int]) -> None:
        if previous is not None:
            with contextlib.suppress(Exception):
                await previous
        try:
            await consumer.commit(offsets)
        except Exception as exc:  # noqa: BLE001 - the next commit covers it; a redelivery is harmless
            log.warning("offset commit failed", error=repr(exc))

    async def flush(self) -> None:
        if self._last is not None:
            with contextlib.suppress(Exception):
                await self._last


def subscribe(broker: KafkaBroker, consumers: ConsumerGroup, *, max_records: int = 500) -> None:
    """One FastStream batch subscriber for all the service's topics: one group member, one join per process.

    The body is typed with the union of the event models, so the AsyncAPI document describes them.
    """
    topics = consumers.topics
    models = tuple(event_for_topic(topic) for topic in topics)
    payload: Any = models[0] if len(models) == 1 else Union[models]  # noqa: UP007 - built at run time

    async def decode(message: KafkaMessage, _original: Any) -> list[dict[str, Any]]:
        # Only well-formed events reach FastStream's typed body; the group parks the others itself.
        out: list[dict[str, Any]] = []
        for record in message.raw_message:
            try:
                out.append(decode_record(record.value, record.headers)[1].model_dump(mode="json"))
            except MalformedMessage:
                continue
        return out

    committer = OffsetCommitter()
    consumers.committer = committer

    async def handle(events, message):  # noqa: ANN001, ANN202 - annotated below
        try:
            await consumers.process(message.raw_message)
        except Exception:
            await message.nack()  # read the batch again (after the pause that process() took)
            raise
        committer.commit_soon(message)

    # Set explicitly: FastStream reads the annotations to build the payload schema and validate the body.
    handle.__annotations__ = {"events": list[payload], "message": KafkaMessage, "return": None}
    handle.__doc__ = f"The {consumers.group} service applies " + ", ".join(topics) + "."
    broker.subscriber(
        *topics,
        group_id=consumers.group,
        batch=True,
        max_records=max_records,
        # FastStream sleeps this long after an empty poll: it bounds the latency added when idle.
        batch_timeout_ms=5,
        # Latency over idle cost: the fetcher re-checks its buffer often, the broker answers a fetch soon.
        consumer_timeout_ms=10,
        fetch_max_wait_ms=100,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.MANUAL,
        decoder=decode,
        title=f"{consumers.group}",
        description=f"Consumed by the {consumers.group} service (consumer group {consumers.group}): "
        + ", ".join(topics),
    )(handle)
