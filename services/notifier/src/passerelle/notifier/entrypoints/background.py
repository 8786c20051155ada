"""Background work of the notifier process: the mail outbox's delivery loop and the daily digest."""

from __future__ import annotations

import asyncio
import contextlib

import sqlalchemy as sa

from passerelle.libs.logging import get_logger
from passerelle.notifier.adapters.listener import ANY, Listener
from passerelle.notifier.adapters.repositories import MAIL_CHANNEL
from passerelle.notifier.entrypoints.runtime import Notifier
from passerelle.notifier.service_layer.delivery import deliver_due
from passerelle.notifier.service_layer.digest import digest_due, send_digests

log = get_logger(__name__)
DIGEST_LOCK = 0x4E4F544946  # one digest run at a time across every notifier process


class BackgroundWork:
    def __init__(self, notifier: Notifier) -> None:
        self.notifier = notifier
        self._mail_listener = Listener(notifier.settings.database_url or "", MAIL_CHANNEL)
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        await self._mail_listener.start()
        self._tasks = [
            asyncio.create_task(self._deliver_forever(), name="notifier-mail-delivery"),
            asyncio.create_task(self._digest_forever(), name="notifier-digest"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._mail_listener.stop()

    async def deliver_once(self) -> int:
        n = self.notifier
        async with n.uow_factory() as uow:
            attempted = await deliver_due(n.context, uow, n.mailer)
            await uow.commit()
        return attempted

    async def _deliver_forever(self) -> None:
        n = self.notifier
        wake = self._mail_listener.subscribe(ANY)
        while True:
            wake.clear()
            try:
                attempted = await self.deliver_once()
            except Exception as exc:  # noqa: BLE001 - the loop outlives a database or SMTP outage
                log.warning("mail delivery failed, retrying", error=repr(exc))
                await asyncio.sleep(n.settings.mail_poll_seconds)
                continue
            if attempted >= n.context.policy.mail_batch:
                continue
            # Woken by a NOTIFY from a committed mail; the poll catches retries coming due and lost wake-ups.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout=n.settings.mail_poll_seconds)

    async def run_digest(self, force: bool = False) -> int | None:
        """One digest run if due (or forced), under an advisory lock; None when another process holds it."""
        n = self.notifier
        async with n.uow_factory() as uow:
            locked = (await uow.session.execute(sa.select(sa.func.pg_try_advisory_xact_lock(DIGEST_LOCK)))).scalar_one()
            if not locked:
                return None
            if not force and not await digest_due(n.context, uow):
                return 0
            queued = await send_digests(n.context, uow)
            await uow.notifications.forget_changes_before(n.context.clock() - n.context.policy.feed_retention)
            await uow.commit()
        log.info("daily digest queued", mails=queued)
        return queued

    async def _digest_forever(self) -> None:
        while True:
            try:
                await self.run_digest()
            except Exception as exc:  # noqa: BLE001
                log.warning("digest run failed", error=repr(exc))
            await asyncio.sleep(self.notifier.settings.digest_check_seconds)
