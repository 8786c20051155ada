"""Background work of a notifier process: the mail outbox's delivery loop, the feed's LISTEN, the daily digest."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from passerelle.libs.logging import get_logger
from passerelle.libs.tasks import PeriodicTask
from passerelle.notifier.adapters.listener import ANY, Listener
from passerelle.notifier.adapters.repositories import MAIL_CHANNEL
from passerelle.notifier.service_layer.context import NotifierContext
from passerelle.notifier.service_layer.delivery import deliver_due
from passerelle.notifier.service_layer.digest import digest_due, send_digests

log = get_logger(__name__)


async def deliver_once(context: NotifierContext) -> int:
    async with context.uow() as uow:
        attempted = await deliver_due(context, uow, context.mailer)
        await uow.commit()
    return attempted


class MailDelivery:
    """Sends the mail outbox as soon as a mail is committed (NOTIFY), polling for retries coming due.

    Several processes may run it: each batch is locked `FOR UPDATE SKIP LOCKED`, so they share the work.
    """

    name = "mail-delivery"

    def __init__(self, database_url: str, enabled: bool = True) -> None:
        self._listener = Listener(database_url, MAIL_CHANNEL)
        self._enabled = enabled
        self._task: asyncio.Task[None] | None = None

    async def start(self, context: Any, engine: AsyncEngine | None, service_name: str) -> None:
        if not self._enabled:
            return
        await self._listener.start()
        self._context = context
        self._task = asyncio.create_task(self._loop(context), name=f"{service_name}-{self.name}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
            close = getattr(self._context.mailer, "close", None)
            if close is not None:
                await close()  # the SMTP connections kept open between batches
        await self._listener.stop()

    async def _loop(self, context: NotifierContext) -> None:
        wake = self._listener.subscribe(ANY)
        while True:
            wake.clear()
            try:
                attempted = await deliver_once(context)
            except Exception as exc:  # noqa: BLE001 - the loop outlives a database or SMTP outage
                log.warning("mail delivery failed, retrying", error=repr(exc))
                await asyncio.sleep(context.policy.mail_poll_seconds)
                continue
            if attempted >= context.policy.mail_batch:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout=context.policy.mail_poll_seconds)


class FeedListening:
    """The process's LISTEN on the feed channel, which wakes the open SSE streams."""

    name = "feed-listener"

    def __init__(self, listener: Listener) -> None:
        self.listener = listener

    async def start(self, context: Any, engine: AsyncEngine | None, service_name: str) -> None:
        await self.listener.start()

    async def stop(self) -> None:
        await self.listener.stop()


async def run_digest(context: NotifierContext, force: bool = False) -> int:
    """Queues the digests if the local hour has come (or `force`); forgets the feed's old change log."""
    async with context.uow() as uow:
        if not force and not await digest_due(context, uow):
            return 0
        queued = await send_digests(context, uow)
        await uow.notifications.forget_changes_before(context.clock() - context.policy.feed_retention)
        await uow.commit()
    log.info("daily digest queued", mails=queued)
    return queued


def digest_task(every: float, enabled: bool = True) -> PeriodicTask:
    # Exclusive (the kit's advisory lock): with several notifier processes, one digest run at a time.
    return PeriodicTask("daily-digest", every=every, run=run_digest, enabled=enabled)
