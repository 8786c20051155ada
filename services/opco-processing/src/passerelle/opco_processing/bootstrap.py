"""Wires the opco-processing service: the only place that connects adapters to use cases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from fastapi import FastAPI

from passerelle.libs.service import Service
from passerelle.opco_processing.adapters.deca import FakeDeca
from passerelle.opco_processing.adapters.letters_pdf import LetterRenderer
from passerelle.opco_processing.adapters.machine_tokens import ClientCredentials, MachineTokens
from passerelle.opco_processing.adapters.referentials.offline import OfflineReferentials
from passerelle.opco_processing.adapters.services import HttpContractValidation, HttpDocumentStore
from passerelle.opco_processing.adapters.unit_of_work import OpcoUnitOfWork
from passerelle.opco_processing.config import Settings
from passerelle.opco_processing.entrypoints.consumers import consumers
from passerelle.opco_processing.entrypoints.http import admin, cases, errors
from passerelle.opco_processing.service_layer.background import Background
from passerelle.opco_processing.service_layer.context import Context
from passerelle.opco_processing.service_layer.ports import ContractValidation, Deca, DocumentStore
from passerelle.schemas.events import opco as events


def bootstrap(
    settings: Settings | None = None,
    *,
    clock: Callable[[], datetime] | None = None,
    validation: ContractValidation | None = None,
    documents: DocumentStore | None = None,
    deca: Deca | None = None,
) -> Service:
    settings = settings or Settings()
    background: dict[str, Background] = {}

    async def start_background(service: Service) -> None:
        if settings.background_enabled:
            runner = Background(
                service.state["context"], settings.work_interval_seconds, settings.clock_seconds,
                deposit=settings.deposit_enabled,
            )
            runner.start()
            background["runner"] = runner

    async def stop_background(service: Service) -> None:
        if "runner" in background:
            await background.pop("runner").stop()

    service = Service(
        settings,
        title="Passerelle — Instruction OPCO",
        description="Dossiers d'instruction des contrats : contrôles, file de travail, décisions, courriers, délais.",
        routers=[cases.router, admin.router],
        consumers=consumers,
        publishes=[
            events.CaseOpened,
            events.AnomalyRaised,
            events.AnomalyResolved,
            events.ContractEngaged,
            events.ContractRefused,
            events.ContractDeposited,
            events.DeadlineApproached,
        ],
        on_startup=[start_background],
        on_shutdown=[stop_background],
    )
    tokens = MachineTokens(
        settings.token_url or f"{settings.identity_url.rstrip('/')}/oauth/token",
        {code: ClientCredentials(c["client_id"], c["client_secret"]) for code, c in settings.machine_clients.items()},
    )
    sessions = service.sessions
    assert sessions is not None, "opco-processing needs its database"
    service.state["context"] = Context(
        uow=lambda: OpcoUnitOfWork(sessions, service.name),
        referentials=OfflineReferentials(),
        validation=validation or HttpContractValidation(settings.contracts_url, tokens),
        documents=documents or HttpDocumentStore(settings.documents_url, tokens),
        renderer=LetterRenderer(),
        deca=deca or FakeDeca(),
        clock=clock or (lambda: datetime.now(UTC)),
    )
    return service


def create_app(service: Service) -> FastAPI:
    app = service.app()
    errors.install(app)
    return app
