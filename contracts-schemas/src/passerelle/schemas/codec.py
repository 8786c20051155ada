"""Reading a Kafka record: its envelope (headers) and its typed payload (the registry's model of its type).

Apart from envelope.py and registry.py so that neither imports the other.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from passerelle.schemas.envelope import Envelope
from passerelle.schemas.errors import MalformedMessage
from passerelle.schemas.registry import event_for_topic


def decode_record(value: bytes | None, headers: Sequence[tuple[str, bytes | None]] | None) -> tuple[Envelope, Any]:
    """The envelope and the typed payload of a record; MalformedMessage if either is invalid."""
    envelope = Envelope.from_headers(headers)
    model = event_for_topic(envelope.type, envelope.schema_version)
    if value is None:
        raise MalformedMessage("empty record value")
    try:
        payload = model.model_validate_json(value)
    except ValueError as exc:  # pydantic.ValidationError is a ValueError
        raise MalformedMessage(f"payload does not match {envelope.type} v{envelope.schema_version}: {exc}") from exc
    return envelope, payload
