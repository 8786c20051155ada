"""Ports to the referentials: establishments by SIRET/UAI, qualifications by RNCP code (they pre-fill a form), and
the OPCO competent for an employer's collective agreement (IDCC).

The domain only knows these protocols; `adapters/referentials` holds an offline implementation, and an HTTP client
of the national directories can replace it without touching the domain.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from .codes import EmployerSector, EmployerType, QualificationLevel


@dataclass(frozen=True, slots=True)
class EstablishmentAddress:
    number: str | None
    street: str | None
    postcode: str | None
    city: str | None
    complement: str | None = None


@dataclass(frozen=True, slots=True)
class EstablishmentRecord:
    """An establishment as the directory knows it."""

    siret: str
    name: str
    address: EstablishmentAddress
    naf_code: str | None
    idcc: str | None
    headcount: int | None
    employer_type: EmployerType | None
    employer_sector: EmployerSector | None
    uai: str | None = None
    training_organisation: bool = False
    supplementary_pension_fund: str | None = None
    phone: str | None = None
    email: str | None = None

    @property
    def siren(self) -> str:
        return self.siret[:9]


@dataclass(frozen=True, slots=True)
class QualificationRecord:
    rncp_code: str
    diploma_code: str | None
    title: str
    diploma_type: str | None
    level: QualificationLevel | None


class EstablishmentDirectory(Protocol):
    def find_by_siret(self, siret: str) -> EstablishmentRecord | None: ...

    def find_by_uai(self, uai: str) -> EstablishmentRecord | None: ...

    def establishments_of(self, siren: str) -> list[EstablishmentRecord]: ...


class QualificationDirectory(Protocol):
    def find_by_rncp(self, rncp_code: str) -> QualificationRecord | None: ...

    def find_by_diploma_code(self, diploma_code: str) -> QualificationRecord | None: ...

    def search(self, text: str, limit: int = 10) -> list[QualificationRecord]: ...


class OpcoDirectory(Protocol):
    def opco_for(self, idcc: str | None) -> str | None:
        """The code of the OPCO competent for this collective agreement, or None when the table does not list it."""
        ...

    def agreement_label(self, idcc: str | None) -> str | None:
        """The collective agreement's label, or None."""
        ...
