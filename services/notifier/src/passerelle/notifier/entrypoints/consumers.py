"""The events the notifier consumes: every domain event that concerns a person, one use case for all, once per batch."""

from __future__ import annotations

from passerelle.libs.consumer import BatchHandlerTable
from passerelle.notifier.service_layer.notify import handle_batch
from passerelle.schemas.registry import EVENTS

SOURCES = {
    "account", "organisation", "membership", "invitation",  # identity: the people projection
    "contract", "amendment",  # contracts: parties and persons in charge (and opco's decisions)
    "document",  # documents
    "case", "anomaly", "deadline",  # opco-processing
}  # fmt: skip

# One batch handler for every topic: the kit calls it once per consumer batch, which reads its facts once.
HANDLERS: BatchHandlerTable = {event: handle_batch for event in EVENTS if event.topic.split(".")[0] in SOURCES}
