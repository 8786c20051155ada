"""Wires the opco-processing service: the only place that connects adapters to use cases."""

from __future__ import annotations

from pathlib import Path

from passerelle.libs.context import Clock, utc_now
from passerelle.libs.db import Database
from passerelle.libs.service import Service
from passerelle.libs.tasks import PeriodicTask
from passerelle.opco_processing.adapters.clock import FileOffsetClock
from passerelle.opco_processing.adapters.deca import FakeDeca, HttpDeca
from passerelle.opco_processing.adapters.letters_pdf import LetterRenderer
from passerelle.opco_processing.adapters.referentials.offline import OfflineReferentials
from passerelle.opco_processing.adapters.services import (
    HttpContractValidation,
    HttpDocumentStore,
    HttpFieldLabels,
    MachineIdentities,
)
from passerelle.opco_processing.adapters.unit_of_work import OpcoUnitOfWork
from passerelle.opco_processing.config import Settings
from passerelle.opco_processing.entrypoints.consumers import HANDLERS
from passerelle.opco_processing.entrypoints.http import admin, cases
from passerelle.opco_processing.service_layer import background, clocks
from passerelle.opco_processing.service_layer.context import OpcoContext
from passerelle.opco_processing.service_layer.ports import ContractValidation, Deca, DocumentStore, FieldLabels
from passerelle.schemas.events import opco as events


def machine_identities(settings: Settings) -> MachineIdentities:
    """One machine identity (identity API client) per OPCO served: its letters are that OPCO's."""
    identity = settings.token_url.removesuffix("/oauth/token") if settings.token_url else settings.identity_url
    return MachineIdentities(identity, settings.machine_clients, settings.machine_clients_file)


def bootstrap(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    validation: ContractValidation | None = None,
    documents: DocumentStore | None = None,
    deca: Deca | None = None,
    field_labels: FieldLabels | None = None,
) -> Service[OpcoContext]:
    settings = settings or Settings()
    database = Database.of(settings)
    tokens = machine_identities(settings)
    if clock is None and settings.controllable_clock:
        clock = FileOffsetClock(Path(settings.controllable_clock))
    context = OpcoContext(
        uow_factory=database.unit_of_work(OpcoUnitOfWork, settings.service_name),
        reads_factory=database.read_only(OpcoUnitOfWork, settings.service_name),
        producer=settings.service_name,
        clock=clock or utc_now,
        referentials=OfflineReferentials(),
        validation=validation or HttpContractValidation(settings.contracts_url, tokens),
        documents=documents or HttpDocumentStore(settings.documents_url, tokens),
        renderer=LetterRenderer(),
        field_labels=field_labels or HttpFieldLabels(settings.contracts_url, tokens),
        deca=deca or (HttpDeca(settings.deca_url, settings.deca_api_key) if settings.deca_url else FakeDeca()),
    )
    run = settings.background_enabled
    # Rows are locked per case (SKIP LOCKED): several replicas share this work.
    work = PeriodicTask("work", every=settings.work_interval_seconds, run=background.work, exclusive=False, enabled=run)
    context.wake_work = work.wake
    return Service(
        settings,
        context,
        database=database,
        title="Passerelle — Instruction OPCO",
        description="Dossiers d'instruction des contrats : contrôles, file de travail, décisions, courriers, délais.",
        routers=[cases.router, admin.router],
        handlers=HANDLERS,
        publishes=[
            events.CaseOpened,
            events.AnomalyRaised,
            events.AnomalyResolved,
            events.ContractEngaged,
            events.ContractRefused,
            events.ContractDeposited,
            events.DeadlineApproached,
            events.CaseAssigned,
        ],
        tasks=[
            work,
            PeriodicTask(
                "deposit",
                every=settings.work_interval_seconds * 4,
                run=background.deposit,
                exclusive=False,
                enabled=run and settings.deposit_enabled,
            ),
            PeriodicTask("clocks", every=settings.clock_seconds, run=clocks.tick, enabled=run),
        ],
    )
