"""Delivers the mails written to the mail outbox, with retries: a failed send never loses the change."""

from __future__ import annotations

from datetime import timedelta

from passerelle.identity.service_layer.ports import Mailer, Ports, UnitOfWork

MAX_ATTEMPTS = 8


def backoff(attempts: int) -> timedelta:
    """5 s, 10 s, 20 s ... at most an hour."""
    return timedelta(seconds=min(5 * 2 ** max(attempts - 1, 0), 3600))


async def deliver_pending_mails(uow: UnitOfWork, mailer: Mailer, ports: Ports, batch: int = 20) -> int:
    """Sends the mails that are due; returns how many left. Rows are locked while sent (several workers)."""
    sent = 0
    now = ports.clock()
    async with uow:
        for mail in await uow.mails.due(now, batch):
            try:
                await mailer.send(mail.to_address, mail.subject, mail.body)
            except Exception as exc:  # noqa: BLE001 - any transport failure is retried later
                attempts = mail.attempts + 1
                retry_at = None if attempts >= MAX_ATTEMPTS else now + backoff(attempts)
                mail.delivery_failed(now, f"{type(exc).__name__}: {exc}", retry_at)
            else:
                mail.delivered(ports.clock())
                sent += 1
        await uow.commit()
    return sent
