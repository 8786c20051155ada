"""The envelope every message carries, mapped onto Kafka with CloudEvents' Kafka protocol binding.

Binary content mode: the payload is the record value (JSON), the context attributes travel as
`ce_`-prefixed headers, the record key is the subject (the contract id for contract events), so one
contract's events stay in order on one partition. Extension attributes are lower-case, as the spec
requires: `schemaversion`, `correlationid`, `causationid`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from passerelle.schemas.errors import MalformedMessage

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"
SOURCE_PREFIX = "/passerelle/"

Headers = list[tuple[str, bytes]]
__all__ = ["CONTENT_TYPE", "SPEC_VERSION", "Envelope", "Headers", "MalformedMessage", "encode_record"]


class Envelope(BaseModel):
    """The metadata of one message (the CloudEvents context attributes)."""

    model_config = ConfigDict(frozen=True)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, description="Unique event id, used for deduplication")
    type: str = Field(description="The event type, equal to its topic, e.g. contract.transmitted")
    schema_version: int = Field(ge=1, description="Version of the payload schema")
    producer: str = Field(description="The service that produced the event, e.g. contracts")
    occurred_at: datetime = Field(default_factory=lambda: datetime.now(UTC), description="When the fact happened (UTC)")
    subject: str | None = Field(default=None, description="What the event is about: the contract id if any")
    correlation_id: uuid.UUID = Field(
        default_factory=uuid.uuid4, description="Id shared by every message of one user action or flow"
    )
    causation_id: uuid.UUID | None = Field(default=None, description="Id of the message that caused this one")

    def headers(self) -> Headers:
        pairs: list[tuple[str, str]] = [
            ("ce_specversion", SPEC_VERSION),
            ("ce_id", str(self.id)),
            ("ce_type", self.type),
            ("ce_source", SOURCE_PREFIX + self.producer),
            ("ce_time", self.occurred_at.isoformat()),
            ("ce_schemaversion", str(self.schema_version)),
            ("ce_correlationid", str(self.correlation_id)),
            ("content-type", CONTENT_TYPE),
        ]
        if self.subject is not None:
            pairs.append(("ce_subject", self.subject))
        if self.causation_id is not None:
            pairs.append(("ce_causationid", str(self.causation_id)))
        return [(k, v.encode()) for k, v in pairs]

    @classmethod
    def from_headers(cls, headers: Sequence[tuple[str, bytes | None]] | None) -> Envelope:
        """The envelope of a record's headers; MalformedMessage (with the reason) if they are not valid.

        The CloudEvents attributes and the content type must be present once each and be UTF-8 text; other
        headers (tracing...) are not read here.
        """
        found: dict[str, str] = {}
        for key, value in headers or ():
            if not (key.startswith("ce_") or key == "content-type"):
                continue
            if value is None:
                raise MalformedMessage(f"header {key!r} has a null value")
            try:
                found[key] = bytes(value).decode("utf-8")
            except (UnicodeDecodeError, TypeError) as exc:
                raise MalformedMessage(f"header {key!r} is not UTF-8 text: {exc}") from exc
        try:
            source = found["ce_source"]
            return cls(
                id=uuid.UUID(found["ce_id"]),
                type=found["ce_type"],
                schema_version=int(found.get("ce_schemaversion", "1")),
                producer=source.removeprefix(SOURCE_PREFIX),
                occurred_at=datetime.fromisoformat(found["ce_time"]),
                subject=found.get("ce_subject"),
                correlation_id=uuid.UUID(found["ce_correlationid"]),
                causation_id=uuid.UUID(found["ce_causationid"]) if "ce_causationid" in found else None,
            )
        except KeyError as exc:
            raise MalformedMessage(f"missing CloudEvents header {exc.args[0]!r}") from exc
        except ValueError as exc:
            raise MalformedMessage(f"invalid CloudEvents headers: {exc!r}") from exc

    def caused(self, event_type: str, schema_version: int, producer: str, subject: str | None) -> Envelope:
        """The envelope of an event caused by this one: same correlation, causation = this id."""
        return Envelope(
            type=event_type,
            schema_version=schema_version,
            producer=producer,
            subject=subject,
            correlation_id=self.correlation_id,
            causation_id=self.id,
        )


def encode_record(envelope: Envelope, payload: BaseModel | dict[str, Any]) -> tuple[bytes | None, bytes, Headers]:
    """(key, value, headers) of the Kafka record for this event."""
    if isinstance(payload, BaseModel):
        value = payload.model_dump_json().encode()
    else:
        value = json.dumps(payload, default=str, separators=(",", ":")).encode()
    key = envelope.subject.encode() if envelope.subject is not None else None
    return key, value, envelope.headers()
