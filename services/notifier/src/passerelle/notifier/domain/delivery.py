"""E-mail delivery: the status of each message and the retry policy (values as settings, not literals here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class DeliveryStatus(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"  # still refused after every retry
    BOUNCED = "bounced"  # the server said the address cannot receive it (5xx)
    DIGEST = "digest"  # waits for the person's daily digest


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6
    first_delay: timedelta = timedelta(seconds=2)
    factor: float = 3.0
    max_delay: timedelta = timedelta(minutes=30)

    def delay(self, attempts: int) -> timedelta:
        """Wait after the `attempts`-th failed attempt (exponential, capped)."""
        seconds = self.first_delay.total_seconds() * self.factor ** min(max(attempts - 1, 0), 64)
        return timedelta(seconds=min(seconds, self.max_delay.total_seconds()))


@dataclass(frozen=True)
class Outcome:
    status: DeliveryStatus
    next_attempt_at: datetime | None
    error: str | None


def after_failure(policy: RetryPolicy, attempts: int, now: datetime, error: str, permanent: bool) -> Outcome:
    """A permanent refusal bounces at once; a transient one is retried until the attempts run out."""
    if permanent:
        return Outcome(DeliveryStatus.BOUNCED, None, error)
    if attempts >= policy.max_attempts:
        return Outcome(DeliveryStatus.FAILED, None, error)
    return Outcome(DeliveryStatus.QUEUED, now + policy.delay(attempts), error)


def is_permanent(smtp_code: int | None) -> bool:
    """RFC 5321: 5yz replies are permanent failures; 4yz and broken connections are worth retrying."""
    return smtp_code is not None and 500 <= smtp_code < 600
