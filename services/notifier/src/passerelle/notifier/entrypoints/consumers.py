"""The events the notifier consumes: every domain event that concerns a person, one use case for all."""

from __future__ import annotations

from passerelle.libs.consumer import HandlerTable
from passerelle.notifier.service_layer.notify import handle_event
from passerelle.schemas.registry import EVENTS

SOURCES = {
    "account", "organisation", "membership", "invitation",  # identity: the people projection
    "contract", "amendment",  # contracts: parties and persons in charge (and opco's decisions)
    "document",  # documents
    "case", "anomaly", "deadline",  # opco-processing
}  # fmt: skip

HANDLERS: HandlerTable = {event: handle_event for event in EVENTS if event.topic.split(".")[0] in SOURCES}
