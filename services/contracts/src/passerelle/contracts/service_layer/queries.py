"""Reading contracts: one contract with its sides and documents, its findings, its history, the dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from passerelle.contracts.domain.rules import Finding, validate
from passerelle.libs.access import Side
from passerelle.libs.auth import Principal
from passerelle.libs.errors import FieldError, InvalidInput

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


@dataclass(frozen=True)
class DayRange:
    """A period of whole days asked for by a person (both ends included, either may be open)."""

    first: date | None = None
    last: date | None = None

    def check(self, field: str, noun: str) -> list[FieldError]:
        if self.first and self.last and self.first > self.last:
            return [
                FieldError(
                    f"{field}_to",
                    "range_reversed",
                    f"La fin de la période ({noun}) doit être postérieure ou égale à son début.",
                )
            ]
        return []

    def instants(self, time_zone: ZoneInfo) -> tuple[datetime | None, datetime | None]:
        """From midnight of the first day to midnight after the last, in the platform's time zone."""
        since = datetime.combine(self.first, time.min, time_zone) if self.first else None
        before = datetime.combine(self.last + timedelta(days=1), time.min, time_zone) if self.last else None
        return since, before


def dashboard_query(
    principal: Principal,
    *,
    created: DayRange = DayRange(),
    start: DayRange = DayRange(),
    transmitted: DayRange = DayRange(),
    time_zone: ZoneInfo | None = None,
    **filters: Any,
) -> DashboardQuery:
    """The dashboard's search within what the person may see; reversed periods are refused field by field."""
    errors = created.check("created", "création") + start.check("start", "début du contrat")
    errors += transmitted.check("transmitted", "transmission")
    if errors:
        raise InvalidInput(errors, message="Une période de recherche est inversée.")
    zone = time_zone or ZoneInfo("Europe/Paris")
    created_since, created_before = created.instants(zone)
    transmitted_since, transmitted_before = transmitted.instants(zone)
    return DashboardQuery(
        created_since=created_since,
        created_before=created_before,
        start_from=start.first,
        start_to=start.last,
        transmitted_since=transmitted_since,
        transmitted_before=transmitted_before,
        employer_sirets=frozenset(principal.sirets()),
        training_uais=frozenset(principal.uais()),
        training_sirets=frozenset(principal.training_sirets()),
        opco_codes=frozenset(principal.opco_codes()),
        proposals_to_email=principal.email.casefold() if principal.email and principal.sirets() else None,
        private_to=principal.subject if principal.pending else None,
        private_organisations=frozenset(m.organisation_id for m in principal.pending),
        **filters,
    )
