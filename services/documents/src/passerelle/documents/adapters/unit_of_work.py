"""The documents unit of work: its repositories on one transaction, events to the outbox on commit."""

from __future__ import annotations

from typing import Self

from passerelle.documents.adapters.repository import SqlContractAccessRepository, SqlDocumentRepository
from passerelle.libs.unit_of_work import SqlUnitOfWork


class DocumentsUnitOfWork(SqlUnitOfWork):
    documents: SqlDocumentRepository
    contracts: SqlContractAccessRepository

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        self.documents = SqlDocumentRepository(self.session)
        self.contracts = SqlContractAccessRepository(self.session)
        return self
