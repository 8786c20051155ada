"""Wires the notifier service: the only place that connects adapters to use cases."""

from __future__ import annotations

from datetime import timedelta

from passerelle.libs.db import Database
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
from passerelle.notifier.entrypoints.background import FeedListening, MailDelivery, digest_task
from passerelle.notifier.entrypoints.consumers import HANDLERS
from passerelle.notifier.entrypoints.http import ROUTERS
from passerelle.notifier.service_layer.context import NotifierContext, NotifierPolicy
from passerelle.notifier.service_layer.ports import Mailer
from passerelle.schemas.events.notifier import NotificationSent


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
        mail_poll_seconds=settings.mail_poll_seconds,
        stream_keepalive_seconds=settings.stream_keepalive_seconds,
    )


def bootstrap(settings: Settings | None = None, *, mailer: Mailer | None = None) -> Service[NotifierContext]:
    settings = settings or Settings()
    database = Database.of(settings)
    feed = Listener(database.url, FEED_CHANNEL)
    context = NotifierContext(
        uow_factory=database.unit_of_work(NotifierUnitOfWork, settings.service_name),
        reads_factory=database.read_only(NotifierUnitOfWork, settings.service_name),
        producer=settings.service_name,
        links=PortalLinks(settings.portal_url),
        renderer=TemplateRenderer(),
        mailer=mailer
        or SmtpMailer(
            settings.smtp_host,
            settings.smtp_port,
            settings.mail_from,
            username=settings.smtp_username,
            password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
            starttls=settings.smtp_starttls,
        ),
        feed=feed,
        policy=policy_of(settings),
    )
    return Service(
        settings,
        context,
        database=database,
        title="Passerelle — Notifications",
        description=(
            "Qui est prévenu de quoi : courriels (SMTP) et centre de notifications (liste, états, préférences, "
            "flux en direct Server-Sent Events)."
        ),
        routers=ROUTERS,
        handlers=HANDLERS,
        publishes=[NotificationSent],
        tasks=[
            FeedListening(feed),
            MailDelivery(
                database.url,
                enabled=settings.background_enabled,
                in_doubt_grace_seconds=settings.mail_in_doubt_grace_seconds,
                senders=settings.mail_senders,
            ),
            digest_task(settings.digest_check_seconds, enabled=settings.background_enabled),
        ],
        checks={"smtp": tcp_banner_check(settings.smtp_host, settings.smtp_port, b"220")},
    )
