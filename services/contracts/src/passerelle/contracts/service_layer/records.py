"""What the service keeps around the `Contract` aggregate: parties, OPCO decisions, letters, timestamps.

The aggregate owns the form, the status and the revisions; a `ContractRecord` adds what the service needs
to route, show and audit it. Repositories load and save records; use cases change them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from passerelle.contracts.domain.contract import Contract
from passerelle.libs.access import Side


@dataclass
class ContractRecord:
    contract: Contract
    created_by_side: Side
    opco_code: str | None
    visible_to_employer: bool = True
    anomalies: list[dict[str, Any]] = field(default_factory=list)
    anomaly_letter_document_id: UUID | None = None
    agreement_letter_document_id: UUID | None = None
    refusal_reason: str | None = None
    proposed_to_email: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    transmitted_at: datetime | None = None
    in_charge: dict[Side, str] = field(default_factory=dict)
    """The person in charge on each side (employer, training organisation): each side's own."""
    private_to: UUID | None = None
    """Drafted by a member of an organisation not verified yet: seen by that person only (libs.access) and not
    proposed nor transmitted, until `private_organisation_id` is verified (it then becomes an ordinary draft)."""
    private_organisation_id: UUID | None = None

    @property
    def is_private(self) -> bool:
        return self.private_to is not None

    @property
    def id(self) -> UUID:
        return self.contract.id

    @property
    def employer_siret(self) -> str | None:
        return self.contract.employer_siret

    @property
    def training_uai(self) -> str | None:
        return self.contract.training_uai

    @property
    def training_siret(self) -> str | None:
        return self.contract.training_siret

    @property
    def employer_name(self) -> str | None:
        return self.contract.form.employer.name

    @property
    def employee_name(self) -> str | None:
        employee = self.contract.form.employee
        names = [employee.first_name, employee.usage_name or employee.birth_name]
        return " ".join(n for n in names if n) or None


@dataclass(frozen=True)
class AttachedDocument:
    """The latest version of one document type attached to a contract (from `document.uploaded`)."""

    contract_id: UUID
    document_type: str
    document_id: UUID
    version: int
    sha256: str
    filename: str | None
    uploaded_at: datetime


@dataclass(frozen=True)
class HistoryEntry:
    contract_id: UUID
    at: datetime
    actor_id: str | None
    action: str
    revision: int
    details: dict[str, Any]


@dataclass(frozen=True)
class Colleague:
    """One membership of an account in an organisation (projection of identity's membership events)."""

    organisation_id: UUID
    account_id: UUID
    organisation_kind: str
    siret: str | None
    uai: str | None


@dataclass(frozen=True)
class DashboardQuery:
    employer_sirets: frozenset[str]
    training_uais: frozenset[str]
    training_sirets: frozenset[str]
    opco_codes: frozenset[str] = frozenset()
    proposals_to_email: str | None = None
    """An employer also lists the proposals sent to its account's e-mail that no establishment holds yet."""
    """OPCO staff see the contracts transmitted to their OPCO (the same rule as `access.sides_of`)."""
    status: str | None = None
    contract_type: str | None = None
    text: str | None = None
    siret: str | None = None
    include_archived: bool = False
    created_since: datetime | None = None
    created_before: datetime | None = None
    """Created from the first instant on, before the second (the days asked for, in the platform's time zone)."""
    start_from: date | None = None
    start_to: date | None = None
    """The contract's start date, both days included."""
    transmitted_since: datetime | None = None
    transmitted_before: datetime | None = None
    in_charge: str | None = None
    """An account id: the contracts it is in charge of, on either side."""
    private_to: UUID | None = None
    private_organisations: frozenset[UUID] = frozenset()
    """The caller's own private drafts, for the organisations they are still a pending member of (libs.access);
    everyone's ordinary reach above leaves private drafts out."""
    sort: str = "-updated_at"
    page: int = 1
    page_size: int = 20


@dataclass(frozen=True)
class ContractSummary:
    id: UUID
    contract_type: str
    status: str
    revision: int
    employer_siret: str | None
    employer_name: str | None
    employee_name: str | None
    training_uai: str | None
    training_siret: str | None
    opco_code: str | None
    opco_file_number: str | None
    owner_id: str
    archived: bool
    created_at: datetime
    updated_at: datetime
    start_date: date | None = None
    transmitted_at: datetime | None = None
    in_charge: dict[str, str] = field(default_factory=dict)
    private: bool = False
    """A draft private to the caller until their organisation is verified."""
