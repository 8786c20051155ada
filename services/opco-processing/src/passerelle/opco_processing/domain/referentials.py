"""What the review needs of the registers, as ports; the offline data files are one adapter of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol


@dataclass(frozen=True)
class Routing:
    opco_code: str
    branch: str | None
    idcc: str | None
    source: str  # "idcc" | "fallback"
    referential_version: str


@dataclass(frozen=True)
class OpcoIdentity:
    code: str
    name: str
    city: str


@dataclass(frozen=True)
class Certification:
    rncp_code: str
    title: str
    level: str
    registered_from: date
    registered_until: date
    apprenticeship: bool


@dataclass(frozen=True)
class TrainingOrganisationRecord:
    siret: str
    name: str
    qualiopi_until: date | None
    apprenticeship_actions: bool
    certifications: frozenset[str]


@dataclass(frozen=True)
class FundingLevel:
    rncp_code: str
    idcc: str | None
    yearly_amount: Decimal
    effective_from: date
    source: str


class Referentials(Protocol):
    version: str

    def route(self, idcc: str | None, fallback: str | None) -> Routing: ...

    def opco(self, code: str) -> OpcoIdentity: ...

    def certification(self, rncp_code: str) -> Certification | None: ...

    def training_organisation(self, siret: str) -> TrainingOrganisationRecord | None: ...

    def funding_level(self, rncp_code: str, idcc: str | None, on: date) -> FundingLevel | None: ...
