"""The events the notifier consumes: every domain event that concerns a person, one handler for all."""

from __future__ import annotations

from typing import Any

from passerelle.libs.consumer import ConsumerGroup
from passerelle.libs.service import Service
from passerelle.notifier.adapters.unit_of_work import NotifierUnitOfWork
from passerelle.notifier.entrypoints.runtime import Notifier
from passerelle.notifier.service_layer.notify import handle_event
from passerelle.schemas import Envelope
from passerelle.schemas.registry import TOPICS

SOURCES = {
    "account",
    "organisation",
    "membership",
    "invitation",  # identity: the people projection
    "contract",
    "amendment",  # contracts: parties and persons in charge
    "document",  # documents
    "case",
    "anomaly",
    "clock",  # opco-processing
}
CONSUMED = tuple(topic for topic in TOPICS if topic.split(".")[0] in SOURCES)


def consumers(service: Service) -> ConsumerGroup:
    sessions = service.sessions
    assert sessions is not None, "the notifier service needs its database"

    async def handle(uow: Any, envelope: Envelope, event: Any) -> None:
        notifier: Notifier = service.state["notifier"]
        await handle_event(notifier.context, uow, envelope, event)

    group = ConsumerGroup(
        getattr(service.settings, "consumer_group", service.name), uow_factory=lambda: NotifierUnitOfWork(sessions)
    )
    for topic in CONSUMED:
        group.on(topic)(handle)
    return group
