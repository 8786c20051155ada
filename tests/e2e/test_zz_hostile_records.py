"""Malformed and forged records on every topic a service consumes (issue #10, the third suite).

Every service that consumes (its own consumer group: its handler table, its database, its inbox, its
dead-letter topic) reads, through the real Kafka, every topic it consumes, where HOSTILE_PER_TOPIC hostile
records (the issue asks 1,000; `make test` runs 24, two of each kind) are mixed with valid events: bytes that are
not JSON, no value, no CloudEvents headers, another service's name as producer (a forged record), another
topic's type, a payload of the wrong shape, an unknown schema version, a NUL character in a text field, invalid
UTF-8, deep nesting, a large value, an event id that is not one.
Expected, for each service: no crash, every valid event applied (its id in the service's inbox), every hostile
record parked on the dead-letter topic. It prints records / parked / applied per service.

The file is named to run last of the e2e tests: consumer groups created after it (tests start new ones from
the earliest offset) would read its records too. The test reads from the partitions' end offsets taken before
it produces, on every partition (it once read only partition 0 of each topic and waited for the others'
records until its 15-minute deadline: the stall of the last full run), and stops when every record was seen or
none came for a while, so it cannot wait for ever.
"""

from __future__ import annotations

import importlib
import json
import os
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from aiokafka import AIOKafkaConsumer, TopicPartition

from passerelle.libs.consumer import ConsumerGroup, DeadLetters
from passerelle.libs.kafka_auth import kafka_options
from passerelle.libs.relay import make_producer
from passerelle.libs.testing.database import fresh_service_database
from passerelle.libs.testing.events import envelope_for, record_of, sample_event
from passerelle.schemas import Event, encode_record
from passerelle.schemas.envelope import SOURCE_PREFIX
from passerelle.schemas.events.contracts import ContractDrafted
from passerelle.schemas.events.identity import (
    AccountRegistered,
    MembershipGranted,
    MembershipRevoked,
    MembershipRoleChanged,
    OrganisationRegistered,
)
from passerelle.schemas.registry import EVENTS, OWNERS

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
HOSTILE_PER_TOPIC = int(os.environ.get("HOSTILE_PER_TOPIC", "24"))
VALID_PER_TOPIC = max(2, HOSTILE_PER_TOPIC // 20)
KINDS = 12
QUIET_SECONDS = 20  # no record for this long after producing: whatever is missing will not come
# Free-text fields first: a NUL there is not refused by a type (a UUID, a date) but by the decoder.
TEXT_FIELDS = ("full_name", "name", "email", "employer_email", "reason", "filename", "opco_file_number", "message")
SERVICE_NAMES = [p.name for p in (REPO / "services").iterdir() if (p / "pyproject.toml").exists()]


def package_of(service: str) -> str:
    return service.replace("-", "_")


def consuming_services() -> list[str]:
    """Every service with a consumers' handler table (a new one is covered without being listed)."""
    found = []
    for service in sorted(SERVICE_NAMES):
        try:
            module = importlib.import_module(f"passerelle.{package_of(service)}.entrypoints.consumers")
        except ModuleNotFoundError:
            continue
        if getattr(module, "HANDLERS", None):
            found.append(service)
    return found


def build(service: str) -> Any:
    """The service wired by its own bootstrap, with nothing running in the background: the test feeds its group."""
    package = package_of(service)
    config = importlib.import_module(f"passerelle.{package}.config")
    wiring = importlib.import_module(f"passerelle.{package}.bootstrap")
    wanted = {
        "database_url": fresh_service_database(REPO / "services" / service, f"e2e_hostile_{package}"),
        "consumers_enabled": False,
        "relay_in_process": False,
        "revocation_feed_enabled": False,
        "background_enabled": False,
        "reconcile_in_process": False,
        "bulk_worker_enabled": False,
        "log_json": False,
    }
    fields = config.Settings.model_fields
    return wiring.bootstrap(config.Settings(**{k: v for k, v in wanted.items() if k in fields}))


def nul_in_text(event: Event) -> bytes:
    """The event's JSON with a NUL character in a text field (PostgreSQL cannot store it)."""
    body = event.model_dump(mode="json")
    name = next((n for n in TEXT_FIELDS if isinstance(body.get(n), str)), None)
    if name is not None:
        body[name] += "\x00"
    elif isinstance(body.get("parties"), dict):
        body["parties"]["employer_siret"] = "812083285\x0000013"
    else:
        name = next(n for n, v in body.items() if isinstance(v, str))
        body[name] += "\x00"
    return json.dumps(body).encode()


def hostile(topic: str, n: int, event: Event) -> tuple[bytes | None, bytes | None, list[tuple[str, bytes]]]:
    """The n-th hostile record for `topic`, built from a valid event: (key, value, headers)."""
    key, value, headers = encode_record(envelope_for(event), event)

    def with_header(name: str, new: bytes) -> list[tuple[str, bytes]]:
        assert name in dict(headers), name
        return [(k, new if k == name else v) for k, v in headers]

    kind = n % KINDS
    if kind == 0:
        return key, bytes(range(256)) * 3, headers  # not JSON at all
    if kind == 1:
        return key, None, headers  # no value
    if kind == 2:
        return key, value, []  # no CloudEvents headers
    if kind == 3:
        forger = next(s for s in ("documents", "notifier", "contracts") if s != OWNERS.get(topic))
        return key, value, with_header("ce_source", (SOURCE_PREFIX + forger).encode())  # forged producer
    if kind == 4:
        other = next(e.topic for e in EVENTS if e.topic != topic)
        return key, value, with_header("ce_type", other.encode())  # another topic's type
    if kind == 5:
        return key, json.dumps({"contract_id": "pas-un-uuid", "parties": 3, "account_id": []}).encode(), headers
    if kind == 6:
        return key, value, with_header("ce_schemaversion", b"99")
    if kind == 7:
        return key, nul_in_text(event), headers
    if kind == 8:
        return key, b'{"contract_id": "\xff\xfe"}', headers  # invalid UTF-8
    if kind == 9:
        return key, b"[" * 3000 + b"]" * 3000, headers  # deep nesting
    if kind == 10:
        return key, b'{"x": "' + b"a" * 64_000 + b'"}', headers  # large
    return key, value, with_header("ce_id", b"\xff not an id")


def prerequisites(event: Event) -> list[Event]:
    """The events a consumer must have applied before this one makes sense."""
    found: list[Event] = []
    contract_id = getattr(event, "contract_id", None)
    if contract_id is not None and event.topic != ContractDrafted.topic:
        found.append(sample_event(ContractDrafted, contract_id=contract_id))
    if isinstance(event, MembershipRoleChanged | MembershipRevoked):
        organisation = sample_event(OrganisationRegistered, organisation_id=event.organisation_id)
        granted = sample_event(
            MembershipGranted,
            membership_id=event.membership_id,
            account_id=event.account_id,
            organisation_id=event.organisation_id,
        )
        account = sample_event(AccountRegistered, account_id=event.account_id)
        found += [organisation, account, granted]
    return found


class CountingDeadLetters(DeadLetters):
    def __init__(self, producer: Any, parked: list[tuple[str, int, int]]) -> None:
        super().__init__(producer)
        self.parked = parked

    async def park(self, group: str, record: Any, exc: BaseException, attempts: int) -> None:
        await super().park(group, record, exc, attempts)
        self.parked.append((record.topic, record.partition, record.offset))


async def applied_ids(service: Any, group: str, ids: list[uuid.UUID]) -> set[uuid.UUID]:
    async with service.context.uow_factory() as uow:
        rows = await uow.session.execute(
            sa.text("SELECT event_id FROM inbox WHERE consumer = :group AND event_id = ANY(:ids)"),
            {"group": group, "ids": ids},
        )
        return {row[0] for row in rows}


async def test_hostile_records_on_every_consumed_topic_are_parked_and_valid_ones_applied(stack):
    bootstrap_servers = stack["PASSERELLE_KAFKA_BOOTSTRAP"]
    services = {name: build(name) for name in consuming_services()}
    assert {"contracts", "documents", "opco-processing", "notifier"} <= set(services), services
    groups: dict[str, ConsumerGroup] = {}
    for name, service in services.items():
        group = service.consumer_group
        assert group is not None and group.topics, name
        group.max_attempts, group.backoff_seconds = 2, 0.01
        groups[name] = group
    topics = sorted({t for g in groups.values() for t in g.topics})
    by_topic = {e.topic: e for e in EVENTS}

    producer = make_producer(bootstrap_servers)
    await producer.start()
    readers: dict[str, AIOKafkaConsumer] = {}
    parked: dict[str, list[tuple[str, int, int]]] = {name: [] for name in groups}
    valid_events = {t: [sample_event(by_topic[t]) for _ in range(VALID_PER_TOPIC)] for t in topics}
    # What a valid event presupposes is applied first (a contract known, a membership granted): the notifier
    # retries, then parks, an event about a contract or a membership it has not heard of, and rightly so.
    for name, group in groups.items():
        group.dead_letters = DeadLetters(producer)
        seeds = [s for t in group.topics for e in valid_events[t] for s in prerequisites(e) if s.topic in group.topics]
        records = [record_of(envelope_for(s), s, offset=i) for i, s in enumerate(seeds)]
        for i in range(0, len(records), 200):
            await group.process(records[i : i + 200])
        assert not group.stats.get("parked"), f"{name} parked a prerequisite: {group.stats}"
        group.dead_letters = CountingDeadLetters(producer, parked[name])
    valid: dict[str, list[uuid.UUID]] = {t: [] for t in topics}
    hostile_count = dict.fromkeys(topics, 0)
    seen = dict.fromkeys(groups, 0)
    try:
        for name, group in groups.items():
            reader = AIOKafkaConsumer(
                bootstrap_servers=bootstrap_servers, **kafka_options(), group_id=None, enable_auto_commit=False
            )
            await reader.start()
            readers[name] = reader
            # Every partition of every topic, from fresh metadata (the consumer's cached metadata is empty before
            # it subscribes: the old `partitions_for_topic(t) or [0]` read partition 0 only, and stalled).
            partitions = [TopicPartition(t, p) for t in group.topics for p in await producer.partitions_for(t)]
            assert {tp.topic for tp in partitions} == set(group.topics), "a consumed topic has no partition"
            reader.assign(partitions)
            for tp, offset in (await reader.end_offsets(partitions)).items():
                reader.seek(tp, offset)

        per_topic = HOSTILE_PER_TOPIC + VALID_PER_TOPIC
        every = per_topic // VALID_PER_TOPIC
        for topic in topics:
            for n in range(per_topic):
                event = sample_event(by_topic[topic])
                if n % every == 0 and len(valid[topic]) < VALID_PER_TOPIC:
                    event = valid_events[topic][len(valid[topic])]
                    envelope = envelope_for(event)
                    key, value, headers = encode_record(envelope, event)
                    valid[topic].append(envelope.id)
                else:
                    key, value, headers = hostile(topic, hostile_count[topic], event)
                    hostile_count[topic] += 1
                await producer.send(topic, key=key, value=value, headers=headers)
        await producer.flush()

        expected = {name: sum(len(valid[t]) + hostile_count[t] for t in g.topics) for name, g in groups.items()}
        for name, group in groups.items():
            reader, last_record = readers[name], time.monotonic()
            while seen[name] < expected[name] and time.monotonic() - last_record < QUIET_SECONDS:
                batches = await reader.getmany(timeout_ms=1000, max_records=500)
                for records in batches.values():
                    if records:
                        last_record = time.monotonic()
                    seen[name] += len(records)
                    await group.process(records)  # must never raise
    finally:
        for reader in readers.values():
            await reader.stop()
        await producer.stop()

    failures = []
    total_records = total_parked = total_applied = 0
    for name, group in groups.items():
        sent_valid = [i for t in group.topics for i in valid[t]]
        sent_hostile = sum(hostile_count[t] for t in group.topics)
        applied = await applied_ids(services[name], group.group, sent_valid)
        # A valid event whose cause this service has not seen (a decision about a contract it never had) is held
        # by the group as not applicable yet, its partition to be read again (the subscriber seeks back there; this
        # reader does not): kept, not lost. Hostile records never reach that point (they are parked at decoding).
        held = len(group._waiting_since)
        total_records += expected[name]
        total_parked += len(parked[name])
        total_applied += len(applied)
        print(
            f"hostile records ({name}): {expected[name]} records on {len(group.topics)} topics, {sent_hostile} hostile, "
            f"{len(parked[name])} parked, {len(sent_valid)} valid, {len(applied)} applied, {held} held as not "
            f"applicable yet, 0 crashes"
        )
        if seen[name] != expected[name]:
            failures.append(f"{name}: read {seen[name]} of {expected[name]} records")
        if len(applied) + held != len(sent_valid):
            failures.append(f"{name}: {len(sent_valid) - len(applied) - held} valid events lost")
        if len(parked[name]) != sent_hostile:
            failures.append(f"{name}: {len(parked[name])} parked for {sent_hostile} hostile records")
    print(
        f"hostile records: {len(groups)} services, {len(topics)} topics, {HOSTILE_PER_TOPIC} hostile per topic: "
        f"{total_records} records read, {total_parked} parked, {total_applied} valid applied, 0 crashes"
    )
    assert not failures, failures
