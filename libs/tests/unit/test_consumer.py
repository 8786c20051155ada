"""The consumer group's rules, with a fake unit of work and a fake dead-letter producer (no I/O)."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest
import sqlalchemy.exc
from aiokafka.structs import ConsumerRecord, TopicPartition

from passerelle.libs.consumer import (
    IDLE_WAIT_MS,
    TOP_UP_MS,
    ConsumerGroup,
    DeadLetters,
    InfrastructureUnavailable,
    OffsetCommitter,
    readable_copy,
    wait_for_records,
)
from passerelle.libs.revisions import NotYetApplicable
from passerelle.schemas import Envelope, encode_record
from passerelle.schemas.events.platform import ProbeRecorded


class FakeUnitOfWork:
    applied: set[UUID] = set()

    def __init__(self, journal: list[Any]) -> None:
        self.journal = journal
        self.staged: list[Any] = []
        self.cause: Envelope | None = None
        self.committed = False

    async def __aenter__(self) -> FakeUnitOfWork:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.staged = []

    async def claim_many(self, envelopes: list[Envelope], consumer: str) -> set[UUID]:
        fresh = {e.id for e in envelopes} - self.applied
        self.staged.append(("claim", fresh))
        return fresh

    async def commit(self) -> None:
        for kind, value in self.staged:
            if kind == "claim":
                FakeUnitOfWork.applied |= value
            else:
                self.journal.append(value)
        self.staged = []


class FakeDeadLetters:
    def __init__(self) -> None:
        self.parked: list[tuple[ConsumerRecord, str]] = []

    async def park(self, group: str, record: ConsumerRecord, exc: BaseException, attempts: int) -> None:
        self.parked.append((record, repr(exc)))


def record(sequence: int, offset: int | None = None, value: bytes | None = None) -> ConsumerRecord:
    event = ProbeRecorded(key="k", sequence=sequence, run_id="r", recorded_at=datetime.now(UTC))
    envelope = Envelope(type=event.topic, schema_version=1, producer="test", subject="k")
    key, encoded, headers = encode_record(envelope, event)
    value = encoded if value is None else value
    return ConsumerRecord(
        event.topic,
        0,
        offset if offset is not None else sequence,
        0,
        0,
        key,
        value,
        None,
        len(key or b""),
        len(value),
        headers,
    )


@pytest.fixture
def journal() -> list[Any]:
    FakeUnitOfWork.applied = set()
    return []


def group_with(
    journal: list[Any], fail_on: set[int] = frozenset(), infra_down: bool = False
) -> tuple[ConsumerGroup, FakeDeadLetters]:
    dead = FakeDeadLetters()
    group = ConsumerGroup("test", uow_factory=lambda: FakeUnitOfWork(journal), max_attempts=3, backoff_seconds=0.0)
    group.dead_letters = dead  # type: ignore[assignment]

    @group.on(ProbeRecorded.topic)
    async def apply(uow: FakeUnitOfWork, envelope: Envelope, event: ProbeRecorded) -> None:
        if infra_down:
            raise sqlalchemy.exc.OperationalError("SELECT", {}, Exception("connection refused"))
        if event.sequence in fail_on:
            raise ValueError(f"cannot apply {event.sequence}")
        uow.staged.append(("effect", event.sequence))

    return group, dead


async def test_applies_each_event_once_even_when_redelivered(journal):
    group, dead = group_with(journal)
    batch = [record(i) for i in range(5)]
    await group.process(batch)
    await group.process(batch)  # the same records again, as after a crash before the offset commit
    assert journal == [0, 1, 2, 3, 4]
    assert dead.parked == []


async def test_malformed_record_is_parked_and_the_rest_applied(journal):
    group, dead = group_with(journal)
    await group.process([record(0), record(1, value=b"not json"), record(2)])
    assert journal == [0, 2]
    assert len(dead.parked) == 1 and "MalformedMessage" in dead.parked[0][1]


async def test_poison_event_is_retried_then_parked_without_blocking_the_others(journal):
    group, dead = group_with(journal, fail_on={1})
    await group.process([record(0), record(1), record(2)])
    assert journal == [0, 2]
    assert [(r.offset, "cannot apply 1" in err) for r, err in dead.parked] == [(1, True)]


async def test_infrastructure_outage_is_not_parked_but_raised_for_redelivery(journal):
    group, dead = group_with(journal, infra_down=True)
    with pytest.raises(InfrastructureUnavailable):
        await group.process([record(0)])
    assert journal == [] and dead.parked == []


async def test_batch_handler_receives_all_new_events_of_its_topic(journal):
    dead = FakeDeadLetters()
    group = ConsumerGroup("test", uow_factory=lambda: FakeUnitOfWork(journal), backoff_seconds=0.0)
    group.dead_letters = dead  # type: ignore[assignment]
    seen: list[list[int]] = []

    @group.on_batch(ProbeRecorded.topic)
    async def apply(uow: FakeUnitOfWork, batch: list[tuple[Envelope, ProbeRecorded]]) -> None:
        seen.append([e.sequence for _, e in batch])

    first = [record(i) for i in range(3)]
    await group.process(first)
    await group.process([*first, record(3)])
    assert seen == [[0, 1, 2], [3]]
    assert group.topics == [ProbeRecorded.topic]


def test_records_are_checked_against_their_topics_owner():
    """Issue #10, item 4: a record forged on a topic by another service, or with another topic's type, is
    malformed (parked), whatever its payload."""
    from passerelle.schemas.envelope import MalformedMessage
    from passerelle.schemas.registry import OWNERS, check_origin

    assert OWNERS["contract.transmitted"] == "contracts" and OWNERS["membership.revoked"] == "identity"
    assert OWNERS["anomaly.raised"] == "opco_processing" and OWNERS["document.uploaded"] == "documents"
    check_origin("contract.transmitted", "contract.transmitted", "contracts")
    check_origin("probe.recorded", "probe.recorded", "anyone")  # the platform's probe has no owner
    with pytest.raises(MalformedMessage, match="may not publish"):
        check_origin("contract.transmitted", "contract.transmitted", "documents")
    with pytest.raises(MalformedMessage, match="on topic"):
        check_origin("contract.transmitted", "contract.drafted", "contracts")


def with_headers(base: ConsumerRecord, **replace: bytes | None) -> ConsumerRecord:
    headers = tuple((k, replace.get(k, v)) for k, v in base.headers)
    return dataclasses.replace(base, headers=headers)


async def test_records_with_unreadable_headers_are_parked_and_the_rest_applied(journal):
    group, dead = group_with(journal)
    not_utf8 = with_headers(record(1), ce_type=b"\xff\xfeprobe")
    null = with_headers(record(2), ce_id=None)
    await group.process([record(0), not_utf8, null, record(3)])
    assert journal == [0, 3]
    reasons = [err for _, err in dead.parked]
    assert "'ce_type' is not UTF-8" in reasons[0] and "'ce_id' has a null value" in reasons[1]


def test_faststream_gets_readable_copies_and_the_group_the_raw_bytes():
    raw = with_headers(record(1), ce_type=b"\xff", ce_id=None)
    copy = readable_copy(raw)
    assert dict(copy.headers)["ce_type"] == "\ufffd".encode() and dict(copy.headers)["ce_id"] == b""
    assert dict(raw.headers)["ce_type"] == b"\xff"  # untouched
    clean = record(2)
    assert readable_copy(clean) is clean


def test_a_record_too_large_to_copy_is_parked_truncated_with_its_reference():
    dead = DeadLetters(producer=None, max_bytes=10_000, preview_bytes=1000)  # type: ignore[arg-type]
    big = record(1, value=b"x" * 50_000)
    key, value, headers = dead.copy_of("test", big, ValueError("too big"), attempts=1)
    found = dict(headers)
    assert value == b"x" * 1000
    assert found["dlt_truncated"] == b"1" and found["dlt_original_size"] == b"50000"
    assert found["dlt_original_sha256"] == hashlib.sha256(b"x" * 50_000).hexdigest().encode()
    assert (found["dlt_original_topic"], found["dlt_original_offset"]) == (b"probe.recorded", b"1")
    assert found["ce_id"] == dict(big.headers)["ce_id"]  # the original headers are kept
    small = record(2)
    small_key, small_value, small_headers = dead.copy_of("test", small, ValueError("x"), attempts=3)
    assert small_value == small.value and "dlt_truncated" not in dict(small_headers)


async def test_a_batch_that_keeps_failing_waits_longer_each_time(journal, monkeypatch):
    group, _ = group_with(journal)
    group.backoff_seconds = 0.1
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr("passerelle.libs.consumer.asyncio.sleep", sleep)
    for _ in range(6):
        await group.failed()
    group.succeeded()
    await group.failed()
    assert slept == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 0.5]
    assert group.stats["batch_failures"] == 7


def waiting_group(journal: list[Any], needs: dict[int, int], patience: float = 600.0) -> tuple[ConsumerGroup, Any]:
    """A group whose event `n` is applicable only once event `needs[n]` was (its cause, on another stream)."""
    dead = FakeDeadLetters()
    group = ConsumerGroup(
        "test", uow_factory=lambda: FakeUnitOfWork(journal), max_attempts=3, backoff_seconds=0.0,
        not_yet_patience_seconds=patience,
    )  # fmt: skip
    group.dead_letters = dead  # type: ignore[assignment]

    @group.on(ProbeRecorded.topic)
    async def apply(uow: FakeUnitOfWork, envelope: Envelope, event: ProbeRecorded) -> None:
        if event.sequence in needs and needs[event.sequence] not in journal:
            raise NotYetApplicable(f"{event.sequence} waits for {needs[event.sequence]}")
        uow.staged.append(("effect", event.sequence))

    return group, dead


def keyed(sequence: int, key: bytes) -> ConsumerRecord:
    return dataclasses.replace(record(sequence), key=key)


async def test_an_event_whose_cause_comes_later_in_the_batch_waits_for_it_instead_of_being_parked(journal):
    group, dead = waiting_group(journal, needs={0: 1})
    await group.process([keyed(0, b"a"), keyed(1, b"b")])
    assert journal == [1, 0] and dead.parked == [] and group.take_rewind() == {}


async def test_an_event_not_applicable_yet_is_read_again_from_its_offset_while_the_rest_goes_on(journal):
    group, dead = waiting_group(journal, needs={1: 9})
    # 1 waits for 9 (not read yet); 2 is another contract's: applied; 3 is 1's contract's: it waits behind 1.
    batch = [keyed(0, b"a"), keyed(1, b"x"), keyed(2, b"b"), keyed(3, b"x")]
    await group.process(batch)
    assert journal == [0, 2] and dead.parked == []
    assert group.take_rewind() == {TopicPartition(ProbeRecorded.topic, 0): 1}
    # Read again from offset 1 once the cause arrived: applied in order, the others skipped by the inbox.
    await group.process([keyed(9, b"y")])
    await group.process(batch[1:])
    assert journal == [0, 2, 9, 1, 3] and dead.parked == [] and group.take_rewind() == {}


async def test_an_event_that_never_becomes_applicable_is_parked_after_the_patience(journal):
    group, dead = waiting_group(journal, needs={1: 9}, patience=0.0)
    await group.process([keyed(1, b"x"), keyed(2, b"b")])
    assert journal == [2] and group.take_rewind() == {}
    assert len(dead.parked) == 1 and "not applicable" in dead.parked[0][1]


def test_a_partition_read_again_is_committed_up_to_the_waiting_record_only():
    committed: list[dict[Any, int]] = []

    class Consumer:
        async def commit(self, offsets: dict[Any, int]) -> None:
            committed.append(offsets)

    class Message:
        raw_message = (record(4), record(5), dataclasses.replace(record(7), partition=1))
        consumer = Consumer()

    async def run() -> None:
        committer = OffsetCommitter()
        committer.commit_soon(Message(), {TopicPartition(ProbeRecorded.topic, 0): 5})  # type: ignore[arg-type]
        await committer.flush()

    import asyncio

    asyncio.run(run())
    assert committed == [{TopicPartition(ProbeRecorded.topic, 0): 5, TopicPartition(ProbeRecorded.topic, 1): 8}]


class ParkingUnitOfWork(FakeUnitOfWork):
    """The inbox's record of parkings, as SqlUnitOfWork.claim_parking keeps it (committed with the unit of work)."""

    parkings: set[UUID] = set()

    async def claim_parking(self, parking_id: UUID, consumer: str) -> bool:
        if parking_id in ParkingUnitOfWork.parkings:
            return False
        self.staged.append(("parking", parking_id))
        return True

    async def commit(self) -> None:
        for kind, value in self.staged:
            if kind == "parking":
                ParkingUnitOfWork.parkings.add(value)
        self.staged = [item for item in self.staged if item[0] != "parking"]
        await super().commit()


async def test_a_malformed_record_read_again_behind_a_waiting_one_is_parked_once(journal):
    """The partition is read again from a waiting record: the malformed record after it is not parked twice, nor
    by a new process (killed after the parking, its offsets not committed past it: the inbox remembers)."""
    ParkingUnitOfWork.parkings = set()

    def new_group() -> tuple[ConsumerGroup, FakeDeadLetters]:
        dead = FakeDeadLetters()
        group = ConsumerGroup("test", uow_factory=lambda: ParkingUnitOfWork(journal), backoff_seconds=0.0)
        group.dead_letters = dead  # type: ignore[assignment]

        @group.on(ProbeRecorded.topic)
        async def apply(uow: FakeUnitOfWork, envelope: Envelope, event: ProbeRecorded) -> None:
            if event.sequence == 0 and 9 not in journal:
                raise NotYetApplicable("0 waits for 9")
            uow.staged.append(("effect", event.sequence))

        return group, dead

    group, dead = new_group()
    batch = [keyed(0, b"a"), dataclasses.replace(record(1), value=b"not json"), keyed(2, b"b")]
    await group.process(batch)
    assert group.take_rewind() == {TopicPartition(ProbeRecorded.topic, 0): 0}
    await group.process(batch)  # read again from offset 0
    assert [r.offset for r, _ in dead.parked] == [1] and journal == [2]
    restarted, dead_after = new_group()  # a new process, reading from the committed offset 0
    await restarted.process([keyed(9, b"c")])
    await restarted.process(batch)
    assert dead_after.parked == [] and journal == [2, 9, 0]


class ScriptedConsumer:
    """`getmany` answers from a script: (delay in seconds, records) per call, and records its calls."""

    def __init__(self, *answers: tuple[float, list[ConsumerRecord]]) -> None:
        self.answers = list(answers)
        self.calls: list[tuple[int, int]] = []

    async def getmany(self, timeout_ms: int, max_records: int) -> dict[TopicPartition, list[ConsumerRecord]]:
        self.calls.append((timeout_ms, max_records))
        delay, records = self.answers.pop(0) if self.answers else (timeout_ms / 1000, [])
        if delay:
            await asyncio.sleep(delay)
        batches: dict[TopicPartition, list[ConsumerRecord]] = {}
        for record in records[:max_records]:
            batches.setdefault(TopicPartition(record.topic, record.partition), []).append(record)
        return batches


def _poll(max_records: int = 500) -> Any:
    subscriber = type("Subscriber", (), {})()
    wait_for_records(subscriber, max_records)
    return subscriber.get_msg


def _records(partition: int, offsets: range) -> list[ConsumerRecord]:
    return [dataclasses.replace(record(o), partition=partition) for o in offsets]


async def test_a_batch_found_waiting_takes_in_what_reached_the_broker_meanwhile():
    # Busy: the first answer was already buffered; the fetch it set off brings two more records, one on the same
    # partition (after the first ones, in order) and one on another.
    first, later = _records(0, range(0, 2)), [*_records(0, range(2, 3)), *_records(1, range(0, 1))]
    consumer = ScriptedConsumer((0, first), (0.002, later))
    taken = await _poll()(consumer)
    assert [(r.partition, r.offset) for r in taken] == [(0, 0), (0, 1), (0, 2), (1, 0)]
    assert consumer.calls == [(IDLE_WAIT_MS, 500), (TOP_UP_MS, 498)]


async def test_a_batch_waited_for_after_a_quiet_spell_goes_at_once():
    consumer = ScriptedConsumer((0.01, _records(0, range(0, 1))), (0, _records(0, range(1, 2))))
    taken = await _poll()(consumer)
    assert [r.offset for r in taken] == [0]
    assert len(consumer.calls) == 1


async def test_a_full_batch_is_not_topped_up_and_a_top_up_asks_for_its_short_bound_only():
    full = ScriptedConsumer((0, _records(0, range(0, 3))), (0, _records(0, range(3, 4))))
    assert len(await _poll(max_records=3)(full)) == 3 and len(full.calls) == 1
    # Nothing arrived meanwhile: the batch goes with what it had, after a top-up bounded by TOP_UP_MS (not 500 ms).
    quiet = ScriptedConsumer((0, _records(0, range(0, 1))))
    assert len(await _poll()(quiet)) == 1
    assert quiet.calls == [(IDLE_WAIT_MS, 500), (TOP_UP_MS, 499)]
