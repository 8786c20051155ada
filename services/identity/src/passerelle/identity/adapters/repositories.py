"""SQL repositories: the unit of work's session, queried for domain objects."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from passerelle.identity.adapters import tables
from passerelle.identity.adapters.orm import Attempt
from passerelle.identity.domain.model import (
    Account,
    ActionToken,
    ApiClient,
    AuditEntry,
    Invitation,
    JoinRequest,
    JoinRequestStatus,
    LoginSession,
    Membership,
    Organisation,
    OutgoingMail,
    RefreshToken,
    TokenPurpose,
)
from passerelle.identity.domain.roles import OrganisationKind

T = TypeVar("T")


class _Repository(Generic[T]):
    model: type[T]

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, obj: T) -> None:
        self.session.add(obj)

    async def get(self, key: Any) -> T | None:
        return await self.session.get(self.model, key)

    async def _all(self, stmt: sa.Select[Any]) -> list[T]:
        return list((await self.session.scalars(stmt)).all())

    async def _one(self, stmt: sa.Select[Any]) -> T | None:
        return (await self.session.scalars(stmt)).first()


class SqlAccounts(_Repository[Account]):
    model = Account

    async def by_email(self, email: str) -> Account | None:
        return await self._one(sa.select(Account).where(tables.accounts.c.email == email))

    async def many(self, ids: Sequence[UUID]) -> list[Account]:
        if not ids:
            return []
        return await self._all(sa.select(Account).where(tables.accounts.c.id.in_(list(ids))))


class SqlOrganisations(_Repository[Organisation]):
    model = Organisation
    c = tables.organisations.c

    async def many(self, ids: Sequence[UUID]) -> list[Organisation]:
        if not ids:
            return []
        return await self._all(sa.select(Organisation).where(self.c.id.in_(list(ids))))

    async def employer_by_siret(self, siret: str) -> Organisation | None:
        return await self._one(
            sa.select(Organisation).where(self.c.kind == OrganisationKind.EMPLOYER, self.c.siret == siret)
        )

    async def training_by_uai(self, uai: str) -> Organisation | None:
        return await self._one(
            sa.select(Organisation).where(self.c.kind == OrganisationKind.TRAINING, self.c.uai == uai)
        )

    async def training_by_siret(self, siret: str) -> Organisation | None:
        return await self._one(
            sa.select(Organisation).where(self.c.kind == OrganisationKind.TRAINING, self.c.siret == siret)
        )

    async def opco_by_code(self, code: str) -> Organisation | None:
        return await self._one(
            sa.select(Organisation).where(self.c.kind == OrganisationKind.OPCO, self.c.opco_code == code)
        )

    async def employers_of_siren(self, siren: str) -> list[Organisation]:
        return await self._all(
            sa.select(Organisation)
            .where(self.c.kind == OrganisationKind.EMPLOYER, self.c.siren == siren)
            .order_by(self.c.siret)
        )


class SqlMemberships(_Repository[Membership]):
    model = Membership
    c = tables.memberships.c

    async def active(self, account_id: UUID, organisation_id: UUID) -> Membership | None:
        return await self._one(
            sa.select(Membership).where(
                self.c.account_id == account_id, self.c.organisation_id == organisation_id, self.c.revoked_at.is_(None)
            )
        )

    async def of_account(self, account_id: UUID) -> list[Membership]:
        return await self._all(sa.select(Membership).where(self.c.account_id == account_id).order_by(self.c.granted_at))

    async def of_organisation(self, organisation_id: UUID) -> list[Membership]:
        # Locked: two administrators demoting each other at once must not leave the organisation without one.
        return await self._all(
            sa.select(Membership)
            .where(self.c.organisation_id == organisation_id, self.c.revoked_at.is_(None))
            .order_by(self.c.granted_at)
            .with_for_update()
        )


class SqlInvitations(_Repository[Invitation]):
    model = Invitation
    c = tables.invitations.c

    async def by_token_hash(self, token_hash: str) -> Invitation | None:
        # Locked: the same link opened twice at once is accepted once.
        return await self._one(sa.select(Invitation).where(self.c.token_hash == token_hash).with_for_update())

    async def of_organisation(self, organisation_id: UUID) -> list[Invitation]:
        return await self._all(
            sa.select(Invitation).where(self.c.organisation_id == organisation_id).order_by(self.c.created_at.desc())
        )


class SqlJoinRequests(_Repository[JoinRequest]):
    model = JoinRequest
    c = tables.join_requests.c

    async def pending(self, organisation_id: UUID) -> list[JoinRequest]:
        return await self._all(
            sa.select(JoinRequest)
            .where(self.c.organisation_id == organisation_id, self.c.status == JoinRequestStatus.PENDING)
            .order_by(self.c.created_at)
        )


class SqlApiClients(_Repository[ApiClient]):
    model = ApiClient
    c = tables.api_clients.c

    async def by_client_id(self, client_id: str) -> ApiClient | None:
        return await self._one(sa.select(ApiClient).where(self.c.client_id == client_id))

    async def of_organisation(self, organisation_id: UUID) -> list[ApiClient]:
        return await self._all(
            sa.select(ApiClient).where(self.c.organisation_id == organisation_id).order_by(self.c.created_at)
        )


class SqlSessions(_Repository[LoginSession]):
    model = LoginSession

    def add_token(self, token: RefreshToken) -> None:
        self.session.add(token)

    async def token(self, token_hash: str) -> RefreshToken | None:
        # Locked: two refreshes with the same token at once rotate it once; the other is a replay.
        stmt = sa.select(RefreshToken).where(tables.refresh_tokens.c.token_hash == token_hash).with_for_update()
        return (await self.session.scalars(stmt)).first()

    async def usable_of_account(self, account_id: UUID, now: datetime) -> list[LoginSession]:
        c = tables.login_sessions.c
        return await self._all(
            sa.select(LoginSession).where(c.account_id == account_id, c.revoked_at.is_(None), c.expires_at > now)
        )


class SqlActionTokens(_Repository[ActionToken]):
    model = ActionToken
    c = tables.action_tokens.c

    async def by_hash(self, token_hash: str) -> ActionToken | None:
        return await self._one(sa.select(ActionToken).where(self.c.token_hash == token_hash).with_for_update())

    async def usable(self, account_id: UUID, purpose: TokenPurpose, now: datetime) -> list[ActionToken]:
        return await self._all(
            sa.select(ActionToken).where(
                self.c.account_id == account_id,
                self.c.purpose == purpose,
                self.c.used_at.is_(None),
                self.c.expires_at > now,
            )
        )


class SqlAttempts:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def record(self, key: str, at: datetime) -> None:
        self.session.add(Attempt(key=key, attempted_at=at))

    async def recent(self, keys: Sequence[str], since: datetime) -> dict[str, list[datetime]]:
        c = tables.attempts.c
        rows = await self.session.execute(
            sa.select(c.key, c.attempted_at).where(c.key.in_(list(keys)), c.attempted_at > since)
        )
        found: dict[str, list[datetime]] = defaultdict(list)
        for key, at in rows:
            found[key].append(at)
        return dict(found)

    async def forget(self, key: str) -> None:
        await self.session.execute(sa.delete(tables.attempts).where(tables.attempts.c.key == key))


class SqlAuditLog(_Repository[AuditEntry]):
    model = AuditEntry

    async def of_organisation(self, organisation_id: UUID, limit: int = 200) -> list[AuditEntry]:
        c = tables.audit_log.c
        return await self._all(
            sa.select(AuditEntry)
            .where(c.organisation_id == organisation_id)
            .order_by(c.occurred_at.desc())
            .limit(limit)
        )


class SqlMailOutbox(_Repository[OutgoingMail]):
    model = OutgoingMail

    async def due(self, now: datetime, limit: int) -> list[OutgoingMail]:
        c = tables.mail_outbox.c
        return await self._all(
            sa.select(OutgoingMail)
            .where(c.sent_at.is_(None), c.failed_at.is_(None), c.next_attempt_at <= now)
            .order_by(c.next_attempt_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
