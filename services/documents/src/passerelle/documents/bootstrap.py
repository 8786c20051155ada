"""Wires the documents service: the only place that connects adapters to use cases."""

from passerelle.documents.config import Settings
from passerelle.libs.health import clamd_check, s3_check
from passerelle.libs.service import Service


def bootstrap(settings: Settings | None = None) -> Service:
    settings = settings or Settings()
    return Service(
        settings,
        title="Passerelle — Documents",
        description="Pièces des contrats sur stockage S3, contrôlées et analysées.",
        checks={
            "s3": s3_check(settings.s3_endpoint, settings.s3_access_key, settings.s3_secret_key,
                           settings.s3_bucket, settings.s3_secure),
            "clamd": clamd_check(settings.clamd_host, settings.clamd_port),
        },
    )
