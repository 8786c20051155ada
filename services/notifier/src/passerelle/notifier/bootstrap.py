"""Wires the notifier service: the only place that connects adapters to use cases."""

from passerelle.libs.health import tcp_banner_check
from passerelle.libs.service import Service
from passerelle.notifier.config import Settings


def bootstrap(settings: Settings | None = None) -> Service:
    settings = settings or Settings()
    return Service(
        settings,
        title="Passerelle — Notifications",
        description="Qui est prévenu de quoi : courriels et centre de notifications.",
        checks={"smtp": tcp_banner_check(settings.smtp_host, settings.smtp_port, b"220")},
    )
