"""Reading contracts: one contract with its sides and documents, its findings, its history, the dashboard."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from passerelle.contracts.domain.rules import Finding, validate
from passerelle.libs.access import Side
from passerelle.libs.auth import Principal

from .common import documents_context, load_contract
from .context import Dependencies
from .ports import UnitOfWork
from .records import AttachedDocument, ContractRecord, DashboardQuery, HistoryEntry


async def get_contract(
    uow: UnitOfWork, principal: Principal, contract_id: UUID
) -> tuple[ContractRecord, frozenset[Side], list[AttachedDocument]]:
    record, sides = await load_contract(uow, principal, contract_id)
    return record, sides, await uow.contracts.documents(contract_id)


async def contract_findings(
    uow: UnitOfWork, principal: Principal, contract_id: UUID, deps: Dependencies, *, for_transmission: bool = True
) -> tuple[ContractRecord, list[Finding]]:
    """Every finding, as transmission would see it (or as saving does)."""
    record, _ = await load_contract(uow, principal, contract_id)
    context, _ = await documents_context(uow, record, deps, for_transmission=for_transmission)
    return record, validate(record.contract.form, context)


async def contract_history(uow: UnitOfWork, principal: Principal, contract_id: UUID) -> list[HistoryEntry]:
    await load_contract(uow, principal, contract_id)
    return await uow.contracts.history(contract_id)


def dashboard_query(principal: Principal, **filters: Any) -> DashboardQuery:
    return DashboardQuery(
        employer_sirets=frozenset(principal.sirets()),
        training_uais=frozenset(principal.uais()),
        training_sirets=frozenset(principal.training_sirets()),
        opco_codes=frozenset(principal.opco_codes()),
        proposals_to_email=principal.email.casefold() if principal.email and principal.sirets() else None,
        **filters,
    )
