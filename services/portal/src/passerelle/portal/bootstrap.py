"""Wires the portal service: the only place that connects adapters to use cases."""

from passerelle.libs.service import Service
from passerelle.portal.config import Settings


def bootstrap(settings: Settings | None = None) -> Service:
    settings = settings or Settings()
    return Service(
        settings,
        title="Passerelle — Portail",
        description="Les pages web des employeurs, organismes de formation et OPCO.",
    )
