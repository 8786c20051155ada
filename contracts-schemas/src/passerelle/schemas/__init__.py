"""Passerelle's event contracts: the envelope, the topic registry and the typed event models.

Producers and consumers both import these models; nobody redefines an event locally.
"""

from passerelle.schemas.base import Event
from passerelle.schemas.codec import decode_record
from passerelle.schemas.envelope import Envelope, encode_record
from passerelle.schemas.errors import MalformedMessage
from passerelle.schemas.registry import EVENTS, TOPICS, event_for_topic

__all__ = [
    "EVENTS",
    "TOPICS",
    "Envelope",
    "Event",
    "MalformedMessage",
    "decode_record",
    "encode_record",
    "event_for_topic",
]
