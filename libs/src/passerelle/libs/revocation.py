"""Revocation every service checks: sessions ended and memberships changed stop working within seconds.

Identity publishes `session.ended` (logout, password change or reset, closure, a replayed refresh token),
`account.disabled`, `membership.revoked`, `membership.role_changed` and `organisation.verified` (its members'
tokens carry it only as pending: the next ones carry it as verified). Each process of each service reads
those topics itself (no consumer group: every process needs every record), from the records of the last
token lifetime on, and keeps in memory:
- the ended sessions: a token whose `sid` names one is refused;
- per account, the time of its last change: a token issued before it is refused (its organisations or its
  very account are no longer what it says; the next token, from a refresh, says the truth).
Entries older than a token's lifetime are dropped: no token issued before them is still valid anyway.
Records whose envelope does not name identity as producer are ignored (only identity can revoke).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterable
from typing import Any
from uuid import UUID

from aiokafka import AIOKafkaConsumer, TopicPartition

from passerelle.libs.kafka_auth import KafkaAuth, kafka_options
from passerelle.libs.logging import get_logger
from passerelle.schemas import decode_record
from passerelle.schemas.envelope import MalformedMessage
from passerelle.schemas.events.identity import (
    AccountDisabled,
    MembershipRevoked,
    MembershipRoleChanged,
    OrganisationVerified,
    SessionEnded,
)

log = get_logger(__name__)
TOPICS = (
    SessionEnded.topic,
    AccountDisabled.topic,
    MembershipRevoked.topic,
    MembershipRoleChanged.topic,
    OrganisationVerified.topic,
)
PRODUCER = "identity"


class RevocationList:
    def __init__(self, horizon_seconds: float = 15 * 60) -> None:
        self.horizon_seconds = horizon_seconds
        self._sessions: dict[str, float] = {}
        self._accounts: dict[str, float] = {}
        # Accounts whose organisation was verified since (their older tokens carry it as pending only): kept
        # apart, since identity itself reads every right from its database and need not refuse those tokens.
        self._verified: dict[str, float] = {}
        self.applied = 0

    def end_session(self, session_id: UUID | str, at: float) -> None:
        self._sessions[str(session_id)] = at

    def cut_account(self, account_id: UUID | str, at: float) -> None:
        key = str(account_id)
        self._accounts[key] = max(at, self._accounts.get(key, 0.0))

    def apply(self, event: Any, at: float) -> None:
        if isinstance(event, SessionEnded):
            self.end_session(event.session_id, at)
        elif isinstance(event, (AccountDisabled, MembershipRevoked, MembershipRoleChanged)):
            self.cut_account(event.account_id, at)
        elif isinstance(event, OrganisationVerified):
            for account_id in event.member_account_ids:
                key = str(account_id)
                self._verified[key] = max(at, self._verified.get(key, 0.0))
        self.applied += 1

    def revoked(
        self, subject: str, issued_at: float | None, session_id: str | None, *, verifications: bool = True
    ) -> bool:
        if session_id is not None and session_id in self._sessions:
            return True
        cuts = [self._accounts.get(subject)] + ([self._verified.get(subject)] if verifications else [])
        return any(cut is not None and (issued_at is None or issued_at <= cut) for cut in cuts)

    def prune(self, now: float | None = None) -> None:
        oldest = (now or time.time()) - self.horizon_seconds
        for table in (self._sessions, self._accounts, self._verified):
            for key in [k for k, at in table.items() if at < oldest]:
                del table[key]


class RevocationFeed:
    """Follows identity's topics into a RevocationList (a background task of every token-checking service)."""

    def __init__(
        self,
        bootstrap: str,
        revocations: RevocationList,
        client_id: str = "revocations",
        auth: KafkaAuth | None = None,
    ) -> None:
        self.bootstrap = bootstrap
        self.auth = auth
        self.revocations = revocations
        self.client_id = client_id
        self._task: asyncio.Task[None] | None = None
        self.ready = asyncio.Event()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="revocation-feed")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    async def _run(self) -> None:
        while True:
            try:
                await self._follow()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - Kafka away: try again, keep what is known
                log.warning("revocation feed interrupted", error=repr(exc))
                await asyncio.sleep(2.0)

    async def _follow(self) -> None:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap,
            **kafka_options(self.auth),
            group_id=None,
            enable_auto_commit=False,
            client_id=self.client_id,
            auto_offset_reset="latest",
        )
        await consumer.start()
        try:
            # An assigned (not subscribed) consumer knows no partitions until it asks: read the cluster's.
            cluster = await consumer._client.fetch_all_metadata()  # noqa: SLF001 - aiokafka has no public call
            partitions = [
                TopicPartition(topic, p) for topic in TOPICS for p in (cluster.partitions_for_topic(topic) or ())
            ]
            if not partitions:
                await consumer.stop()
                await asyncio.sleep(2.0)
                return
            consumer.assign(partitions)
            await self._rewind(consumer, partitions)
            self.ready.set()
            while True:
                batches = await consumer.getmany(timeout_ms=500, max_records=500)
                for records in batches.values():
                    self._apply(records)
                self.revocations.prune()
        finally:
            await consumer.stop()

    async def _rewind(self, consumer: AIOKafkaConsumer, partitions: Iterable[TopicPartition]) -> None:
        """From the records of the last token lifetime (older ones revoke nothing still valid)."""
        since_ms = int((time.time() - self.revocations.horizon_seconds) * 1000)
        offsets = await consumer.offsets_for_times({tp: since_ms for tp in partitions})
        ends = await consumer.end_offsets(list(partitions))
        for tp in partitions:
            found = offsets.get(tp)
            consumer.seek(tp, found.offset if found is not None else ends[tp])

    def _apply(self, records: Iterable[Any]) -> None:
        for record in records:
            try:
                envelope, event = decode_record(record.value, record.headers)
            except MalformedMessage:
                continue
            if envelope.producer != PRODUCER:
                log.warning("revocation record not from identity ignored", producer=envelope.producer)
                continue
            self.revocations.apply(event, envelope.occurred_at.timestamp())
