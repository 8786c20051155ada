"""The contracts service's typed context: the unit-of-work factory, the referentials (ports), the policy, the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from passerelle.contracts.domain.referentials import EstablishmentDirectory, OpcoDirectory, QualificationDirectory
from passerelle.libs.context import ServiceContext

from .ports import UnitOfWork


@dataclass(frozen=True)
class Dependencies:
    """What the use cases need besides the unit of work (wired once in bootstrap)."""

    establishments: EstablishmentDirectory
    qualifications: QualificationDirectory
    opcos: OpcoDirectory
    default_opco_code: str = "OPCOMMERCE"
    time_zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Paris"))
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    def opco_for(self, idcc: str | None) -> str:
        """The OPCO a contract goes to: the one of the employer's collective agreement, else the default one."""
        return self.opcos.opco_for(idcc) or self.default_opco_code

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        return self.clock().astimezone(self.time_zone).date()


@dataclass(kw_only=True)
class ContractsContext(ServiceContext[UnitOfWork]):
    """What the routes and the consumers are handed: the unit-of-work factory and the use cases' dependencies."""

    deps: Dependencies
    bulk_worker: BulkWaker | None = None
    """Woken when a bulk submission is accepted (None: the worker runs elsewhere, or not at all)."""


class BulkWaker(Protocol):
    def wake(self) -> None: ...
