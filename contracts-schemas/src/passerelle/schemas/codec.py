"""Reading a Kafka record: its envelope (headers) and its typed payload (the registry's model of its type).

Apart from envelope.py and registry.py so that neither imports the other.
"""

from __future__ import annotations

import json
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
    if b"\\u0000" in value and _holds_nul(json.loads(value)):
        # Valid JSON, but no database stores it (PostgreSQL's text refuses U+0000): parked at once, never
        # retried as a failing handler would be, nor applied by a handler that does not store that field.
        raise MalformedMessage(f"payload of {envelope.type} holds a NUL character (U+0000)")
    return envelope, payload


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False
