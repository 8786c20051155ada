"""Who may see a contract: the contract-parties rule, written once for every service.

A person (or a machine client) reaches a contract only through a *verified* membership of one of the
organisations on it: the employer establishment (SIRET), the training organisation (UAI or SIRET). OPCO
staff (and OPCO machine clients) see it once it was transmitted to their OPCO. Anyone else learns nothing,
not even that it exists: `require_party` raises the caller's "not found" error.

Each service keeps what it knows of a contract's parties (its own table, or a projection of the contract
events) and asks this module. What a side may then *do* (which tabs it writes, who uploads the OPCO's
letters) stays with the service that owns the action.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from passerelle.libs.errors import DomainError, NotFound
from passerelle.schemas.events.common import ContractParties


class Side(StrEnum):
    """The side of the contract a person acts for."""

    EMPLOYER = "employer"
    TRAINING = "training"
    OPCO = "opco"


class Viewer(Protocol):
    """What the rule needs of the caller (`passerelle.libs.auth.Principal` is one)."""

    def sirets(self) -> set[str]: ...
    def uais(self) -> set[str]: ...
    def training_sirets(self) -> set[str]: ...
    def opco_codes(self) -> set[str]: ...


@dataclass(frozen=True)
class ContractAccess:
    """The facts of one contract the rule decides on.

    `employer_may_see` is false while a training organisation's proposal is not yet accepted by the
    employer; `transmitted` once the contract reached its OPCO (the OPCO keeps seeing it afterwards).
    """

    employer_siret: str | None
    training_uai: str | None
    training_siret: str | None = None
    opco_code: str | None = None
    transmitted: bool = False
    employer_may_see: bool = True

    @classmethod
    def of(cls, parties: ContractParties, *, transmitted: bool, employer_may_see: bool = True) -> ContractAccess:
        """From the parties that every contract event carries."""
        return cls(
            employer_siret=parties.employer_siret,
            training_uai=parties.training_uai,
            training_siret=parties.training_siret,
            opco_code=parties.opco_code,
            transmitted=transmitted,
            employer_may_see=employer_may_see,
        )


def sides_of(viewer: Viewer, access: ContractAccess) -> frozenset[Side]:
    sides: set[Side] = set()
    if access.employer_may_see and access.employer_siret and access.employer_siret in viewer.sirets():
        sides.add(Side.EMPLOYER)
    if (access.training_uai and access.training_uai in viewer.uais()) or (
        access.training_siret and access.training_siret in viewer.training_sirets()
    ):
        sides.add(Side.TRAINING)
    if access.transmitted and access.opco_code and access.opco_code in viewer.opco_codes():
        sides.add(Side.OPCO)
    return frozenset(sides)


def is_party(viewer: Viewer, access: ContractAccess) -> bool:
    """The employer or the training organisation (not the OPCO)."""
    return bool(sides_of(viewer, access) & {Side.EMPLOYER, Side.TRAINING})


def is_contract_opco(viewer: Viewer, access: ContractAccess) -> bool:
    return Side.OPCO in sides_of(viewer, access)


def may_see(viewer: Viewer, access: ContractAccess | None) -> bool:
    return access is not None and bool(sides_of(viewer, access))


def require_party(
    viewer: Viewer, access: ContractAccess | None, not_found: DomainError | None = None
) -> frozenset[Side]:
    """The caller's sides on the contract; `not_found` (404) when it has none: existence is not revealed."""
    sides = sides_of(viewer, access) if access is not None else frozenset()
    if not sides:
        raise not_found or NotFound("Ce contrat est introuvable ou vous n'y avez pas accès.", "contract_not_found")
    return sides
