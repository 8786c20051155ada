"""Wires the opco-processing service: the only place that connects adapters to use cases."""

from passerelle.libs.service import Service
from passerelle.opco_processing.config import Settings


def bootstrap(settings: Settings | None = None) -> Service:
    settings = settings or Settings()
    return Service(
        settings,
        title="Passerelle — Instruction OPCO",
        description="Dossiers d'instruction, contrôles, décisions, courriers.",
    )
