"""Fakes for unit tests of a service layer (no I/O): a clock, and the base of every fake unit of work.

    @dataclass
    class DocumentsStore(FakeStore):
        documents: dict[UUID, Document] = field(default_factory=dict)

    class FakeDocumentsUnitOfWork(FakeUnitOfWork):
        def __init__(self, store: DocumentsStore) -> None:
            super().__init__("documents", store)
            self.documents = FakeDocuments(store)

A `FakeUnitOfWork` records what was published and committed: `published` holds the events of the open
transaction, `committed_events` those kept by its commits, `commits` counts them (a use case never
commits: the test asserts `uow.commits == 0` after calling it, and the boundary's commit is one call).
`fail_next_commits(n)` makes the next n commits raise `CommitFailed`, to test rollbacks.

A test whose use cases open several units of work shares one `FakeStore` between them: every commit adds its
events to `store.events` and counts in `store.commits`, and `store.fail_commits = n` fails the next n commits of
any of them. Services subclass the store with their rows, and the unit of work with their repositories,
overriding `_on_commit` / `_on_rollback` to keep or drop their pending rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Self
from uuid import UUID, uuid4

from passerelle.schemas import Envelope, Event


class FakeClock:
    """A clock the test moves: `clock()` is now, `clock.advance(minutes=5)` moves it.

    With `tick`, each reading moves it on by that much (two readings never give the same instant).
    """

    def __init__(self, now: datetime | None = None, tick: timedelta | None = None) -> None:
        self.now = now or datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
        self.tick = tick

    def __call__(self) -> datetime:
        if self.tick is not None:
            self.now += self.tick
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


class CommitFailed(ConnectionError):
    """Raised by a fake commit the test asked to fail (a connection error, as a database gone away raises)."""


@dataclass
class FakeStore:
    """What the units of work of one test committed, shared by all of them."""

    events: list[Any] = field(default_factory=list)
    commits: int = 0
    fail_commits: int = 0  # the next N commits (of any unit of work on this store) raise CommitFailed

    def topics(self) -> list[str]:
        return [e.topic for e in self.events]


class FakeUnitOfWork:
    def __init__(self, producer: str = "test", store: FakeStore | None = None) -> None:
        self.producer = producer
        self.store = store if store is not None else FakeStore()
        self.published: list[Event] = []
        self.envelopes: list[Envelope] = []
        self.committed_events: list[Event] = []
        self.claimed: dict[str, set[UUID]] = {}
        self.commits = 0
        self.rollbacks = 0
        self.entered = 0
        self.cause: Envelope | None = None
        self._failing_commits = 0
        self._after_commit: list[Any] = []

    async def __aenter__(self) -> Self:
        self.entered += 1
        self.published = []
        self.envelopes = []
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.rollback()

    def publish(self, event: Event, correlation_id: UUID | None = None) -> Envelope:
        if self.cause is not None:
            envelope = self.cause.caused(event.topic, event.schema_version, self.producer, event.subject())
        else:
            envelope = Envelope(
                type=event.topic,
                schema_version=event.schema_version,
                producer=self.producer,
                subject=event.subject(),
                correlation_id=correlation_id or uuid4(),
            )
        self.published.append(event)
        self.envelopes.append(envelope)
        return envelope

    async def claim_many(self, envelopes: list[Envelope], consumer: str) -> set[UUID]:
        seen = self.claimed.setdefault(consumer, set())
        fresh = {e.id for e in envelopes if e.id not in seen}
        seen |= fresh
        return fresh

    async def claim(self, envelope: Envelope, consumer: str) -> bool:
        self.cause = envelope
        return bool(await self.claim_many([envelope], consumer))

    def fail_next_commits(self, count: int = 1) -> None:
        self._failing_commits = count

    async def commit(self) -> None:
        if self._failing_commits > 0 or self.store.fail_commits > 0:
            if self._failing_commits > 0:
                self._failing_commits -= 1
            else:
                self.store.fail_commits -= 1
            # As a database's: the failed transaction is gone, nothing of it is kept.
            self.published, self.envelopes = [], []
            self._on_rollback()
            raise CommitFailed("commit refused by the test")
        self._on_commit()
        self.committed_events += self.published
        self.store.events += self.published
        self.published, self.envelopes = [], []
        self.commits += 1
        self.store.commits += 1
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            callback()

    def after_commit(self, callback: Any) -> None:
        if callback not in self._after_commit:
            self._after_commit.append(callback)

    async def rollback(self) -> None:
        if self.published:
            self.rollbacks += 1
        self.published, self.envelopes = [], []
        self._after_commit = []
        self._on_rollback()

    def _on_commit(self) -> None:
        """Subclasses keep their pending rows here."""

    def _on_rollback(self) -> None:
        """Subclasses drop their pending rows here."""

    def events_of(self, event_type: type[Any]) -> list[Any]:
        """The committed events of one type."""
        return [e for e in self.committed_events if isinstance(e, event_type)]

    def topics(self) -> list[str]:
        """The topics of the events this unit of work committed, in order."""
        return [e.topic for e in self.committed_events]
