"""The web notification centre: a person's list, counts and states (a person only ever reaches their own)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from passerelle.notifier.adapters.unit_of_work import NotifierUnitOfWork
from passerelle.notifier.domain.errors import NotificationNotFound
from passerelle.notifier.domain.feed import FeedAction, FeedMarks, apply
from passerelle.notifier.service_layer.context import NotifierContext
from passerelle.notifier.service_layer.views import notification_view


@dataclass(frozen=True)
class FeedQuery:
    contract_id: UUID | None = None
    kinds: Sequence[str] = ()
    state: str = "active"
    page: int = 1
    per_page: int = 20


async def list_notifications(uow: NotifierUnitOfWork, account_id: UUID, query: FeedQuery) -> dict[str, Any]:
    rows, total = await uow.notifications.page(
        account_id,
        contract_id=query.contract_id,
        kinds=query.kinds,
        state=query.state,
        offset=(query.page - 1) * query.per_page,
        limit=query.per_page,
    )
    unread, _ = await uow.notifications.counts(account_id)
    return {
        "items": [notification_view(r) for r in rows],
        "page": query.page,
        "per_page": query.per_page,
        "total": total,
        "unread": unread,
    }


async def counts(uow: NotifierUnitOfWork, account_id: UUID) -> dict[str, int]:
    unread, unseen = await uow.notifications.counts(account_id)
    return {"unread": unread, "unseen": unseen}


async def get_notification(uow: NotifierUnitOfWork, account_id: UUID, notification_id: UUID) -> dict[str, Any]:
    row = await uow.notifications.one(account_id, notification_id)
    if row is None:
        raise NotificationNotFound()
    return notification_view(row)


async def mark(
    ctx: NotifierContext, uow: NotifierUnitOfWork, account_id: UUID, notification_id: UUID, action: FeedAction
) -> dict[str, Any]:
    """Change one notification's state; the person's other tabs hear of it on their stream."""
    row = await uow.notifications.one(account_id, notification_id, lock=True)
    if row is None:
        raise NotificationNotFound()
    before = FeedMarks(row.seen_at, row.read_at, row.archived_at)
    after = apply(before, action, ctx.clock())
    if after != before:
        await uow.notifications.set_marks(notification_id, after)
        await uow.notifications.record_change(
            account_id, "notification.updated", {"notification_id": str(notification_id)}, ctx.clock()
        )
    fresh = await uow.notifications.one(account_id, notification_id)
    return notification_view(fresh)


async def mark_all(
    ctx: NotifierContext,
    uow: NotifierUnitOfWork,
    account_id: UUID,
    action: FeedAction,
    contract_id: UUID | None = None,
    kinds: Sequence[str] = (),
) -> dict[str, int]:
    column = "read_at" if action is FeedAction.READ else "seen_at"
    updated = await uow.notifications.mark_all(account_id, column, ctx.clock(), contract_id, kinds)
    if updated:
        event = "notifications.read_all" if action is FeedAction.READ else "notifications.seen_all"
        await uow.notifications.record_change(account_id, event, {"updated": updated}, ctx.clock())
    unread, unseen = await uow.notifications.counts(account_id)
    return {"updated": updated, "unread": unread, "unseen": unseen}
