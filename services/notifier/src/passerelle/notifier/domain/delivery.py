"""E-mail delivery: the status of each message, its moves, and the retry policy (values as settings).

A message moves queued -> sending (the attempt recorded, committed before the server gets DATA) -> sent, or back
to queued for a retry, or failed / bounced. Each move is committed on its own, as soon as it happens: a sender
killed at any point leaves at most the one message it had in flight in `sending`. That message is *in doubt*
(the server may have accepted it just before the kill): once its sender is known gone it is queued again and
re-sent, with the same Message-ID, and counted (`resent_in_doubt`). A notice, legal or not, is never lost;
a duplicate is possible for that one message only, and a mail client shows it once (one Message-ID).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID


class DeliveryStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"  # handed to the server by a sender (`sending_by`), its outcome not recorded yet
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


def attempt_started(sender: UUID, now: datetime) -> dict[str, Any]:
    """The values a message takes when a sender hands it to the server (committed before DATA); its attempts
    count one more."""
    return {
        "status": DeliveryStatus.SENDING.value,
        "sending_by": sender,
        "sending_since": now,
    }


def attempt_ended(
    policy: RetryPolicy, attempts: int, now: datetime, refusal: tuple[str, int | None] | None
) -> dict[str, Any]:
    """The values after the server's answer: `refusal` is None when it accepted the message, else (reason, code)."""
    done: dict[str, Any] = {"sending_by": None, "sending_since": None}
    if refusal is None:
        return done | {"status": DeliveryStatus.SENT.value, "sent_at": now, "next_attempt_at": None, "last_error": None}
    reason, code = refusal
    outcome = after_failure(policy, attempts, now, reason, is_permanent(code))
    return done | {
        "status": outcome.status.value,
        "next_attempt_at": outcome.next_attempt_at,
        "last_error": outcome.error,
    }


IN_DOUBT_ERROR = "sender stopped during the attempt: sent again (the server may have accepted it)"


def in_doubt(now: datetime) -> dict[str, Any]:
    """A message left `sending` by a sender that is gone: queued again at once (its Message-ID unchanged)."""
    return {
        "status": DeliveryStatus.QUEUED.value,
        "next_attempt_at": now,
        "sending_by": None,
        "sending_since": None,
        "last_error": IN_DOUBT_ERROR,
    }
