"""Wires the documents service: the only place that connects adapters to use cases."""

from __future__ import annotations

from datetime import timedelta

from passerelle.documents.adapters.inspection import StructureInspector
from passerelle.documents.adapters.scanner import ClamdScanner
from passerelle.documents.adapters.storage import S3Storage
from passerelle.documents.config import Settings
from passerelle.documents.entrypoints.consumers import consumers
from passerelle.documents.entrypoints.http.routes import router
from passerelle.documents.entrypoints.reconcile import PeriodicReconciliation
from passerelle.documents.service_layer.context import Documents
from passerelle.documents.service_layer.ports import ObjectStorage, Scanner
from passerelle.documents.service_layer.unit_of_work import DocumentsUnitOfWork
from passerelle.libs.health import clamd_check, s3_check
from passerelle.libs.service import Service
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


def bootstrap(
    settings: Settings | None = None, storage: ObjectStorage | None = None, scanner: Scanner | None = None
) -> Service:
    settings = settings or Settings()

    async def start_reconciliation(service: Service) -> None:
        if settings.reconcile_in_process and service.engine is not None:
            periodic = PeriodicReconciliation(
                service.engine,
                service.state["documents"],
                settings.reconcile_interval_seconds,
                timedelta(seconds=settings.reconcile_grace_seconds),
            )
            periodic.start()
            service.state["reconciliation"] = periodic

    async def stop_reconciliation(service: Service) -> None:
        periodic = service.state.pop("reconciliation", None)
        if periodic is not None:
            await periodic.stop()

    service = Service(
        settings,
        title="Passerelle — Documents",
        description="Pièces des contrats sur stockage S3, contrôlées et analysées.",
        routers=[router],
        consumers=consumers,
        publishes=[DocumentUploaded, DocumentRejected],
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
        on_startup=[start_reconciliation],
        on_shutdown=[stop_reconciliation],
    )
    sessions = service.sessions
    service.state["documents"] = Documents(
        uow_factory=lambda: DocumentsUnitOfWork(sessions, service.name),  # type: ignore[arg-type]
        storage=storage or storage_from(settings),
        scanner=scanner or ClamdScanner(settings.clamd_host, settings.clamd_port, settings.clamd_timeout_seconds),
        inspector=StructureInspector(),
        max_upload_bytes=settings.max_upload_bytes,
        scan_max_bytes=settings.scan_max_bytes,
        download_url_ttl_seconds=settings.download_url_ttl_seconds,
        producer=service.name,
    )
    return service
