"""The contracts the service knows, from the contracts service's events: who may see their documents."""

from __future__ import annotations

from typing import Any

from passerelle.documents.domain.access import ContractAccess
from passerelle.schemas import Envelope
from passerelle.schemas.events.contracts import (
    ContractAccepted,
    ContractDeclined,
    ContractDeleted,
    ContractDrafted,
    ContractEvent,
    ContractProposed,
    ContractTransferred,
    ContractTransmitted,
    ContractUpdated,
)
from passerelle.schemas.events.opco import CaseOpened

PROJECTED_EVENTS: tuple[type[ContractEvent], ...] = (
    ContractDrafted,
    ContractProposed,
    ContractAccepted,
    ContractDeclined,  # the employer declined: it no longer sees the draft's documents
    ContractUpdated,
    ContractTransmitted,
    ContractTransferred,
    ContractDeleted,
)


async def apply_contract_event(uow: Any, envelope: Envelope, event: ContractEvent) -> None:
    """Keep the parties of the newest event; once transmitted, the contract's OPCO keeps seeing it; once
    deleted, nobody sees its documents again."""
    parties = event.parties
    await uow.contracts.apply(
        ContractAccess(
            contract_id=event.contract_id,
            employer_siret=parties.employer_siret,
            training_uai=parties.training_uai,
            training_siret=parties.training_siret,
            opco_code=parties.opco_code,
            transmitted=isinstance(event, ContractTransmitted),
            updated_at=envelope.occurred_at,
            employer_may_see=parties.employer_may_see,
            private_to=parties.private_to,
            deleted=isinstance(event, ContractDeleted),
            contract_version=event.version,
        )
    )


async def apply_case_opened(uow: Any, envelope: Envelope, event: CaseOpened) -> None:
    """opco-processing routed the contract to its competent OPCO (by IDCC): that OPCO sees and letters it."""
    await uow.contracts.route(event.contract_id, event.opco_code, envelope.occurred_at)
