"""What the live stream sends: a person's change log after a given id, each entry with its current payload."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from passerelle.notifier.adapters.unit_of_work import NotifierUnitOfWork
from passerelle.notifier.service_layer.views import notification_view


@dataclass(frozen=True)
class StreamEvent:
    id: int
    event: str
    data: dict[str, Any]


PAGE = 500  # change log entries read at a time


async def changes_after(uow: NotifierUnitOfWork, account_id: UUID, last_id: int) -> tuple[list[StreamEvent], bool]:
    """The events after `last_id`, and whether there may be more (a full page was read)."""
    changes, unread, unseen = await uow.notifications.stream_after(account_id, last_id, PAGE)
    if not changes:
        return [], False
    out: list[StreamEvent] = []
    for change in changes:
        data: dict[str, Any] = dict(change.change_data)
        if data.pop("notification_id", None) is not None:
            if change.id is None:
                continue  # not in the feed (or no longer kept): nothing to show
            data["notification"] = notification_view(change)
        out.append(StreamEvent(change.change_seq, change.change_event, data | {"unread": unread, "unseen": unseen}))
    if not out:
        # Keep the position moving even when every entry was skipped.
        out.append(StreamEvent(changes[-1].change_seq, "sync", {"unread": unread, "unseen": unseen}))
    return out, len(changes) == PAGE


async def position(uow: NotifierUnitOfWork, account_id: UUID) -> StreamEvent:
    """Where a stream without Last-Event-ID starts: the latest entry, with the counts."""
    unread, unseen = await uow.notifications.counts(account_id)
    return StreamEvent(await uow.notifications.last_change(account_id), "sync", {"unread": unread, "unseen": unseen})
