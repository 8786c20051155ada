"""The notifier's typed context: the kit's unit-of-work factory and clock, plus its ports and policy."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from passerelle.libs.context import ServiceContext
from passerelle.notifier.adapters.rendering import TemplateRenderer
from passerelle.notifier.adapters.unit_of_work import NotifierUnitOfWork
from passerelle.notifier.domain.delivery import RetryPolicy
from passerelle.notifier.domain.links import PortalLinks
from passerelle.notifier.service_layer.ports import FeedSignals, Mailer


@dataclass
class NotifierPolicy:
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    digest_hour: int = 7
    timezone: str = "Europe/Paris"
    feed_retention: timedelta = timedelta(days=7)
    mail_batch: int = 50
    mail_poll_seconds: float = 1.0
    stream_keepalive_seconds: float = 15.0


@dataclass(kw_only=True)
class NotifierContext(ServiceContext[NotifierUnitOfWork]):
    links: PortalLinks
    renderer: TemplateRenderer
    mailer: Mailer
    feed: FeedSignals
    policy: NotifierPolicy = field(default_factory=NotifierPolicy)
