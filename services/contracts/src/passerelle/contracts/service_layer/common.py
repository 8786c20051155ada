"""What every use case on a contract does: load it with its access checked, save it with its history and events."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from passerelle.contracts.domain.events import ContractSaved
from passerelle.contracts.domain.facts import ValidationContext
from passerelle.libs.access import Side
from passerelle.libs.auth import Principal
from passerelle.libs.errors import PreconditionFailed

from . import access
from .context import Dependencies
from .forms import changed_tabs
from .messages import history_entry, integration_event
from .ports import UnitOfWork
from .records import AttachedDocument, ContractRecord, HistoryEntry


def actor(principal: Principal) -> str:
    return str(principal.subject)


async def load_contract(
    uow: UnitOfWork, principal: Principal, contract_id: UUID
) -> tuple[ContractRecord, frozenset[Side]]:
    record = await uow.contracts.get(contract_id)
    return record, access.require_party(principal, record)  # type: ignore[return-value]


async def load_for_write(
    uow: UnitOfWork, principal: Principal, contract_id: UUID, expected_version: int | None
) -> tuple[ContractRecord, frozenset[Side]]:
    record = await uow.contracts.get(contract_id, for_update=True)
    sides = access.require_party(principal, record)
    assert record is not None
    if expected_version is not None and expected_version != record.contract.version:
        raise PreconditionFailed(
            f"Ce contrat a été modifié depuis que vous l'avez lu (vous aviez la version {expected_version}, il en est "
            f"à la version {record.contract.version}) : rechargez-le pour voir les changements, puis enregistrez à "
            "nouveau.",
            "contract_version_outdated",
            details={"current_version": record.contract.version, "expected_version": expected_version},
        )
    return record, sides


async def documents_context(
    uow: UnitOfWork, record: ContractRecord, deps: Dependencies, *, for_transmission: bool = False
) -> tuple[ValidationContext, list[AttachedDocument]]:
    documents = await uow.contracts.documents(record.id)
    types = frozenset(d.document_type for d in documents)
    return ValidationContext(documents=types, for_transmission=for_transmission, today=deps.today()), documents


async def persist(
    uow: UnitOfWork,
    record: ContractRecord,
    deps: Dependencies,
    *,
    new: bool = False,
    documents: list[AttachedDocument] | None = None,
    changed: list[str] | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    """Save the record, its history entries and the events it caused, in the current transaction."""
    events = record.contract.collect_events()
    record.updated_at = deps.now()
    if new:
        record.created_at = record.updated_at
        await uow.contracts.add(record)
    else:
        await uow.contracts.update(record)
    tabs = [tab.value for tab in changed_tabs(changed or [])]
    entries: list[HistoryEntry] = []
    for event in events:
        details = dict(extra or {})
        if isinstance(event, ContractSaved):
            details.update(changed=changed or [], tabs=tabs)
        entries.append(history_entry(record, event, **details))
        message = integration_event(record, event, documents=documents or [], tabs=tabs)
        if message is not None:
            uow.publish(message)
    await uow.contracts.add_history(entries)
