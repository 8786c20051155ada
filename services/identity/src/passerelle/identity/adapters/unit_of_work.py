"""The SQL unit of work: the shared runtime's transaction (state + outbox events) with identity's repositories."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from passerelle.identity.adapters import repositories as repo
from passerelle.identity.adapters.orm import start_mappers
from passerelle.libs.unit_of_work import SqlUnitOfWork


class IdentityUnitOfWork(SqlUnitOfWork):
    def __init__(self, sessions: async_sessionmaker[AsyncSession], producer: str = "identity") -> None:
        start_mappers()
        super().__init__(sessions, producer)

    async def __aenter__(self) -> Self:
        await super().__aenter__()
        s = self.session
        self.accounts = repo.SqlAccounts(s)
        self.organisations = repo.SqlOrganisations(s)
        self.memberships = repo.SqlMemberships(s)
        self.invitations = repo.SqlInvitations(s)
        self.join_requests = repo.SqlJoinRequests(s)
        self.api_clients = repo.SqlApiClients(s)
        self.sessions = repo.SqlSessions(s)
        self.action_tokens = repo.SqlActionTokens(s)
        self.attempts = repo.SqlAttempts(s)
        self.audit = repo.SqlAuditLog(s)
        self.mails = repo.SqlMailOutbox(s)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        # Objects read here are returned to the caller: detach them before the closing rollback expires them.
        self.session.expunge_all()
        await super().__aexit__(exc_type, exc, tb)
