"""Who may see and add the documents of a contract.

The contract's parties come from the contracts service's events (the local projection); the rule is the
contracts service's own, written once in libs.access: a person or a machine client sees a contract's
documents through a membership of one of its organisations (the employer only once a training
organisation's draft was proposed to it); OPCO staff (and OPCO machine clients, such as opco-processing's)
once the contract was transmitted to their OPCO; its creator only while the draft is private (drafted for an
organisation not verified yet); nobody once the draft was deleted. The OPCO's letters can
only come from that OPCO.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from passerelle.libs import access as parties
from passerelle.libs.access import Viewer

OPCO_LETTERS = frozenset({"courrier_accord", "courrier_anomalie"})


@dataclass(frozen=True)
class ContractAccess:
    """What the projection knows of a contract (from the contracts service's events)."""

    contract_id: UUID
    employer_siret: str | None
    training_uai: str | None
    training_siret: str | None
    opco_code: str | None
    transmitted: bool
    updated_at: datetime  # when the event that brought these parties occurred (the column is NOT NULL)
    routed_opco_code: str | None = None  # set by opco-processing's routing (case.opened); wins when set
    employer_may_see: bool = True
    deleted: bool = False
    contract_version: int | None = None  # the contract's version the parties come from (decides what is newer)
    private_to: UUID | None = None  # a draft private to its creator until their organisation is verified

    @property
    def opco_in_charge(self) -> str | None:
        return self.routed_opco_code or self.opco_code

    def rule(self) -> parties.ContractAccess:
        return parties.ContractAccess(
            employer_siret=self.employer_siret,
            training_uai=self.training_uai,
            training_siret=self.training_siret,
            opco_code=self.opco_in_charge,
            transmitted=self.transmitted,
            employer_may_see=self.employer_may_see,
            private_to=self.private_to,
        )


def is_party(viewer: Viewer, access: ContractAccess) -> bool:
    return not access.deleted and parties.is_party(viewer, access.rule())


def is_contract_opco(viewer: Viewer, access: ContractAccess) -> bool:
    return not access.deleted and parties.is_contract_opco(viewer, access.rule())


def may_see(viewer: Viewer, access: ContractAccess) -> bool:
    """Exactly the contracts service's rule (libs.access); a deleted draft's documents are seen by nobody."""
    return not access.deleted and parties.may_see(viewer, access.rule())


def may_upload(viewer: Viewer, access: ContractAccess, document_type: str) -> bool:
    if document_type in OPCO_LETTERS:
        return is_contract_opco(viewer, access)
    return may_see(viewer, access)
