"""Fixtures of the unit tests: sample forms, and the service layer's fakes (a unit of work in memory, no I/O)."""

import copy
import uuid
from datetime import UTC, datetime

import pytest

from passerelle.contracts.adapters.referentials import (
    OfflineEstablishmentDirectory,
    OfflineOpcoDirectory,
    OfflineQualificationDirectory,
)
from passerelle.contracts.service_layer.context import Dependencies
from passerelle.contracts.service_layer.errors import ConcurrentModification
from passerelle.contracts.testing.samples import complete_apprenticeship_form, complete_professionalisation_form
from passerelle.libs.auth import Membership, Principal
from passerelle.libs.testing.fakes import FakeUnitOfWork as BaseFakeUnitOfWork


@pytest.fixture
def apprenticeship_form():
    return complete_apprenticeship_form()


@pytest.fixture
def professionalisation_form():
    return complete_professionalisation_form()


# --- the service layer's fakes: a unit of work and a repository in memory (no I/O) ---------------------------


class FakeRepository:
    """Keeps copies, as a database would: a use case only changes what it saves."""

    def __init__(self) -> None:
        self.records = {}
        self.entries = []
        self.attached = {}
        self.members = []
        self.verified = {}

    async def get(self, contract_id, *, for_update=False):
        record = self.records.get(contract_id)
        return copy.deepcopy(record) if record is not None else None

    async def add(self, record):
        record.contract.version = 1
        self.records[record.id] = copy.deepcopy(record)

    async def update(self, record):
        if self.records[record.id].contract.version != record.contract.version:
            raise ConcurrentModification()
        record.contract.version += 1
        self.records[record.id] = copy.deepcopy(record)

    async def search(self, query):
        raise NotImplementedError

    async def add_history(self, entries):
        self.entries.extend(entries)

    async def history(self, contract_id):
        return [e for e in self.entries if e.contract_id == contract_id]

    async def documents(self, contract_id):
        return [d for (cid, _), d in sorted(self.attached.items(), key=lambda i: i[0][1]) if cid == contract_id]

    async def record_document(self, document):
        key = (document.contract_id, document.document_type)
        if key in self.attached and self.attached[key].version >= document.version:
            return False
        self.attached[key] = document
        return True

    async def add_member(self, member):
        self.members.append(member)

    async def remove_member(self, organisation_id, account_id):
        self.members = [m for m in self.members if (m.organisation_id, m.account_id) != (organisation_id, account_id)]

    async def memberships_of(self, account_id):
        return [m for m in self.members if m.account_id == account_id]

    async def private_drafts_of(self, organisation_id):
        return [copy.deepcopy(r) for r in self.records.values() if r.private_organisation_id == organisation_id]

    async def record_verified_organisation(self, organisation_id, at):
        self.verified.setdefault(organisation_id, at)

    async def organisation_verified(self, organisation_id):
        return organisation_id in self.verified


class FakeUnitOfWork(BaseFakeUnitOfWork):
    """The kit's fake (libs/testing): `published` is the open transaction's events, `committed_events` the kept
    ones; the repository keeps copies as a database would."""

    def __init__(self) -> None:
        super().__init__("contracts")
        self.contracts = FakeRepository()


def principal(
    *, sirets=(), uais=(), training_sirets=(), opco=(), subject=None, email=None, role="admin", pending=()
) -> Principal:
    """`pending`: memberships of organisations not verified yet (libs.auth.Membership)."""
    memberships = [Membership(uuid.uuid4(), "employer", role, siret=s, siren=s[:9]) for s in sirets]
    memberships += [Membership(uuid.uuid4(), "training", role, uai=u) for u in uais]
    memberships += [Membership(uuid.uuid4(), "training", role, siret=s) for s in training_sirets]
    memberships += [Membership(uuid.uuid4(), "opco", "reviewer", opco_code=o) for o in opco]
    return Principal(subject or uuid.uuid4(), "user", email, None, tuple(memberships), pending=tuple(pending))


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


@pytest.fixture
def deps() -> Dependencies:
    # The sample contracts start in September/October 2025: validate as on their start days.
    return Dependencies(
        establishments=OfflineEstablishmentDirectory(),
        qualifications=OfflineQualificationDirectory(),
        opcos=OfflineOpcoDirectory(),
        clock=lambda: datetime(2025, 9, 1, 8, 0, tzinfo=UTC),
    )


@pytest.fixture
def make_principal():
    return principal
