"""Wires the portal service: the only place that connects adapters to use cases."""

from __future__ import annotations

from pathlib import Path

import httpx
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from passerelle.libs.client import pool_limits
from passerelle.libs.headers import PAGE_CSP
from passerelle.libs.service import Service
from passerelle.portal.adapters.contracts import ContractsClient
from passerelle.portal.adapters.documents import DocumentsClient
from passerelle.portal.adapters.identity import IdentityClient
from passerelle.portal.adapters.notifier import NotifierClient
from passerelle.portal.adapters.opco import OpcoClient
from passerelle.portal.adapters.sessions import SessionStore
from passerelle.portal.config import Settings
from passerelle.portal.entrypoints.http import (
    accounts,
    backoffice,
    contracts,
    dashboard,
    notifications,
    organisations,
)
from passerelle.portal.entrypoints.http.errors import install_page_errors
from passerelle.portal.service_layer.context import PortalContext

PACKAGE = Path(__file__).resolve().parent
SERVICE_DIR = PACKAGE.parents[2]


def dsfr_dist(settings: Settings) -> Path:
    return (
        Path(settings.dsfr_dist) if settings.dsfr_dist else SERVICE_DIR / "node_modules" / "@gouvfr" / "dsfr" / "dist"
    )


def build_context(settings: Settings) -> PortalContext:
    def http(base_url: str) -> httpx.AsyncClient:
        # Idle connections are dropped before the services' own keep-alive closes them (libs.client says why): a
        # request sent on a connection the server is closing fails and the person would see a 503.
        limits = pool_limits(max_connections=200)
        return httpx.AsyncClient(base_url=base_url, timeout=settings.api_timeout_seconds, limits=limits)

    return PortalContext(
        settings=settings,
        identity=IdentityClient(http(settings.identity_url)),
        contracts=ContractsClient(http(settings.contracts_url)),
        documents=DocumentsClient(http(settings.documents_url)),
        notifier=NotifierClient(http(settings.notifier_url)),
        opco=OpcoClient(http(settings.opco_processing_url)),
        sessions=SessionStore(),
    )


class PortalService(Service[PortalContext]):
    """The portal's app: pages, their static files (the DSFR from npm, the brand), page errors."""

    content_security_policy = PAGE_CSP

    def app(self) -> FastAPI:
        app = super().app()
        install_page_errors(app)
        app.mount("/static/dsfr", StaticFiles(directory=str(dsfr_dist(self.settings)), check_dir=False), "dsfr")
        app.mount("/static/portal", StaticFiles(directory=str(PACKAGE / "static")), "portal-static")
        return app


async def _close_clients(service: Service[PortalContext]) -> None:
    await service.context.aclose()


def bootstrap(settings: Settings | None = None) -> PortalService:
    settings = settings or Settings()
    return PortalService(
        settings,
        build_context(settings),
        title="Passerelle — Portail",
        description="Les pages web des employeurs, organismes de formation et OPCO.",
        routers=[
            accounts.router,
            organisations.router,
            dashboard.router,
            notifications.router,
            backoffice.router,
            contracts.router,
        ],
        on_shutdown=[_close_clients],
    )
