"""The ports the use cases need: a repository of contracts and a unit of work (real or fake)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, Self
from uuid import UUID

from passerelle.schemas import Envelope, Event

from .records import AttachedDocument, Colleague, ContractRecord, ContractSummary, DashboardQuery, HistoryEntry


class ContractRepository(Protocol):
    async def get(self, contract_id: UUID, *, for_update: bool = False) -> ContractRecord | None:
        """The record; `for_update` locks its row until the end of the transaction."""

    async def add(self, record: ContractRecord) -> None: ...

    async def add_many(self, records: list[ContractRecord]) -> None:
        """Insert new records together (each at version 1)."""

    async def update(self, record: ContractRecord) -> None:
        """Save the record if nobody changed it since it was loaded (`ConcurrentModification` otherwise)."""

    async def search(self, query: DashboardQuery) -> tuple[list[ContractSummary], int]: ...

    async def add_history(self, entries: list[HistoryEntry]) -> None: ...

    async def history(self, contract_id: UUID) -> list[HistoryEntry]: ...

    async def documents(self, contract_id: UUID) -> list[AttachedDocument]: ...

    async def record_document(self, document: AttachedDocument) -> bool:
        """Keep the latest version of each type; False if a newer version was already known."""

    async def add_member(self, member: Colleague) -> None: ...

    async def remove_member(self, organisation_id: UUID, account_id: UUID) -> None: ...

    async def memberships_of(self, account_id: UUID) -> list[Colleague]: ...

    async def private_drafts_of(self, organisation_id: UUID) -> list[ContractRecord]:
        """The drafts private to their creators, drafted for that organisation (while it was not verified)."""

    async def record_verified_organisation(self, organisation_id: UUID, at: datetime) -> None:
        """Remember that the organisation is verified (organisation.verified)."""

    async def organisation_verified(self, organisation_id: UUID) -> bool: ...


class UnitOfWork(Protocol):
    contracts: ContractRepository

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, *args: object) -> None: ...

    def publish(self, event: Event, correlation_id: UUID | None = None) -> Envelope: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...
