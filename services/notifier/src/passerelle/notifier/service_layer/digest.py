"""The daily digest: one mail per person gathering the notifications they asked to receive that way."""

from __future__ import annotations

import uuid

from passerelle.notifier.adapters.unit_of_work import NotifierUnitOfWork
from passerelle.notifier.domain.delivery import DeliveryStatus
from passerelle.notifier.domain.digest import is_due
from passerelle.notifier.service_layer.context import NotifierContext

TASK = "daily-digest"


async def digest_due(ctx: NotifierContext, uow: NotifierUnitOfWork) -> bool:
    last = await uow.notifications.last_run(TASK)
    return is_due(last, ctx.clock(), ctx.policy.digest_hour, ctx.policy.timezone)


async def send_digests(ctx: NotifierContext, uow: NotifierUnitOfWork) -> int:
    """Queue one digest mail per person with pending items; returns how many were queued."""
    now = ctx.clock()
    queued = 0
    people = await uow.directory.people(await uow.notifications.accounts_with_digest())
    for account_id, (address, name) in people.items():
        items = await uow.notifications.pending_digest(account_id)
        if not items:
            continue
        context = {
            "items": [{"title": r.title, "body": r.body, "link": r.link} for r in items],
            "recipient_name": name,
            "action_url": ctx.links.notifications(),
            "action_label": "Voir toutes mes notifications",
            "preferences_url": ctx.links.preferences(),
        }
        rendered = ctx.renderer.render("digest", context)
        mail_id = uuid.uuid4()
        await uow.notifications.queue_mail(
            {
                "id": mail_id,
                "notification_id": None,
                "account_id": account_id,
                "to_address": address,
                "subject": rendered.subject,
                "text_body": rendered.text,
                "html_body": rendered.html,
                "status": DeliveryStatus.QUEUED.value,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
        )
        await uow.notifications.close_digest([r.id for r in items], mail_id)
        queued += 1
    await uow.notifications.record_run(TASK, now)
    return queued
