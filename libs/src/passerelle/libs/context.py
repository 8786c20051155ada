"""The typed context a service's use cases, routes, consumers and tasks are handed (built in bootstrap.py).

A service subclasses `ServiceContext` with its ports (store, scanner, directories, clients...) and its
policy (lifetimes, limits), all typed: no string-keyed state.

    @dataclass(kw_only=True)
    class DocumentsContext(ServiceContext[DocumentsUnitOfWork]):
        storage: ObjectStorage
        scanner: Scanner
        policy: Policy
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Generic, TypeVar

U = TypeVar("U")
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(kw_only=True)
class ServiceContext(Generic[U]):
    """The unit-of-work factories, the clock and the producer name; subclasses add ports and policy."""

    uow_factory: Callable[[], U]
    # Read-only units of work (`Database.read_only`): a read without BEGIN and ROLLBACK. Without it (the
    # in-memory fakes of unit tests), reads take an ordinary unit of work.
    reads_factory: Callable[[], U] | None = None
    producer: str = "service"
    clock: Clock = field(default=utc_now)

    def uow(self) -> U:
        """A new unit of work, to open with `async with` (routes and consumers get theirs from the kit)."""
        return self.uow_factory()

    def reads(self) -> U:
        """A new read-only unit of work, to open with `async with`: never committed, it publishes nothing."""
        return (self.reads_factory or self.uow_factory)()
