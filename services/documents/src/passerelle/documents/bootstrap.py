"""Wires the documents service: the only place that connects adapters to use cases."""

from __future__ import annotations

from datetime import timedelta

from passerelle.documents.adapters.inspection import StructureInspector
from passerelle.documents.adapters.scanner import ClamdScanner
from passerelle.documents.adapters.storage import S3Storage
from passerelle.documents.adapters.unit_of_work import DocumentsUnitOfWork
from passerelle.documents.config import Settings
from passerelle.documents.entrypoints.consumers import HANDLERS
from passerelle.documents.entrypoints.http.routes import router
from passerelle.documents.service_layer.context import Documents
from passerelle.documents.service_layer.ports import ObjectStorage, Scanner
from passerelle.documents.service_layer.reconcile import ReconcileReport, reconcile
from passerelle.libs.db import Database
from passerelle.libs.health import clamd_check, s3_check
from passerelle.libs.service import Service
from passerelle.libs.tasks import PeriodicTask
from passerelle.schemas.events.documents import DocumentRejected, DocumentUploaded


def storage_from(settings: Settings) -> S3Storage:
    return S3Storage(
        settings.s3_endpoint,
        settings.s3_access_key,
        settings.s3_secret_key,
        settings.s3_bucket,
        secure=settings.s3_secure,
        region=settings.s3_region,
        public_endpoint=settings.s3_public_endpoint,
        public_secure=settings.s3_public_secure,
        timeout=settings.s3_timeout_seconds,
    )


def reconciliation(settings: Settings, grace: timedelta | None = None) -> PeriodicTask:
    """Orphan objects removed, vanished ones marked missing: one instance at a time (the kit's advisory lock)."""
    grace = grace if grace is not None else timedelta(seconds=settings.reconcile_grace_seconds)

    async def run(context: Documents) -> ReconcileReport:
        return await reconcile(context, grace)

    return PeriodicTask(
        "reconcile",
        every=settings.reconcile_interval_seconds,
        first_delay=settings.reconcile_interval_seconds,
        run=run,
        enabled=settings.reconcile_in_process,
    )


def bootstrap(
    settings: Settings | None = None, storage: ObjectStorage | None = None, scanner: Scanner | None = None
) -> Service[Documents]:
    settings = settings or Settings()
    database = Database.of(settings)
    context = Documents(
        uow_factory=database.unit_of_work(DocumentsUnitOfWork, settings.service_name),
        reads_factory=database.read_only(DocumentsUnitOfWork, settings.service_name),
        producer=settings.service_name,
        storage=storage or storage_from(settings),
        scanner=scanner or ClamdScanner(settings.clamd_host, settings.clamd_port, settings.clamd_timeout_seconds),
        inspector=StructureInspector(),
        max_upload_bytes=settings.max_upload_bytes,
        scan_max_bytes=settings.scan_max_bytes,
        download_url_ttl_seconds=settings.download_url_ttl_seconds,
    )
    return Service(
        settings,
        context,
        database=database,
        title="Passerelle — Documents",
        description="Pièces des contrats sur stockage S3, contrôlées et analysées.",
        routers=[router],
        handlers=HANDLERS,
        publishes=[DocumentUploaded, DocumentRejected],
        tasks=[reconciliation(settings)],
        checks={
            "s3": s3_check(
                settings.s3_endpoint,
                settings.s3_access_key,
                settings.s3_secret_key,
                settings.s3_bucket,
                settings.s3_secure,
            ),
            "clamd": clamd_check(settings.clamd_host, settings.clamd_port),
        },
    )
