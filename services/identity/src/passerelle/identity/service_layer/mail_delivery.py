"""Delivers the mails written to the mail outbox, with retries: a failed send never loses the change.

The loop is the kit's (passerelle.libs.mail.deliver_due_mails); identity's outbox rows are `OutgoingMail`.
"""

from __future__ import annotations

from passerelle.identity.service_layer.ports import Ports, UnitOfWork
from passerelle.libs.mail import Mailer, backoff, deliver_due_mails

MAX_ATTEMPTS = 8
__all__ = ["MAX_ATTEMPTS", "backoff", "deliver_pending_mails"]


async def deliver_pending_mails(uow: UnitOfWork, mailer: Mailer, ports: Ports, batch: int = 20) -> int:
    """Sends the mails that are due; returns how many were sent. Rows are locked while sent (several workers)."""
    return await deliver_due_mails(uow, mailer, ports.clock, batch=batch, max_attempts=MAX_ATTEMPTS)
