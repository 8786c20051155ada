"""Wires the identity service: the only place that connects adapters to use cases."""

from passerelle.identity.config import Settings
from passerelle.libs.service import Service


def bootstrap(settings: Settings | None = None) -> Service:
    settings = settings or Settings()
    return Service(
        settings,
        title="Passerelle — Identité et accès",
        description="Comptes, organisations (SIREN, SIRET, UAI, OPCO), rôles, jetons.",
    )
