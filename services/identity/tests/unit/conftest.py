"""Fakes for the service layer: in-memory repositories, a unit of work that records commits and events."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import unquote
from uuid import UUID

import pytest

from passerelle.identity.adapters.postal import PrintedLetters
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
from passerelle.identity.domain.passwords import PasswordPolicy
from passerelle.identity.domain.roles import OrganisationKind
from passerelle.identity.domain.tokens import TokenSettings
from passerelle.identity.service_layer import commands, organisations, provisioning, verification
from passerelle.identity.service_layer.ports import Policy, Ports
from passerelle.libs.testing.fakes import FakeClock, FakeStore
from passerelle.libs.testing.fakes import FakeUnitOfWork as BaseFakeUnitOfWork


@dataclass
class Store(FakeStore):
    """Everything committed, shared by the successive units of work of one test (the kit's store keeps the
    events and counts the commits)."""

    objects: dict[type, dict[Any, Any]] = field(default_factory=lambda: defaultdict(dict))
    attempts: list[tuple[str, datetime]] = field(default_factory=list)

    def all(self, cls: type) -> list[Any]:
        return list(self.objects[cls].values())


class _Repo:
    cls: type
    key = "id"

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow

    def add(self, obj: Any) -> None:
        self.uow.pending.append(obj)

    def _items(self) -> list[Any]:
        return self.uow.store.all(self.cls) + [o for o in self.uow.pending if isinstance(o, self.cls)]

    async def get(self, key: Any) -> Any:
        return next((o for o in self._items() if getattr(o, self.key) == key), None)

    async def many(self, ids: Sequence[UUID]) -> list[Any]:
        return [o for o in self._items() if o.id in set(ids)]


class FakeAccounts(_Repo):
    cls = Account

    async def by_email(self, email: str) -> Account | None:
        return next((a for a in self._items() if a.email == email), None)


class FakeOrganisations(_Repo):
    cls = Organisation

    async def _find(self, kind: OrganisationKind, **kw: str) -> Organisation | None:
        return next(
            (o for o in self._items() if o.kind == kind and all(getattr(o, k) == v for k, v in kw.items())), None
        )

    async def employer_by_siret(self, siret: str) -> Organisation | None:
        return await self._find(OrganisationKind.EMPLOYER, siret=siret)

    async def training_by_uai(self, uai: str) -> Organisation | None:
        return await self._find(OrganisationKind.TRAINING, uai=uai)

    async def training_by_siret(self, siret: str) -> Organisation | None:
        return await self._find(OrganisationKind.TRAINING, siret=siret)

    async def opco_by_code(self, code: str) -> Organisation | None:
        return await self._find(OrganisationKind.OPCO, opco_code=code)

    async def employers_of_siren(self, siren: str) -> list[Organisation]:
        return [o for o in self._items() if o.kind == OrganisationKind.EMPLOYER and o.siren == siren]


class FakeMemberships(_Repo):
    cls = Membership

    async def active(self, account_id: UUID, organisation_id: UUID) -> Membership | None:
        return next(
            (
                m
                for m in self._items()
                if m.account_id == account_id and m.organisation_id == organisation_id and m.is_active
            ),
            None,
        )

    async def of_account(self, account_id: UUID) -> list[Membership]:
        return [m for m in self._items() if m.account_id == account_id]

    async def of_organisation(self, organisation_id: UUID) -> list[Membership]:
        return [m for m in self._items() if m.organisation_id == organisation_id and m.is_active]


class FakeInvitations(_Repo):
    cls = Invitation

    async def by_token_hash(self, token_hash: str) -> Invitation | None:
        return next((i for i in self._items() if i.token_hash == token_hash), None)

    async def of_organisation(self, organisation_id: UUID) -> list[Invitation]:
        return [i for i in self._items() if i.organisation_id == organisation_id]


class FakeJoinRequests(_Repo):
    cls = JoinRequest

    async def pending(self, organisation_id: UUID) -> list[JoinRequest]:
        return [
            r for r in self._items() if r.organisation_id == organisation_id and r.status == JoinRequestStatus.PENDING
        ]


class FakeApiClients(_Repo):
    cls = ApiClient

    async def by_client_id(self, client_id: str) -> ApiClient | None:
        return next((c for c in self._items() if c.client_id == client_id), None)

    async def of_organisation(self, organisation_id: UUID) -> list[ApiClient]:
        return [c for c in self._items() if c.organisation_id == organisation_id]


class FakeSessions(_Repo):
    cls = LoginSession

    def add_token(self, token: RefreshToken) -> None:
        self.uow.pending.append(token)

    async def token(self, token_hash: str) -> RefreshToken | None:
        tokens = self.uow.store.all(RefreshToken) + [o for o in self.uow.pending if isinstance(o, RefreshToken)]
        return next((t for t in tokens if t.token_hash == token_hash), None)

    async def usable_of_account(self, account_id: UUID, now: datetime) -> list[LoginSession]:
        return [s for s in self._items() if s.account_id == account_id and s.is_usable(now)]


class FakeActionTokens(_Repo):
    cls = ActionToken

    async def by_hash(self, token_hash: str) -> ActionToken | None:
        return next((t for t in self._items() if t.token_hash == token_hash), None)

    async def usable(self, account_id: UUID, purpose: TokenPurpose, now: datetime) -> list[ActionToken]:
        return [t for t in self._items() if t.account_id == account_id and t.purpose == purpose and t.is_usable(now)]


class FakeAttempts:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow

    def record(self, key: str, at: datetime) -> None:
        self.uow.pending_attempts.append((key, at))

    async def recent(self, keys: Sequence[str], since: datetime) -> dict[str, list[datetime]]:
        found: dict[str, list[datetime]] = defaultdict(list)
        for key, at in self.uow.store.attempts + self.uow.pending_attempts:
            if key in keys and at > since:
                found[key].append(at)
        return dict(found)

    async def forget(self, key: str) -> None:
        self.uow.forgotten.append(key)


class FakeAuditLog(_Repo):
    cls = AuditEntry

    async def of_organisation(self, organisation_id: UUID, limit: int = 200) -> list[AuditEntry]:
        return [e for e in self._items() if e.organisation_id == organisation_id][:limit]


class FakeMailOutbox(_Repo):
    cls = OutgoingMail

    async def due(self, now: datetime, limit: int) -> list[OutgoingMail]:
        return [m for m in self._items() if m.sent_at is None and m.failed_at is None and m.next_attempt_at <= now][
            :limit
        ]


class FakeUnitOfWork(BaseFakeUnitOfWork):
    """Objects added are kept only if the use case commits; events too. Mutations of stored objects are
    visible at once (like an identity map): the tests check what was committed through `store.commits`."""

    store: Store

    def __init__(self, store: Store) -> None:
        super().__init__("identity", store)
        self.pending: list[Any] = []
        self.pending_attempts: list[tuple[str, datetime]] = []
        self.forgotten: list[str] = []
        self.accounts = FakeAccounts(self)
        self.organisations = FakeOrganisations(self)
        self.memberships = FakeMemberships(self)
        self.invitations = FakeInvitations(self)
        self.join_requests = FakeJoinRequests(self)
        self.api_clients = FakeApiClients(self)
        self.sessions = FakeSessions(self)
        self.action_tokens = FakeActionTokens(self)
        self.attempts = FakeAttempts(self)
        self.audit = FakeAuditLog(self)
        self.mails = FakeMailOutbox(self)

    async def __aenter__(self) -> FakeUnitOfWork:
        await super().__aenter__()
        self._on_rollback()
        return self

    def _on_commit(self) -> None:
        for obj in self.pending:
            key = obj.token_hash if isinstance(obj, RefreshToken) else obj.id
            self.store.objects[type(obj)][key] = obj
        self.store.attempts = [a for a in self.store.attempts if a[0] not in self.forgotten]
        self.store.attempts += self.pending_attempts
        self._on_rollback()

    def _on_rollback(self) -> None:
        self.pending, self.pending_attempts, self.forgotten = [], [], []


class FakeHasher:
    async def hash(self, password: str) -> str:
        return "fake$" + password[::-1]

    async def verify(self, password_hash: str, password: str) -> bool:
        return password_hash == "fake$" + password[::-1]

    def needs_rehash(self, password_hash: str) -> bool:
        return False

    async def waste_time(self, password: str) -> None:
        return None


class FakeSigner:
    """Signs nothing: the 'token' is the claims as JSON, which the tests read back."""

    async def sign(self, claims: dict[str, Any]) -> str:
        return json.dumps(claims)


class World:
    """A test's store, clock and ports, and a fresh unit of work on demand."""

    def __init__(self) -> None:
        self.store = Store()
        self.clock = FakeClock()
        self.ports = Ports(
            hasher=FakeHasher(),
            signer=FakeSigner(),
            policy=Policy(
                tokens=TokenSettings("passerelle-identity", "passerelle", timedelta(minutes=10)),
                portal_url="https://portail.test",
            ),
            passwords=PasswordPolicy(),
            clock=self.clock,
            postal=PrintedLetters(),
        )

    def uow(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.store)

    def events(self, topic: str) -> list[Any]:
        return [e for e in self.store.events if e.topic == topic]

    def mails_to(self, address: str) -> list[OutgoingMail]:
        return [m for m in self.store.all(OutgoingMail) if m.to_address == address]

    def link_secret(self, address: str) -> str:
        """The secret of the newest link mailed to `address`."""
        body = self.mails_to(address)[-1].body
        return unquote(re.search(r"jeton=([^\s]+)", body).group(1))  # type: ignore[union-attr]

    password = "cheval-agrafe-lune-42"

    async def person(self, email: str, full_name: str = "Camille Martin") -> Account:
        cmd = commands.ProvisionAccount(email=email, password=self.password, full_name=full_name)
        account, _ = await provisioning.provision_account(cmd, self.uow(), self.ports)
        return account

    async def employer(
        self, admin: Account, siret: str = "81208328500013", name: str = "Boulangerie Dupain", verified: bool = True
    ) -> Organisation:
        """Registered by `admin`; verified by an operator unless told otherwise (issue #10, item 1)."""
        cmd = commands.RegisterOrganisation(actor_id=admin.id, kind="employer", name=name, siret=siret)
        org, _ = await organisations.register_organisation(cmd, self.uow(), self.ports)
        if verified:
            org = await verification.approve(None, org.id, self.uow(), self.ports)
        return org

    async def opco(self, code: str = "OPCOMMERCE") -> Organisation:
        cmd = commands.ProvisionOrganisation(kind="opco", name="L'Opcommerce", opco_code=code)
        org, _ = await provisioning.provision_organisation(cmd, self.uow(), self.ports)
        return org

    async def member(self, org: Organisation, account: Account, role: str) -> Membership:
        cmd = commands.GrantMembership(account_id=account.id, organisation_id=org.id, role=role)
        return await provisioning.grant_membership(cmd, self.uow(), self.ports)

    def claims(self, token: str) -> dict[str, Any]:
        return json.loads(token)


@pytest.fixture
def world() -> World:
    return World()
