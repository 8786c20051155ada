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
    """The mail senders of a process: they send the mail outbox as soon as a mail is committed (NOTIFY), poll for
    retries coming due, and queue again the message a killed sender left in flight.

    Each sender has one message in flight at a time, on its own SMTP connection (several hide the server's round
    trips). Several processes may run them: a message is claimed `FOR UPDATE SKIP LOCKED` and marked `sending` by
    its sender, so they share the work. The senders hold their locks on the LISTEN connection from before their
    first attempt to their end: a lock freed is how the others know a sender is gone (a killed process leaves at
    most one message per sender in doubt).
    """

    name = "mail-delivery"

    def __init__(
        self, database_url: str, enabled: bool = True, in_doubt_grace_seconds: float = 10.0, senders: int = 1
    ) -> None:
        self.senders = [Sender() for _ in range(max(senders, 1))]
        self._grace = timedelta(seconds=in_doubt_grace_seconds)
        locks = ", ".join(
            "pg_advisory_lock(" + SENDER_LOCK_KEY.format(f"'{sender.id}'") + ")" for sender in self.senders
        )
        self._listener = Listener(database_url, MAIL_CHANNEL, on_connect=f"SELECT {locks}")
        self._enabled = enabled
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def sender(self) -> Sender:
        return self.senders[0]

    async def start(self, context: Any, engine: AsyncEngine | None, service_name: str) -> None:
        if not self._enabled:
            return
        await self._listener.start()
        self._context = context
        self._tasks = [
            asyncio.create_task(self._loop(context, sender, recovers=k == 0), name=f"{service_name}-{self.name}-{k}")
            for k, sender in enumerate(self.senders)
        ]

    async def stop(self) -> None:
        if self._tasks:
            for task in self._tasks:
                task.cancel()
            for task in self._tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            self._tasks = []
            for sender in self.senders:
                with contextlib.suppress(Exception):
                    await record_pending(self._context, sender)  # the last answer, if the database is there
            close = getattr(self._context.mailer, "close", None)
            if close is not None:
                await close()  # the SMTP connections kept open between messages
        await self._listener.stop()

    async def _loop(self, context: NotifierContext, sender: Sender, recovers: bool) -> None:
        wake = self._listener.subscribe(ANY)
        recovered_at = -math.inf
        while True:
            wake.clear()
            try:
                await self._listener.connected.wait()  # the senders' locks are held before any attempt
                if recovers and time.monotonic() - recovered_at >= context.policy.mail_poll_seconds:
                    requeued = await recover_in_doubt(context, sender, self._grace)
                    MAILS_RESENT_IN_DOUBT.labels(service()).inc(len(requeued))
                    recovered_at = time.monotonic()
                await deliver_due(context, sender, context.mailer)
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
