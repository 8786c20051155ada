"""Sample events and envelopes for tests: valid by default, each field overridable.

event = contract_transmitted(contract_id=cid, revision=2)
envelope = envelope_for(event)                        # as the producer would wrap it
await group.process([record_of(envelope, event)])     # a ConsumerRecord, for consumer unit tests
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from aiokafka import ConsumerRecord

from passerelle.schemas import Envelope, Event, encode_record
from passerelle.schemas.events.common import ContractParties
from passerelle.schemas.events.contracts import ContractDrafted, ContractTransmitted, ContractUpdated
from passerelle.schemas.events.documents import DocumentUploaded
from passerelle.schemas.registry import OWNERS

EMPLOYER_SIRET = "81208328500013"
TRAINING_UAI = "0754321P"
TRAINING_SIRET = "19750001700015"
OPCO_CODE = "OPCOMMERCE"


def parties(**overrides: Any) -> ContractParties:
    values: dict[str, Any] = {
        "employer_siret": EMPLOYER_SIRET,
        "training_uai": TRAINING_UAI,
        "training_siret": TRAINING_SIRET,
        "opco_code": OPCO_CODE,
    }
    return ContractParties(**{**values, **overrides})


def contract_drafted(contract_id: UUID | None = None, **overrides: Any) -> ContractDrafted:
    values: dict[str, Any] = {
        "contract_id": contract_id or uuid4(),
        "contract_type": "apprentissage",
        "parties": parties(),
    }
    return ContractDrafted(**{**values, **overrides})


def contract_updated(contract_id: UUID | None = None, **overrides: Any) -> ContractUpdated:
    values: dict[str, Any] = {
        "contract_id": contract_id or uuid4(),
        "contract_type": "apprentissage",
        "parties": parties(),
        "revision": 1,
        "tabs": ["employer"],
    }
    return ContractUpdated(**{**values, **overrides})


def contract_transmitted(contract_id: UUID | None = None, **overrides: Any) -> ContractTransmitted:
    values: dict[str, Any] = {
        "contract_id": contract_id or uuid4(),
        "contract_type": "apprentissage",
        "parties": parties(),
        "revision": 1,
        "form": {},
        "documents": [],
        "transmitted_at": datetime(2026, 9, 1, 9, 0, tzinfo=UTC),
    }
    return ContractTransmitted(**{**values, **overrides})


def document_uploaded(contract_id: UUID | None = None, **overrides: Any) -> DocumentUploaded:
    values: dict[str, Any] = {
        "document_id": uuid4(),
        "contract_id": contract_id or uuid4(),
        "document_type": "convention_formation",
        "version": 1,
        "filename": "convention.pdf",
        "size": 2048,
        "media_type": "application/pdf",
        "sha256": "0" * 64,
        "uploaded_by": uuid4(),
        "uploaded_at": datetime(2026, 9, 1, 9, 0, tzinfo=UTC),
    }
    return DocumentUploaded(**{**values, **overrides})


def envelope_for(event: Event, **overrides: Any) -> Envelope:
    values: dict[str, Any] = {
        "type": event.topic,
        "schema_version": event.schema_version,
        "producer": OWNERS.get(event.topic, "test"),  # consumers park records not from the topic's owner
        "subject": event.subject(),
    }
    return Envelope(**{**values, **overrides})


def record_of(
    envelope: Envelope, event: Event | dict[str, Any], *, partition: int = 0, offset: int = 0
) -> ConsumerRecord:
    """The Kafka record the relay would publish for this event (for consumer unit tests)."""
    key, value, headers = encode_record(envelope, event)
    return ConsumerRecord(
        topic=envelope.type,
        partition=partition,
        offset=offset,
        timestamp=0,
        timestamp_type=0,
        key=key,
        value=value,
        checksum=None,
        serialized_key_size=len(key or b""),
        serialized_value_size=len(value),
        headers=tuple(headers),
    )
