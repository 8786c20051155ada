"""Wires the fake DECA: its in-memory register of deposits, the key OPCOs present, the simulated outages."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from passerelle.deca_fake.config import Settings
from passerelle.deca_fake.domain.deposits import DepositRegister
from passerelle.deca_fake.entrypoints.http import FaultPlan, Refused, router, simulation
from passerelle.libs.health import Check
from passerelle.libs.service import Service


class DecaFakeService(Service[None]):
    """No database, no Kafka: ready as soon as it answers."""

    def checks(self) -> dict[str, Check]:
        return dict(self.extra_checks)

    def app(self) -> FastAPI:
        app = super().app()
        settings = self.settings
        assert isinstance(settings, Settings)
        app.state.deposits = DepositRegister(first_number=settings.first_number)
        app.state.faults = FaultPlan()
        app.state.api_key = settings.api_key

        async def refused(request: Request, exc: Exception) -> JSONResponse:
            assert isinstance(exc, Refused)
            return exc.response

        app.add_exception_handler(Refused, refused)
        return app


def bootstrap(settings: Settings | None = None) -> DecaFakeService:
    return DecaFakeService(
        settings or Settings(),
        title="Passerelle — DECA (simulateur)",
        description=(
            "Simulateur du service de dépôt des contrats de l'administration (DECA) : contrat, pièces avec leurs "
            "empreintes, clôture (déposé avec son numéro, ou non déposable avec son motif), pannes simulées."
        ),
        routers=[router, simulation],
    )
