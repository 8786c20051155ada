"""The SQL unit of work: the cases repository, and the events cases caused queued into the outbox."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from passerelle.libs.unit_of_work import SqlUnitOfWork
from passerelle.opco_processing.adapters.repository import CaseRepository
from passerelle.opco_processing.domain.case import ReviewCase
from passerelle.opco_processing.service_layer.messages import event_of


class OpcoUnitOfWork(SqlUnitOfWork):
    def __init__(self, sessions: async_sessionmaker[AsyncSession], producer: str) -> None:
        super().__init__(sessions, producer)

    async def __aenter__(self) -> OpcoUnitOfWork:
        await super().__aenter__()
        self.cases = CaseRepository(self.session)
        return self

    def collect(self, case: ReviewCase) -> None:
        """Queue the events the case caused (they reach the outbox with the case's state, at commit)."""
        for outgoing in case.outbox:
            self.publish(event_of(outgoing))
        case.outbox.clear()

    async def save(self, case: ReviewCase) -> None:
        await self.cases.save(case)
        self.collect(case)

    async def add(self, case: ReviewCase) -> None:
        await self.cases.add(case)
        self.collect(case)
