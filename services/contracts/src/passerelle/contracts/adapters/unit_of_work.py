"""The contracts service's unit of work: one transaction for a contract's state, history and outbox events."""

from __future__ import annotations

from typing import Self

from passerelle.contracts.adapters.bulk_repository import SqlBulkRepository
from passerelle.contracts.adapters.repository import SqlContractRepository
from passerelle.libs.unit_of_work import SqlUnitOfWork


class ContractsUnitOfWork(SqlUnitOfWork):
    contracts: SqlContractRepository
    bulk: SqlBulkRepository

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.contracts = SqlContractRepository(self.session)
        self.bulk = SqlBulkRepository(self.session)
        return self
