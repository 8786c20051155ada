"""Background work of a notifier process: the mail outbox's delivery loop, the feed's LISTEN, the daily digest."""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from passerelle.libs.logging import get_logger
from passerelle.libs.observability.metrics import MAILS_RESENT_IN_DOUBT, service
from passerelle.libs.tasks import PeriodicTask
from passerelle.notifier.adapters.listener import ANY, Listener
from passerelle.notifier.adapters.repositories import MAIL_CHANNEL, SENDER_LOCK_KEY
from passerelle.notifier.service_layer.context import NotifierContext
from passerelle.notifier.service_layer.delivery import Sender, deliver_due, record_pending, recover_in_doubt
from passerelle.notifier.service_layer.digest import digest_due, send_digests

log = get_logger(__name__)


async def deliver_once(context: NotifierContext, sender: Sender | None = None) -> int:
    """The due messages, one after the other (tests and tools; the service runs `MailDelivery`)."""
    return await deliver_due(context, sender or Sender(), context.mailer, limit=context.policy.mail_batch)


class MailDelivery:
    """One mail sender: sends the mail outbox as soon as a mail is committed (NOTIFY), polling for retries coming
    due, and queues again the message a killed sender left in flight.

    Several processes may run it: a message is claimed `FOR UPDATE SKIP LOCKED` and marked `sending` by its
    sender, so they share the work. The sender holds its lock on its LISTEN connection from before its first
    attempt to its end: the lock freed is how the others know it is gone.
    """

    name = "mail-delivery"

    def __init__(self, database_url: str, enabled: bool = True, in_doubt_grace_seconds: float = 10.0) -> None:
        self.sender = Sender()
        self._grace = timedelta(seconds=in_doubt_grace_seconds)
        lock = "SELECT pg_advisory_lock(" + SENDER_LOCK_KEY.format(f"'{self.sender.id}'") + ")"
        self._listener = Listener(database_url, MAIL_CHANNEL, on_connect=lock)
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
            with contextlib.suppress(Exception):
                await record_pending(self._context, self.sender)  # the last answer, if the database is there
            close = getattr(self._context.mailer, "close", None)
            if close is not None:
                await close()  # the SMTP connection kept open between messages
        await self._listener.stop()

    async def _loop(self, context: NotifierContext) -> None:
        wake = self._listener.subscribe(ANY)
        recovered_at = -math.inf
        while True:
            wake.clear()
            try:
                await self._listener.connected.wait()  # the sender's lock is held before any attempt
                if time.monotonic() - recovered_at >= context.policy.mail_poll_seconds:
                    requeued = await recover_in_doubt(context, self.sender, self._grace)
                    MAILS_RESENT_IN_DOUBT.labels(service()).inc(len(requeued))
                    recovered_at = time.monotonic()
                await deliver_due(context, self.sender, context.mailer)
            except Exception as exc:  # noqa: BLE001 - the loop outlives a database or SMTP outage
                log.warning("mail delivery failed, retrying", error=repr(exc))
                await asyncio.sleep(context.policy.mail_poll_seconds)
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
