"""What the use cases need besides the unit of work: settings-derived policy, links, templates, the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from passerelle.notifier.adapters.rendering import TemplateRenderer
from passerelle.notifier.domain.delivery import RetryPolicy
from passerelle.notifier.domain.links import PortalLinks


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class NotifierPolicy:
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    digest_hour: int = 7
    timezone: str = "Europe/Paris"
    feed_retention: timedelta = timedelta(days=7)
    mail_batch: int = 50


@dataclass
class NotifierContext:
    links: PortalLinks
    renderer: TemplateRenderer
    policy: NotifierPolicy = field(default_factory=NotifierPolicy)
    clock: Callable[[], datetime] = utc_now
