"""What the write use cases are asked to do: one command per action, named imperatively."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from passerelle.contracts.domain.codes import ContractType, KindCode
from passerelle.contracts.domain.tabs import Tab
from passerelle.libs.access import Side


@dataclass(frozen=True)
class CreateContract:
    contract_type: ContractType
    employer_siret: str | None = None
    training_uai: str | None = None
    training_siret: str | None = None
    side: Side | None = None
    form: dict[str, Any] | None = None


@dataclass(frozen=True)
class ProposeContract:
    contract_id: UUID
    employer_email: str
    employer_siret: str | None = None
    expected_version: int | None = None


@dataclass(frozen=True)
class AcceptProposal:
    contract_id: UUID
    employer_siret: str | None = None
    """The establishment the contract is for, when the proposal was addressed to an e-mail only."""
    expected_version: int | None = None


@dataclass(frozen=True)
class DeclineProposal:
    contract_id: UUID
    reason: str | None = None
    expected_version: int | None = None


@dataclass(frozen=True)
class SaveTab:
    contract_id: UUID
    tab: Tab
    content: Any
    expected_version: int | None = None


@dataclass(frozen=True)
class SaveForm:
    contract_id: UUID
    form: Any
    expected_version: int | None = None


@dataclass(frozen=True)
class RequestAmendment:
    contract_id: UUID
    kind_code: KindCode
    effective_date: date
    expected_version: int | None = None


@dataclass(frozen=True)
class TransferContract:
    contract_id: UUID
    to_account_id: UUID
    expected_version: int | None = None
