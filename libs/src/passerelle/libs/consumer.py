"""Idempotent consumers with retries and dead letters, on FastStream's Kafka subscribers.

For every batch of records a subscriber receives:
1. each record is decoded on its own (CloudEvents headers + typed payload); one that cannot be (a header
   that is missing, null or not UTF-8, a body that does not match its schema) is parked at once with its
   raw bytes and the reason, and the others go on (FastStream's own parser, which decodes every header,
   only ever sees readable copies of the headers);
2. fast path: the whole batch is applied in one transaction, each event claimed in the inbox first
   (a redelivered event changes nothing);
3. if that fails, each record is applied alone, retried with backoff, and parked on the service's
   dead-letter topic with the error and its original headers when it keeps failing: a poison message
   never blocks its partition and is never dropped silently;
   an event that is not applicable *yet* (`NotYetApplicable`: its cause is on another topic, maybe on a
   partition another instance or a restarting one has not read yet) is no poison: the rest of the batch is
   applied, then it is tried again, and while it still waits its partition is read again from it (the records
   of that partition after it are re-read, the inbox skips those already applied), with a pause, for up to
   `not_yet_patience_seconds`; only then is it parked;
4. the offsets are committed only after the effects: the batch's own offsets, explicitly, in the
   background and in order, so the next batch does not wait for the broker (an infrastructure outage
   nacks instead, so the batch is read again; a commit lost in a crash only redelivers applied events,
   which the inbox skips).
Parking always succeeds: a record too large to be copied with the dead-letter headers is parked truncated,
with its size, its SHA-256 and its original topic, partition and offset (replay reads it back from there).
A batch that fails as a whole (the database or Kafka is down) is read again after a pause that doubles
with each failure in a row: the consumer never spins.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import hashlib
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Union

import psycopg
import sqlalchemy.exc
from aiokafka import AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.errors import KafkaError, MessageSizeTooLargeError
from faststream.kafka import KafkaBroker, KafkaMessage, Topic
from faststream.middlewares import AckPolicy

from passerelle.libs import committed_offsets
from passerelle.libs.logging import get_logger
from passerelle.libs.observability import logcontext, metrics
from passerelle.libs.observability.tracing import consume_span
from passerelle.libs.revisions import NotYetApplicable
from passerelle.libs.unit_of_work import SqlUnitOfWork
from passerelle.schemas import Envelope, Event, decode_record, event_for_topic
from passerelle.schemas.envelope import MalformedMessage
from passerelle.schemas.registry import check_origin, dead_letter_topic

log = get_logger(__name__)

Handler = Callable[[Any, Envelope, Any], Awaitable[None]]
# The kit's handler: `handler(context, uow, envelope, event)`, one use case per event type.
ContextHandler = Callable[[Any, Any, Envelope, Any], Awaitable[object]]
HandlerTable = Mapping[type[Event], ContextHandler]
# The batch form, for high-volume consumers: `handler(context, uow, [(envelope, event), ...])`.
ContextBatchHandler = Callable[[Any, Any, list[tuple[Envelope, Any]]], Awaitable[object]]
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
    # Counters for tests and metrics: batches, records, applied, parked, retries, batch_failures.
    stats: dict[str, int] = field(default_factory=dict)
    max_pause_seconds: float = 30.0
    # How long an event that is not applicable yet is read again before it is parked (its cause may sit on a
    # partition whose consumer is down until the group rebalances, or behind a broker or database restart).
    not_yet_patience_seconds: float = 600.0
    _failures_in_a_row: int = 0
    # Partitions to read again from an offset (a record still waiting for its cause): set by `process`,
    # taken by the subscriber, which seeks there and commits no further.
    rewind: dict[TopicPartition, int] = field(default_factory=dict)
    _waiting_since: dict[tuple[str, int, int], float] = field(default_factory=dict)
    _not_yet_reasons: dict[tuple[str, int, int], str] = field(default_factory=dict)
    _rewinds_in_a_row: int = 0
    # Records this process parked (topic, partition, offset): read again, they are skipped without a query.
    _parked: set[tuple[str, int, int]] = field(default_factory=set)

    def _count(self, name: str, amount: int = 1) -> None:
        self.stats[name] = self.stats.get(name, 0) + amount

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
        self.rewind = {}  # only this batch's waiting records (a batch that failed as a whole leaves none behind)
        self._count("batches")
        self._count("records", len(records))
        decoded: list[tuple[ConsumerRecord, Envelope, Any]] = []
        for record in records:
            try:
                envelope, payload = decode_record(record.value, record.headers)
                if record.topic not in self.handlers and record.topic not in self.batch_handlers:
                    raise MalformedMessage(f"topic {record.topic!r} is not consumed by {self.group}")
                # A forged record: another topic's type, or another service's name (issue #10, item 4).
                check_origin(record.topic, envelope.type, envelope.producer)
            except Exception as exc:  # noqa: BLE001 - whatever makes a record unreadable, it is parked
                await self._park(record, exc, attempts=1)
                continue
            decoded.append((record, envelope, payload))
        if not decoded:
            return
        try:
            await self._apply(decoded)
            self._count("applied", len(decoded))
            return
        except _INFRASTRUCTURE_ERRORS as exc:
            self._pause(exc)
        except Exception as exc:  # noqa: BLE001 - a poison message: isolate it below
            log.warning("batch failed, applying one by one", group=self.group, error=repr(exc))
        waiting: list[tuple[ConsumerRecord, Envelope, Any]] = []
        for item in decoded:
            record = item[0]
            # A later event of the same key and partition waits behind an earlier one that waits: order kept.
            if any(_same_stream(record, w[0]) for w in waiting) or not await self._apply_alone(item):
                waiting.append(item)
        if waiting:
            await self._wait_or_park(waiting)
        else:
            self._rewinds_in_a_row = 0

    async def _wait_or_park(self, waiting: list[tuple[ConsumerRecord, Envelope, Any]]) -> None:
        """The records not applicable yet, once the rest of the batch is applied: maybe their cause was in it."""
        still: list[tuple[ConsumerRecord, Envelope, Any]] = []
        for item in waiting:
            if any(_same_stream(item[0], w[0]) for w in still) or not await self._apply_alone(item):
                still.append(item)
        now = time.monotonic()
        for record, _, _ in still:
            key = (record.topic, record.partition, record.offset)
            since = self._waiting_since.setdefault(key, now)
            tp = TopicPartition(record.topic, record.partition)
            if now - since >= self.not_yet_patience_seconds and tp not in self.rewind:
                self._waiting_since.pop(key, None)
                reason = self._not_yet_reasons.pop(key, "")
                waited = NotYetApplicable(f"{reason} (not applicable after {now - since:.0f} s)".strip())
                await self._park(record, waited, attempts=0)
                continue
            self.rewind[tp] = min(self.rewind.get(tp, record.offset), record.offset)
            self._count("not_yet")
        waited = {(r.topic, r.partition, r.offset) for r, _, _ in still}
        for record, _, _ in waiting:
            if (record.topic, record.partition, record.offset) not in waited:
                self._waiting_since.pop((record.topic, record.partition, record.offset), None)
                self._not_yet_reasons.pop((record.topic, record.partition, record.offset), None)
        if self.rewind:
            self._rewinds_in_a_row += 1
            log.info(
                "events not applicable yet, their partitions will be read again",
                group=self.group,
                partitions={f"{tp.topic}/{tp.partition}": o for tp, o in self.rewind.items()},
            )

    def take_rewind(self) -> dict[TopicPartition, int]:
        rewind, self.rewind = self.rewind, {}
        return rewind

    def rewind_pause(self) -> float:
        """A pause before a waiting record is read again, longer each time in a row (never a hot loop)."""
        return min(max(self.backoff_seconds, 0.05) * 2 ** min(self._rewinds_in_a_row, 6), 5.0)

    async def failed(self) -> None:
        """The whole batch failed and will be read again: wait, longer after each failure in a row."""
        self._count("batch_failures")
        self._failures_in_a_row += 1
        delay = min(self.backoff_seconds * 5 * 2 ** (self._failures_in_a_row - 1), self.max_pause_seconds)
        log.warning("batch will be read again", group=self.group, retry_in=delay, failures=self._failures_in_a_row)
        await asyncio.sleep(delay)

    def succeeded(self) -> None:
        self._failures_in_a_row = 0

    async def _apply(self, items: Sequence[tuple[ConsumerRecord, Envelope, Any]]) -> None:
        started = time.perf_counter()
        async with self.uow_factory() as uow:
            fresh = await uow.claim_many([envelope for _, envelope, _ in items], self.group)
            by_topic: dict[str, list[tuple[Envelope, Any]]] = {}
            for record, envelope, payload in items:
                if envelope.id not in fresh:
                    metrics.CONSUMED.labels(metrics.service(), self.group, record.topic, "duplicate").inc()
                    continue
                if record.topic in self.batch_handlers:
                    by_topic.setdefault(record.topic, []).append((envelope, payload))
                else:
                    uow.cause = envelope  # events the handler publishes are caused by this one
                    # The span is current while the handler runs: the events it publishes continue this trace.
                    with consume_span(record.topic, record.headers, self.group, str(envelope.id)):
                        logcontext.bind(correlation_id=envelope.correlation_id, contract_id=contract_of(payload))
                        try:
                            await self.handlers[record.topic](uow, envelope, payload)
                        finally:
                            logcontext.unbind()
            for topic, batch in by_topic.items():
                uow.cause = None
                await self.batch_handlers[topic](uow, batch)
            await uow.commit()
        elapsed = time.perf_counter() - started
        for topic in {record.topic for record, _, _ in items}:
            metrics.PROCESSING.labels(metrics.service(), self.group, topic).observe(elapsed)
        for record, envelope, _ in items:
            if envelope.id in fresh:
                metrics.CONSUMED.labels(metrics.service(), self.group, record.topic, "applied").inc()

    async def _apply_alone(self, item: tuple[ConsumerRecord, Envelope, Any]) -> bool:
        """Applied (or parked as poison): True; not applicable yet: False (the caller decides when to retry)."""
        record = item[0]
        for attempt in range(1, self.max_attempts + 1):
            try:
                await self._apply([item])
                self._count("applied")
                return True
            except _INFRASTRUCTURE_ERRORS as exc:
                self._pause(exc)
            except NotYetApplicable as exc:
                self._not_yet_reasons[(record.topic, record.partition, record.offset)] = str(exc)
                log.info(
                    "event not applicable yet",
                    group=self.group,
                    topic=record.topic,
                    offset=record.offset,
                    reason=str(exc),
                )
                return False
            except Exception as exc:  # noqa: BLE001
                if attempt == self.max_attempts:
                    await self._park(record, exc, attempts=attempt)
                    return True
                self._count("retries")
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
        return True  # not reached: the last attempt returns

    def _pause(self, exc: BaseException) -> None:
        log.warning("dependency unavailable, batch will be read again", group=self.group, error=repr(exc))
        raise InfrastructureUnavailable(repr(exc)) from exc

    async def _park(self, record: ConsumerRecord, exc: BaseException, attempts: int) -> None:
        """Once per group and record: a record read again (its partition rewound to a waiting record before it, a
        batch that failed as a whole, a process killed before its offsets were committed) is not parked again.
        The parking is recorded in the group's inbox (the record's place in the log as its id), committed once the
        copy is on the dead-letter topic: only a crash between the two parks it twice."""
        if self.dead_letters is None:
            raise RuntimeError("no dead-letter producer configured") from exc
        place = (record.topic, record.partition, record.offset)
        if place in self._parked:
            return
        try:
            async with self.uow_factory() as uow:
                claim = getattr(uow, "claim_parking", None)
                if claim is not None and not await claim(parking_id(self.group, record), self.group):
                    self._parked.add(place)
                    log.info("record already parked", group=self.group, topic=record.topic, offset=record.offset)
                    return
                await self.dead_letters.park(self.group, record, exc, attempts)
                await uow.commit()
        except _INFRASTRUCTURE_ERRORS as db_exc:
            self._pause(db_exc)  # raises: the batch is read again once the database answers
        self._parked.add(place)
        self._count("parked")
        metrics.CONSUMED.labels(metrics.service(), self.group, record.topic, "parked").inc()
        metrics.DEAD_LETTERS.labels(metrics.service(), self.group, record.topic).inc()


def parking_id(group: str, record: ConsumerRecord) -> uuid.UUID:
    """The inbox id of a record's parking by a group: its place in the log (a malformed record has no event id)."""
    return uuid.uuid5(_PARKING, f"{group}/{record.topic}/{record.partition}/{record.offset}")


_PARKING = uuid.UUID("4f0c8a52-6a3e-4d0e-9a55-2b8f8f7f0d11")


def _same_stream(record: ConsumerRecord, other: ConsumerRecord) -> bool:
    """Two records of one key on one partition: one aggregate's events, kept in their order."""
    return record.topic == other.topic and record.partition == other.partition and record.key == other.key


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
    """Parks failed records on `dlt.<group>` with the error, keeping the original key, value and headers.

    A copy that would not fit under `max_bytes` (the producer's request limit, less a margin) is parked with
    the first `preview_bytes` of its value only, and headers that say so: `dlt_truncated`, `dlt_original_size`,
    `dlt_original_sha256`; the original stays readable at its topic, partition and offset.
    """

    def __init__(self, producer: AIOKafkaProducer, max_bytes: int = 900 * 1024, preview_bytes: int = 64 * 1024) -> None:
        self._producer = producer
        self.max_bytes = max_bytes
        self.preview_bytes = preview_bytes

    def copy_of(
        self, group: str, record: ConsumerRecord, exc: BaseException, attempts: int
    ) -> tuple[bytes | None, bytes | None, list[tuple[str, bytes | None]]]:
        """(key, value, headers) of the dead-letter record."""
        original = list(record.headers or ())
        parked: list[tuple[str, bytes | None]] = [
            ("dlt_error", repr(exc)[:2000].encode()),
            ("dlt_original_topic", record.topic.encode()),
            ("dlt_original_partition", str(record.partition).encode()),
            ("dlt_original_offset", str(record.offset).encode()),
            ("dlt_attempts", str(attempts).encode()),
            ("dlt_parked_at", datetime.now(UTC).isoformat().encode()),
        ]
        value: bytes | None = record.value
        key: bytes | None = record.key
        headers_size = sum(len(k) + len(v or b"") for k, v in original + parked)
        size = len(value or b"") + len(key or b"") + headers_size
        if size > self.max_bytes:
            whole = value or b""
            parked += [
                ("dlt_truncated", b"1"),
                ("dlt_original_size", str(len(whole)).encode()),
                ("dlt_original_sha256", hashlib.sha256(whole).hexdigest().encode()),
            ]
            value = whole[: self.preview_bytes]
            if len(key or b"") > self.preview_bytes:
                key = (key or b"")[: self.preview_bytes]
            if headers_size > self.preview_bytes:
                original = [("dlt_headers_dropped", str(len(original)).encode())]
        return key, value, original + parked

    async def park(self, group: str, record: ConsumerRecord, exc: BaseException, attempts: int) -> None:
        key, value, headers = self.copy_of(group, record, exc, attempts)
        topic = dead_letter_topic(group)
        try:
            await self._producer.send_and_wait(topic, value=value, key=key, headers=headers)
        except MessageSizeTooLargeError:
            # The broker's limit is lower than ours: the bare reference to the original always fits.
            minimal = [(k, v) for k, v in headers if k.startswith("dlt_")] + [("dlt_truncated", b"1")]
            await self._producer.send_and_wait(topic, value=b"", key=None, headers=minimal)
        except KafkaError as exc_kafka:
            raise InfrastructureUnavailable(f"cannot park on {topic}: {exc_kafka!r}") from exc_kafka
        log.error(
            "event parked on dead-letter topic",
            group=group,
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            attempts=attempts,
            error=repr(exc)[:500],
        )


def contract_of(payload: Any) -> str | None:
    """The contract an event is about, for the log context (events about people or organisations have none)."""
    value = getattr(payload, "contract_id", None)
    return str(value) if value is not None else None


def record_lag(consumer: Any, offsets: dict[TopicPartition, int]) -> None:
    """Records behind each partition's end once this batch is applied (the high watermark of the last fetch)."""
    group = getattr(consumer, "_group_id", None) or "unknown"
    for tp, next_offset in offsets.items():
        with contextlib.suppress(Exception):  # no fetch yet for this partition: nothing to report
            highwater = consumer.highwater(tp)
            if highwater is not None:
                lag = max(0, highwater - next_offset)
                metrics.LAG.labels(metrics.service(), group, tp.topic, str(tp.partition)).set(lag)


class OffsetCommitter:
    """Commits each processed batch's offsets after its effects, one commit after the other."""

    def __init__(self) -> None:
        self._last: asyncio.Task[None] | None = None

    def commit_soon(self, message: KafkaMessage, rewind: dict[TopicPartition, int] | None = None) -> None:
        """Commits the batch's offsets; a partition to be read again from an offset is committed up to it only."""
        offsets: dict[TopicPartition, int] = {}
        for record in message.raw_message:
            tp = TopicPartition(record.topic, record.partition)
            offsets[tp] = max(offsets.get(tp, 0), record.offset + 1)
        for tp, offset in (rewind or {}).items():
            offsets[tp] = min(offsets.get(tp, offset), offset)
        self._last = asyncio.create_task(self._commit_after(self._last, message.consumer, offsets))
        record_lag(message.consumer, offsets)

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


def readable_copy(record: ConsumerRecord) -> ConsumerRecord:
    """The record with every header value readable as UTF-8 (null and invalid bytes replaced)."""
    headers = record.headers or ()
    if all(isinstance(v, bytes) and _is_utf8(v) for _, v in headers):
        return record
    readable = tuple((k, v.decode("utf-8", "replace").encode() if isinstance(v, bytes) else b"") for k, v in headers)
    return dataclasses.replace(record, headers=readable)


def _is_utf8(value: bytes) -> bool:
    try:
        value.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def subscribe(broker: KafkaBroker, consumers: ConsumerGroup, *, max_records: int = 500) -> None:
    """One FastStream batch subscriber for all the service's topics: one group member, one join per process.

    The body is typed with the union of the event models, so the AsyncAPI document describes them.
    """
    committed_offsets.install()  # a group's offsets read back for sure: never its history replayed by mistake
    topics = consumers.topics
    models = tuple(event_for_topic(topic) for topic in topics)
    payload: Any = models[0] if len(models) == 1 else Union[models]  # noqa: UP007 - built at run time

    async def decode(message: KafkaMessage, _original: Any) -> list[dict[str, Any]]:
        # The group decodes the raw records itself, once (and parks those it cannot read): FastStream's typed
        # body, the union of the event models that the AsyncAPI document describes, is left empty, so no record
        # is decoded, dumped and validated against the union a second and third time before being applied.
        return []

    async def parse(records: tuple[ConsumerRecord, ...], original: Any) -> KafkaMessage:
        # FastStream decodes every header as UTF-8 and would fail on the whole batch: hand it readable
        # copies, and keep the raw records for the group, which parks the unreadable ones.
        message: KafkaMessage = await original(tuple(readable_copy(record) for record in records))
        message.raw_message = records
        return message

    committer = OffsetCommitter()
    consumers.committer = committer

    async def handle(events, message):  # noqa: ANN001, ANN202 - annotated below
        try:
            await consumers.process(message.raw_message)
        except Exception:
            await consumers.failed()  # a pause that grows with each failure in a row: never a hot loop
            await message.nack()  # read the batch again
            raise
        consumers.succeeded()
        rewind = consumers.take_rewind()
        committer.commit_soon(message, rewind)
        if rewind:
            # The waiting records are read again (after a pause): the partition goes on from them.
            for tp, offset in rewind.items():
                # A partition taken away meanwhile (a rebalance): its new owner reads it from the commit.
                with contextlib.suppress(Exception):
                    message.consumer.seek(partition=tp, offset=offset)
            await asyncio.sleep(consumers.rewind_pause())

    # Set explicitly: FastStream reads the annotations to build the payload schema and validate the body.
    handle.__annotations__ = {"events": list[payload], "message": KafkaMessage, "return": None}
    handle.__doc__ = f"The {consumers.group} service applies " + ", ".join(topics) + "."
    subscriber = broker.subscriber(
        # The platform creates its topics up front (the stack, the chart's topics Job); a service's principal may
        # not create topics, so FastStream must not try.
        *[Topic(topic, declare=False) for topic in topics],
        group_id=consumers.group,
        batch=True,
        max_records=max_records,
        batch_timeout_ms=IDLE_WAIT_MS,
        # The fetcher's own wake-up when nothing happens: a fetch answered, records taken, a seek or a new
        # assignment wake it at once anyway, so a longer one costs no latency (aiokafka's default).
        consumer_timeout_ms=200,
        # The broker answers a fetch as soon as a record arrives: this only bounds how often an idle consumer asks
        # again (each fetch names every assigned partition: about 160 for the notifier).
        fetch_max_wait_ms=500,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.MANUAL,
        parser=parse,
        decoder=decode,
        title=f"{consumers.group}",
        description=f"Consumed by the {consumers.group} service (consumer group {consumers.group}): "
        + ", ".join(topics),
    )
    subscriber(handle)
    wait_for_records(subscriber, max_records)


# How long one poll waits for records when there are none: it returns as soon as a fetch brings some, so this
# costs no latency, only bounds how often an idle consumer wakes.
IDLE_WAIT_MS = 500


# How long a batch taken while the consumer was busy waits for the records that reached the broker meanwhile.
TOP_UP_MS = 10
# A poll that returned sooner than this took records the fetcher already held: the consumer was busy.
BUFFERED_SECONDS = 0.001


def wait_for_records(subscriber: Any, max_records: int) -> None:
    """The subscriber's poll, without FastStream's sleep after an empty one, and topped up after a busy spell.

    FastStream's batch subscriber polls with `batch_timeout_ms` and sleeps as long again when the poll was empty:
    a short timeout kept the latency low but woke every consumer about a hundred times a second (about 6 % of a
    core each while idle, issue #17); a long one would add its sleep to the first record after a quiet spell.
    The poll waits on the fetcher's own signal instead (records arrive: it returns at once), so it can be long.

    aiokafka has one fetch in flight per broker and sends the next one only once the records of the last are
    taken. So while a batch is applied, the fetch sent when it was taken comes back with the first record that
    arrives, and every later one waits at the broker for the batch after: a whole batch's time more. When the
    poll finds records already waiting (the consumer was busy), the fetch it has just set off brings back, one
    round trip later, what arrived in the meantime: those are taken into the same batch (`TOP_UP_MS` at most,
    issue #13). After a quiet spell the poll waited for its records, and the batch goes at once."""

    async def get_msg(consumer: Any) -> tuple[ConsumerRecord, ...]:
        asked = time.monotonic()
        batches = await consumer.getmany(timeout_ms=IDLE_WAIT_MS, max_records=max_records)
        records = [record for records in batches.values() for record in records]
        busy = time.monotonic() - asked < BUFFERED_SECONDS
        if records and busy and len(records) < max_records:
            more = await consumer.getmany(timeout_ms=TOP_UP_MS, max_records=max_records - len(records))
            records += [record for records in more.values() for record in records]
        return tuple(records)

    subscriber.get_msg = get_msg
