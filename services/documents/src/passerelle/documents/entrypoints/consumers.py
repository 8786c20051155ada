"""The contracts service's events this service applies: they keep the access projection up to date."""

from __future__ import annotations

from passerelle.documents.service_layer.projection import PROJECTED_EVENTS, apply_case_opened, apply_contract_event
from passerelle.libs.consumer import HandlerTable
from passerelle.schemas.events.opco import CaseOpened

HANDLERS: HandlerTable = {
    **{
        event: lambda context, uow, envelope, event: apply_contract_event(uow, envelope, event)
        for event in PROJECTED_EVENTS
    },
    CaseOpened: lambda context, uow, envelope, event: apply_case_opened(uow, envelope, event),
}
