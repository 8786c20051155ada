"""What a case's outgoing events become on the wire: the published models of contracts-schemas."""

from __future__ import annotations

from passerelle.opco_processing.domain.case import Outgoing
from passerelle.schemas import Event, event_for_topic


def event_of(outgoing: Outgoing) -> Event:
    return event_for_topic(outgoing.topic).model_validate(outgoing.payload)
