"""Wires the contracts service: the only place that connects adapters to use cases."""

from passerelle.contracts.config import Settings
from passerelle.libs.service import Service


def bootstrap(settings: Settings | None = None) -> Service:
    settings = settings or Settings()
    return Service(
        settings,
        title="Passerelle — Contrats",
        description="Rédaction des contrats (CERFA 10103 et 12434), contrôles, transmission.",
    )
