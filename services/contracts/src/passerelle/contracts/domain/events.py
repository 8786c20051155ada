"""Domain events a contract records when its state changes (past tense). The service layer turns them into the
integration events of `contracts-schemas` and writes them to the outbox in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from .codes import ContractStatus, ContractType, KindCode


@dataclass(frozen=True, kw_only=True)
class ContractEvent:
    contract_id: UUID
    occurred_at: datetime
    actor_id: str | None


@dataclass(frozen=True, kw_only=True)
class ContractDrafted(ContractEvent):
    contract_type: ContractType


@dataclass(frozen=True, kw_only=True)
class ContractProposed(ContractEvent):
    employer_email: str
    employer_siret: str | None


@dataclass(frozen=True, kw_only=True)
class ContractAccepted(ContractEvent):
    pass


@dataclass(frozen=True, kw_only=True)
class ContractDeclined(ContractEvent):
    """The employer declined the proposal: the draft goes back to the training organisation alone."""

    reason: str | None = None


@dataclass(frozen=True, kw_only=True)
class ContractSaved(ContractEvent):
    revision: int


@dataclass(frozen=True, kw_only=True)
class ContractTransmitted(ContractEvent):
    revision: int
    amendment_number: int
    warnings: int


@dataclass(frozen=True, kw_only=True)
class AnomalyApplied(ContractEvent):
    reasons: tuple[str, ...]
    letter_document_id: str | None


@dataclass(frozen=True, kw_only=True)
class AnomaliesResolved(ContractEvent):
    codes: tuple[str, ...]
    resumed: bool


@dataclass(frozen=True, kw_only=True)
class ContractEngaged(ContractEvent):
    opco_file_number: str
    agreement_letter_document_id: str | None


@dataclass(frozen=True, kw_only=True)
class ContractRefused(ContractEvent):
    reason: str


@dataclass(frozen=True, kw_only=True)
class AmendmentOpened(ContractEvent):
    amendment_number: int
    revision: int
    kind_code: KindCode
    effective_date: date


@dataclass(frozen=True, kw_only=True)
class ContractArchived(ContractEvent):
    previous_status: ContractStatus


@dataclass(frozen=True, kw_only=True)
class ContractRestored(ContractEvent):
    status: ContractStatus


@dataclass(frozen=True, kw_only=True)
class ContractDeleted(ContractEvent):
    pass


@dataclass(frozen=True, kw_only=True)
class ContractTransferred(ContractEvent):
    from_owner_id: str
    to_owner_id: str
