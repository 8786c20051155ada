"""Wires the notifier service: the only place that connects adapters to use cases."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI

from passerelle.libs.health import tcp_banner_check
from passerelle.libs.service import Service
from passerelle.notifier.adapters.listener import Listener
from passerelle.notifier.adapters.rendering import TemplateRenderer
from passerelle.notifier.adapters.repositories import FEED_CHANNEL
from passerelle.notifier.adapters.smtp import SmtpMailer
from passerelle.notifier.adapters.unit_of_work import NotifierUnitOfWork
from passerelle.notifier.config import Settings
from passerelle.notifier.domain.delivery import RetryPolicy
from passerelle.notifier.domain.links import PortalLinks
from passerelle.notifier.entrypoints.background import BackgroundWork
from passerelle.notifier.entrypoints.consumers import consumers
from passerelle.notifier.entrypoints.http import ROUTERS
from passerelle.notifier.entrypoints.http.errors import install_notifier_error_handlers
from passerelle.notifier.entrypoints.runtime import Notifier
from passerelle.notifier.service_layer.context import NotifierContext, NotifierPolicy


class NotifierService(Service):
    def app(self) -> FastAPI:
        app = super().app()
        install_notifier_error_handlers(app)
        return app


def policy_of(settings: Settings) -> NotifierPolicy:
    return NotifierPolicy(
        retry=RetryPolicy(
            max_attempts=settings.mail_max_attempts,
            first_delay=timedelta(seconds=settings.mail_first_retry_seconds),
            max_delay=timedelta(seconds=settings.mail_max_retry_seconds),
        ),
        digest_hour=settings.digest_hour,
        timezone=settings.digest_timezone,
        feed_retention=timedelta(days=settings.feed_retention_days),
    )


def build_notifier(settings: Settings, service: Service) -> Notifier:
    if service.sessions is None:
        raise RuntimeError("the notifier service needs a database (NOTIFIER_DATABASE_URL)")
    sessions = service.sessions
    return Notifier(
        settings=settings,
        context=NotifierContext(PortalLinks(settings.portal_url), TemplateRenderer(), policy_of(settings)),
        uow_factory=lambda: NotifierUnitOfWork(sessions),
        mailer=SmtpMailer(
            settings.smtp_host,
            settings.smtp_port,
            settings.mail_from,
            username=settings.smtp_username,
            password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
            starttls=settings.smtp_starttls,
        ),
        feed=Listener(settings.database_url or "", FEED_CHANNEL),
    )


async def _start(service: Service) -> None:
    notifier: Notifier = service.state["notifier"]
    await notifier.feed.start()
    if notifier.settings.background_enabled:
        work = BackgroundWork(notifier)
        await work.start()
        service.state["background"] = work


async def _stop(service: Service) -> None:
    work: BackgroundWork | None = service.state.pop("background", None)
    if work is not None:
        await work.stop()
    await service.state["notifier"].feed.stop()


def bootstrap(settings: Settings | None = None) -> Service:
    settings = settings or Settings()
    service = NotifierService(
        settings,
        title="Passerelle — Notifications",
        description=(
            "Qui est prévenu de quoi : courriels (SMTP) et centre de notifications (liste, états, préférences, "
            "flux en direct Server-Sent Events)."
        ),
        routers=ROUTERS,
        consumers=consumers,
        checks={"smtp": tcp_banner_check(settings.smtp_host, settings.smtp_port, b"220")},
        on_startup=[_start],
        on_shutdown=[_stop],
    )
    service.state["notifier"] = build_notifier(settings, service)
    return service
