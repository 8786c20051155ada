"""Sample events and envelopes for tests: valid by default, each field overridable.

event = contract_transmitted(contract_id=cid, revision=2)
envelope = envelope_for(event)                        # as the producer would wrap it
await group.process([record_of(envelope, event)])     # a ConsumerRecord, for consumer unit tests
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import UnionType
from typing import Any, Literal, TypeVar, Union, get_args, get_origin
from uuid import UUID, uuid4

from aiokafka import ConsumerRecord
from pydantic import BaseModel

from passerelle.schemas import Envelope, Event, encode_record
from passerelle.schemas.events.common import ContractParties
from passerelle.schemas.events.contracts import ContractDrafted, ContractTransmitted, ContractUpdated
from passerelle.schemas.events.documents import DocumentUploaded
from passerelle.schemas.registry import OWNERS

EMPLOYER_SIRET = "81208328500013"
TRAINING_UAI = "0754321P"
TRAINING_SIRET = "19750001700015"
OPCO_CODE = "OPCOMMERCE"
E = TypeVar("E", bound=Event)


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


# Plausible values for fields that a builder cannot guess from their type alone.
_SAMPLE_STRINGS: dict[str, str] = {
    "email": "personne@example.fr",
    "employer_email": "rh@example.fr",
    "full_name": "Camille Martin",
    "name": "Boulangerie Dupain",
    "siret": EMPLOYER_SIRET,
    "siren": EMPLOYER_SIRET[:9],
    "uai": TRAINING_UAI,
    "opco_code": OPCO_CODE,
    "sha256": "0" * 64,
    "media_type": "application/pdf",
    "filename": "piece.pdf",
}


def _sample_value(name: str, annotation: Any, lower_bound: int) -> Any:
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Literal:
        return args[0]
    if origin in (UnionType, Union):
        return _sample_value(name, next(a for a in args if a is not type(None)), lower_bound)
    if origin is list:
        item = args[0] if args else str
        return [_sample_value(name, item, 1)] if lower_bound else []
    if origin is dict:
        return {}
    if annotation is UUID:
        return uuid4()
    if annotation is datetime:
        return datetime.now(UTC)
    if annotation is date:
        return datetime.now(UTC).date()
    if annotation is bool:
        return False
    if annotation is int:
        return max(lower_bound, 1)
    if annotation is ContractParties:
        return parties()
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _sample_model(annotation, {})
    return _SAMPLE_STRINGS.get(name, "exemple")


def _sample_model(model: type[BaseModel], overrides: dict[str, Any]) -> Any:
    values: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if name in overrides or not info.is_required():
            continue
        bounds = [m for m in info.metadata if hasattr(m, "ge") or hasattr(m, "min_length")]
        lower = max([getattr(m, "ge", 0) or getattr(m, "min_length", 0) or 0 for m in bounds], default=0)
        values[name] = _sample_value(name, info.annotation, lower)
    return model(**{**values, **overrides})


def sample_event(model: type[E], **overrides: Any) -> E:
    """A valid event of any type, its required fields filled with plausible values (those given win)."""
    event: E = _sample_model(model, overrides)
    return event
