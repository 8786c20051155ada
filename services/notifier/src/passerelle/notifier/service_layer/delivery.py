"""Delivering the mail outbox: one message at a time per sender, each move committed as it happens.

A sender commits a message's attempt (`sending`) before the server gets it, then, as soon as the server has
answered, its outcome (sent, or queued for a retry, failed, bounced) in the same transaction that claims the next
message. A mail the server accepted for a person is published as `notification.sent` (channel email) in the
transaction that marks it sent. So a sender killed at any point leaves at most one message behind, in `sending`:
`recover_in_doubt` queues it again once that sender is gone (its lock freed) and counts it; it is re-sent with
the same Message-ID (domain/delivery.py says why: a notice is never lost). These use cases do slow I/O (SMTP)
between their transactions: they take the context and open their units of work.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from passerelle.libs.logging import get_logger
from passerelle.notifier.adapters.unit_of_work import NotifierUnitOfWork
from passerelle.notifier.domain.delivery import attempt_ended
from passerelle.notifier.service_layer.context import NotifierContext
from passerelle.notifier.service_layer.ports import Mailer, MailRefused, OutgoingMail
from passerelle.schemas.events.notifier import NotificationSent

log = get_logger(__name__)


@dataclass
class Sender:
    """One mail sender: its id (recorded on the message in flight) and the outcome it has not recorded yet (kept
    across a database outage: the server's answer is not forgotten)."""

    id: uuid.UUID = field(default_factory=uuid.uuid4)
    pending: tuple[Any, MailRefused | None, datetime] | None = None


async def send_next(ctx: NotifierContext, sender: Sender, mailer: Mailer) -> bool:
    """Records the last answer and claims the next due message (one transaction), then hands it to the server.
    False when no message was due."""
    async with ctx.uow() as uow:
        if sender.pending is not None:
            await _record(ctx, uow, sender, *sender.pending)
        row = await uow.mails.claim_next(ctx.clock(), sender.id)
        await uow.commit()
    sender.pending = None
    if row is None:
        return False
    mail = OutgoingMail(row.id, row.to_address, row.subject, row.text_body, row.html_body)
    try:
        await mailer.send_one(mail)
        refused: MailRefused | None = None
    except MailRefused as exc:
        refused = exc
    sender.pending = (row, refused, ctx.clock())
    return True


async def record_pending(ctx: NotifierContext, sender: Sender) -> None:
    """The last answer in its own transaction (nothing else due, or the sender stopping)."""
    if sender.pending is None:
        return
    async with ctx.uow() as uow:
        await _record(ctx, uow, sender, *sender.pending)
        await uow.commit()
    sender.pending = None


async def deliver_due(ctx: NotifierContext, sender: Sender, mailer: Mailer, limit: int | None = None) -> int:
    """Sends due messages one after the other until none is due (or `limit`); returns how many were attempted."""
    attempted = 0
    while limit is None or attempted < limit:
        if not await send_next(ctx, sender, mailer):
            break
        attempted += 1
    await record_pending(ctx, sender)
    return attempted


async def recover_in_doubt(ctx: NotifierContext, sender: Sender, grace: timedelta) -> list[uuid.UUID]:
    """Queues again the messages left `sending` by senders that are gone (killed during an attempt)."""
    now = ctx.clock()
    async with ctx.uow() as uow:
        requeued = await uow.mails.requeue_in_doubt(sender.id, now - grace, now)
        await uow.commit()
    if requeued:
        log.warning("mails in doubt sent again", count=len(requeued), mail_ids=[str(i) for i in requeued])
    return requeued


async def _record(
    ctx: NotifierContext,
    uow: NotifierUnitOfWork,
    sender: Sender,
    row: Any,
    refused: MailRefused | None,
    done: datetime,
) -> None:
    refusal = None if refused is None else (refused.reason, refused.code)
    values = attempt_ended(ctx.policy.retry, row.attempts, done, refusal)
    if not await uow.mails.finish(row.id, sender.id, values):
        return  # another sender has it now (queued again as in doubt, and taken): its answer will count
    if refused is None and row.account_id is not None and row.notification_id is not None:
        uow.publish(
            NotificationSent(
                notification_id=row.notification_id,
                account_id=row.account_id,
                channel="email",
                contract_id=row.contract_id,
                cause_event_id=row.cause_event_id,
                sent_at=done,
                kind=row.kind,
                legal=row.legal,
            )
        )
    if row.account_id is not None and row.notification_id is not None:
        await uow.notifications.record_change(
            row.account_id, "notification.updated", {"notification_id": str(row.notification_id)}, done
        )
