"""Wires the contracts service: the only place that connects adapters to use cases."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from passerelle.contracts.adapters.referentials import OfflineEstablishmentDirectory, OfflineQualificationDirectory
from passerelle.contracts.adapters.referentials.http import HttpEstablishmentDirectory, HttpQualificationDirectory
from passerelle.contracts.config import Settings
from passerelle.contracts.domain.referentials import EstablishmentDirectory, QualificationDirectory
from passerelle.contracts.entrypoints.consumers import consumers
from passerelle.contracts.entrypoints.http import bulk, contracts, referentials, validation, whoami
from passerelle.contracts.service_layer.bulk import BulkWorker
from passerelle.contracts.service_layer.services import Dependencies
from passerelle.contracts.service_layer.unit_of_work import ContractsUnitOfWork
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
) -> Service:
    settings = settings or Settings()
    default_establishments, default_qualifications = directories(settings)
    service = Service(
        settings,
        title="Passerelle — Contrats",
        description="Rédaction des contrats (CERFA 10103 et 12434), contrôles, transmission.",
        routers=[contracts.router, validation.router, bulk.router, referentials.router, whoami.router],
        consumers=consumers,
        publishes=[
            events.ContractDrafted,
            events.ContractProposed,
            events.ContractAccepted,
            events.ContractUpdated,
            events.ContractTransmitted,
            events.ContractTransferred,
            events.ContractArchived,
            events.ContractDeleted,
            events.AmendmentRequested,
        ],
    )
    sessions = service.sessions
    if sessions is not None:
        service.state["uow_factory"] = lambda: ContractsUnitOfWork(sessions, service.name)
    deps = Dependencies(
        establishments=establishments or default_establishments,
        qualifications=qualifications or default_qualifications,
        default_opco_code=settings.default_opco_code,
        time_zone=ZoneInfo(settings.time_zone),
        clock=clock or (lambda: datetime.now(UTC)),
    )
    service.state["dependencies"] = deps
    if sessions is not None and settings.bulk_worker_enabled:
        _run_bulk_worker(service, BulkWorker(service.state["uow_factory"], deps, chunk=settings.bulk_chunk_size))
    return service


def _run_bulk_worker(service: Service, worker: BulkWorker) -> None:
    """Bulk submissions are worked through in the service's process, from startup to shutdown."""
    service.state["bulk_worker"] = worker

    async def start(_: Service) -> None:
        service.state["bulk_worker_task"] = asyncio.create_task(worker.run(), name="contracts-bulk-drafting")

    async def stop(_: Service) -> None:
        worker.stop()
        task = service.state.pop("bulk_worker_task", None)
        if task is not None:
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(task, 10)

    service.on_startup.append(start)
    service.on_shutdown.append(stop)
