"""The typed context bootstrap builds: the unit-of-work factory, the clock, the ports and the policy."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from passerelle.libs.context import ServiceContext
from passerelle.opco_processing.adapters.unit_of_work import OpcoUnitOfWork
from passerelle.opco_processing.domain.referentials import Referentials

from .ports import ContractValidation, Deca, DocumentStore, FieldLabels, LetterRenderer


@dataclass(frozen=True)
class Policy:
    default_alert_days: tuple[int, ...] = (5, 2)
    default_auto_engage: dict[str, bool] = field(
        default_factory=lambda: {"apprentissage": False, "professionnalisation": False}
    )
    expiring_horizon_days: int = 5
    batch_size: int = 50
    # Cases checked, or letters stored, at the same time by one process (HTTP calls overlap).
    concurrency: int = 8


@dataclass(kw_only=True)
class OpcoContext(ServiceContext[OpcoUnitOfWork]):
    referentials: Referentials
    validation: ContractValidation
    documents: DocumentStore
    renderer: LetterRenderer
    field_labels: FieldLabels
    deca: Deca
    policy: Policy = field(default_factory=Policy)
    # Starts the background work (checks, letters) now: called once a case that has some is committed.
    wake_work: Callable[[], None] = field(default=lambda: None)


Context = OpcoContext
