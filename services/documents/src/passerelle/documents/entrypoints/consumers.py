"""The contracts service's events this service applies: they keep the access projection up to date."""

from __future__ import annotations

from passerelle.documents.service_layer.projection import PROJECTED_EVENTS, apply_case_opened, apply_contract_event
from passerelle.documents.service_layer.unit_of_work import DocumentsUnitOfWork
from passerelle.libs.consumer import ConsumerGroup
from passerelle.libs.service import Service
from passerelle.schemas.events.opco import CaseOpened


def consumers(service: Service) -> ConsumerGroup:
    assert service.sessions is not None, "the documents service needs its database"
    sessions = service.sessions
    group_name = getattr(service.settings, "consumer_group", service.name)
    group = ConsumerGroup(group_name, uow_factory=lambda: DocumentsUnitOfWork(sessions, service.name))
    for event in PROJECTED_EVENTS:
        group.on(event.topic)(apply_contract_event)
    group.on(CaseOpened.topic)(apply_case_opened)
    return group
