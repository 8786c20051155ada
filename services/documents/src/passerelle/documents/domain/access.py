"""Who may see and add the documents of a contract.

The contract's parties come from the contracts service's events (the local projection). A person or a
machine client sees a contract's documents through a membership of one of its organisations; OPCO staff
(and OPCO machine clients, such as opco-processing's) once the contract was transmitted to their OPCO.
The OPCO's letters can only come from that OPCO.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

OPCO_LETTERS = frozenset({"courrier_accord", "courrier_anomalie"})


class Viewer(Protocol):
    """What the rules need of the authenticated principal (libs.auth.Principal)."""

    def is_party(
        self, employer_siret: str | None, training_uai: str | None, training_siret: str | None = None
    ) -> bool: ...

    def opco_codes(self) -> set[str]: ...


@dataclass(frozen=True)
class ContractAccess:
    contract_id: UUID
    employer_siret: str | None
    training_uai: str | None
    training_siret: str | None
    opco_code: str | None
    transmitted: bool
    updated_at: datetime | None = None
    routed_opco_code: str | None = None  # set by opco-processing's routing (case.opened); wins when set

    @property
    def opco_in_charge(self) -> str | None:
        return self.routed_opco_code or self.opco_code


def is_party(viewer: Viewer, access: ContractAccess) -> bool:
    return viewer.is_party(access.employer_siret, access.training_uai, access.training_siret)


def is_contract_opco(viewer: Viewer, access: ContractAccess) -> bool:
    return bool(access.transmitted and access.opco_in_charge and access.opco_in_charge in viewer.opco_codes())


def may_see(viewer: Viewer, access: ContractAccess) -> bool:
    return is_party(viewer, access) or is_contract_opco(viewer, access)


def may_upload(viewer: Viewer, access: ContractAccess, document_type: str) -> bool:
    if document_type in OPCO_LETTERS:
        return is_contract_opco(viewer, access)
    return may_see(viewer, access)
