"""Delivering the mail outbox: each due message sent once, retried with backoff, its status kept.

A mail the server accepted for a person is published as `notification.sent` (channel email), in the
transaction that marks it sent. Slow I/O (SMTP) happens inside the unit of work that locks the messages
(`FOR UPDATE SKIP LOCKED`), so two senders never take the same message; a crash between the server's
acceptance and the commit sends that message again on restart with the same Message-ID (SMTP offers no more
than at-least-once).
"""

from __future__ import annotations

from typing import Any

from passerelle.notifier.adapters.unit_of_work import NotifierUnitOfWork
from passerelle.notifier.domain.delivery import DeliveryStatus, after_failure, is_permanent
from passerelle.notifier.service_layer.context import NotifierContext
from passerelle.notifier.service_layer.ports import Mailer, OutgoingMail
from passerelle.schemas.events.notifier import NotificationSent


async def deliver_due(ctx: NotifierContext, uow: NotifierUnitOfWork, mailer: Mailer) -> int:
    """Send the due messages of one batch (over a few SMTP connections); returns how many were attempted."""
    now = ctx.clock()
    rows = await uow.mails.claim_due(now, ctx.policy.mail_batch)
    if not rows:
        return 0
    outcomes = await mailer.send_many(
        [OutgoingMail(row.id, row.to_address, row.subject, row.text_body, row.html_body) for row in rows]
    )
    done = ctx.clock()
    for row, refused in zip(rows, outcomes, strict=True):
        attempts = row.attempts + 1
        if refused is None:
            values: dict[str, Any] = {
                "status": DeliveryStatus.SENT.value,
                "attempts": attempts,
                "sent_at": done,
                "next_attempt_at": None,
                "last_error": None,
            }
        else:
            outcome = after_failure(ctx.policy.retry, attempts, done, refused.reason, is_permanent(refused.code))
            values = {
                "status": outcome.status.value,
                "attempts": attempts,
                "next_attempt_at": outcome.next_attempt_at,
                "last_error": outcome.error,
            }
        await uow.mails.update(row.id, values)
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
    return len(rows)
