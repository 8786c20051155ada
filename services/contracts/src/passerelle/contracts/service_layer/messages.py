"""What leaves the service when a contract changes: integration events (contracts-schemas) and history entries.

Domain events are the aggregate's own record of what happened; this module maps them onto the platform's
event contracts (published through the outbox) and onto the contract's history (who, when, what).
Decisions the OPCO took (anomaly, engagement, refusal) are its own events: they are kept in the history
but not published again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any
from uuid import UUID

from passerelle.contracts.domain import events as domain
from passerelle.schemas import Event
from passerelle.schemas.events import contracts as schema
from passerelle.schemas.events.common import ContractParties, DocumentRef

from .records import AttachedDocument, ContractRecord, HistoryEntry

SCHEMA_DOCUMENT_TYPES = frozenset(DocumentRef.model_fields["document_type"].annotation.__args__)  # type: ignore[union-attr]

ACTIONS: dict[type[domain.ContractEvent], str] = {
    domain.ContractDrafted: "drafted",
    domain.ContractProposed: "proposed",
    domain.ContractAccepted: "accepted",
    domain.ContractDeclined: "declined",
    domain.ContractSaved: "saved",
    domain.ContractTransmitted: "transmitted",
    domain.AnomalyApplied: "anomaly_raised",
    domain.AnomaliesResolved: "anomaly_resolved",
    domain.ContractEngaged: "engaged",
    domain.ContractRefused: "refused",
    domain.AmendmentOpened: "amendment_opened",
    domain.ContractArchived: "archived",
    domain.ContractRestored: "restored",
    domain.ContractDeleted: "deleted",
    domain.ContractTransferred: "transferred",
}


def _uuid(value: str | None) -> UUID | None:
    if value is None:
        return None
    try:
        return UUID(str(value))
    except ValueError:
        return None


def parties(record: ContractRecord) -> ContractParties:
    return ContractParties(
        employer_siret=record.employer_siret,
        training_uai=record.training_uai,
        training_siret=record.training_siret,
        opco_code=record.opco_code,
        employer_may_see=record.visible_to_employer,
        private_to=record.private_to,
    )


def made_ordinary(record: ContractRecord) -> schema.ContractUpdated:
    """A private draft became an ordinary draft of its organisation (verified): its parties are told as if saved,
    so the documents' projection opens it to the organisation's members too."""
    return schema.ContractUpdated(
        contract_id=record.id,
        contract_type=record.contract.type.value,
        parties=parties(record),
        actor_id=None,
        version=record.contract.version or None,
        revision=record.contract.revision,
        tabs=[],
    )


def document_refs(documents: list[AttachedDocument]) -> list[DocumentRef]:
    return [
        DocumentRef(document_id=d.document_id, document_type=d.document_type, version=d.version, sha256=d.sha256)
        for d in documents
        if d.document_type in SCHEMA_DOCUMENT_TYPES
    ]


def integration_event(
    record: ContractRecord,
    event: domain.ContractEvent,
    *,
    documents: Sequence[AttachedDocument] = (),
    tabs: Sequence[str] = (),
) -> Event | None:
    contract = record.contract
    common: dict[str, Any] = {
        "contract_id": contract.id,
        "contract_type": contract.type.value,
        "parties": parties(record),
        "actor_id": _uuid(event.actor_id),
        # Consumers order a contract's events by this (passerelle.libs.revisions), never by occurred_at.
        "version": contract.version or None,
    }
    match event:
        case domain.ContractDrafted():
            return schema.ContractDrafted(**common)
        case domain.ContractProposed(employer_email=email):
            return schema.ContractProposed(**common, employer_email=email)
        case domain.ContractAccepted():
            return schema.ContractAccepted(**common)
        case domain.ContractDeclined(reason=reason):
            return schema.ContractDeclined(**common, reason=reason)
        case domain.ContractSaved(revision=revision):
            return schema.ContractUpdated(**common, revision=revision, tabs=list(tabs))
        case domain.ContractTransmitted(revision=revision, amendment_number=amendment_number):
            return schema.ContractTransmitted(
                **common,
                revision=revision,
                is_amendment=amendment_number > 0,
                form=contract.form.model_dump(mode="json"),
                documents=document_refs(list(documents)),
                transmitted_at=event.occurred_at,
            )
        case domain.AmendmentOpened(revision=revision):
            return schema.AmendmentRequested(**common, revision=revision)
        case domain.ContractArchived():
            return schema.ContractArchived(**common)
        case domain.ContractDeleted():
            return schema.ContractDeleted(**common)
        case domain.ContractTransferred(from_owner_id=previous, to_owner_id=new):
            to_account = _uuid(new)
            if to_account is None:
                return None
            return schema.ContractTransferred(**common, from_account_id=_uuid(previous), to_account_id=to_account)
    return None


def _jsonable(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    return value


def history_entry(record: ContractRecord, event: domain.ContractEvent, **extra: Any) -> HistoryEntry:
    details = {
        field.name: getattr(event, field.name)
        for field in dataclasses.fields(event)
        if field.name not in ("contract_id", "occurred_at", "actor_id")
    }
    details.update(extra)
    return HistoryEntry(
        contract_id=record.id,
        at=event.occurred_at,
        actor_id=event.actor_id,
        action=ACTIONS.get(type(event), type(event).__name__),
        revision=record.contract.revision,
        details=_jsonable(details),
    )
