"""Wires the contracts service: the only place that connects adapters to use cases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from passerelle.contracts.adapters.referentials import (
    OfflineEstablishmentDirectory,
    OfflineOpcoDirectory,
    OfflineQualificationDirectory,
)
from passerelle.contracts.adapters.referentials.http import HttpEstablishmentDirectory, HttpQualificationDirectory
from passerelle.contracts.adapters.unit_of_work import ContractsUnitOfWork
from passerelle.contracts.config import Settings
from passerelle.contracts.domain.referentials import EstablishmentDirectory, QualificationDirectory
from passerelle.contracts.entrypoints.consumers import HANDLERS
from passerelle.contracts.entrypoints.http import bulk, contracts, referentials, validation, whoami
from passerelle.contracts.service_layer.bulk import BulkWorker
from passerelle.contracts.service_layer.context import ContractsContext, Dependencies
from passerelle.libs.db import Database
from passerelle.libs.service import Service
from passerelle.schemas.events import contracts as events


def directories(settings: Settings) -> tuple[EstablishmentDirectory, QualificationDirectory]:
    """The offline referential, or an HTTP referential service (which falls back to it) when configured."""
    if settings.referential_url:
        timeout = settings.referential_timeout_seconds
        return (
            HttpEstablishmentDirectory(settings.referential_url, timeout),
            HttpQualificationDirectory(settings.referential_url, timeout),
        )
    return OfflineEstablishmentDirectory(), OfflineQualificationDirectory()


def bootstrap(
    settings: Settings | None = None,
    *,
    establishments: EstablishmentDirectory | None = None,
    qualifications: QualificationDirectory | None = None,
    clock: Callable[[], datetime] | None = None,
) -> Service[ContractsContext]:
    settings = settings or Settings()
    default_establishments, default_qualifications = directories(settings)
    database = Database.of(settings)
    deps = Dependencies(
        establishments=establishments or default_establishments,
        qualifications=qualifications or default_qualifications,
        opcos=OfflineOpcoDirectory(),
        default_opco_code=settings.default_opco_code,
        time_zone=ZoneInfo(settings.time_zone),
        clock=clock or (lambda: datetime.now(UTC)),
    )
    context = ContractsContext(
        uow_factory=database.unit_of_work(ContractsUnitOfWork, settings.service_name),
        reads_factory=database.read_only(ContractsUnitOfWork, settings.service_name),
        producer=settings.service_name,
        clock=deps.clock,
        deps=deps,
    )
    tasks = []
    if settings.bulk_worker_enabled:
        # Bulk submissions (POST /bulk/drafts) are worked through in the service's process.
        context.bulk_worker = BulkWorker(deps, chunk=settings.bulk_chunk_size)
        tasks.append(context.bulk_worker)
    return Service(
        settings,
        context,
        database=database,
        title="Passerelle — Contrats",
        description="Rédaction des contrats (CERFA 10103 et 12434), contrôles, transmission.",
        routers=[contracts.router, validation.router, bulk.router, referentials.router, whoami.router],
        handlers=HANDLERS,
        tasks=tasks,
        publishes=[
            events.ContractDrafted,
            events.ContractProposed,
            events.ContractAccepted,
            events.ContractDeclined,
            events.ContractUpdated,
            events.ContractTransmitted,
            events.ContractTransferred,
            events.ContractArchived,
            events.ContractDeleted,
            events.AmendmentRequested,
            events.BulkDraftsCompleted,
        ],
    )
