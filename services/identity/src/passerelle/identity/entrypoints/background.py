"""Identity's background work, inside the service process: deliver mails, rotate keys, forget old attempts."""

from __future__ import annotations

import asyncio
import contextlib
import time

from passerelle.identity.adapters.housekeeping import purge_expired
from passerelle.identity.entrypoints.context import Identity
from passerelle.identity.service_layer.mail_delivery import deliver_pending_mails
from passerelle.libs.logging import get_logger

log = get_logger(__name__)

KEYS_EVERY = 60.0
PURGE_EVERY = 600.0


class BackgroundWork:
    def __init__(self, identity: Identity) -> None:
        self.identity = identity
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    def start(self) -> None:
        self._stopping.clear()
        self._task = asyncio.create_task(self._run(), name="identity-background")

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError, asyncio.TimeoutError):
                await asyncio.wait_for(self._task, 15)
            self._task = None

    async def _run(self) -> None:
        identity = self.identity
        last_keys = last_purge = time.monotonic()
        while not self._stopping.is_set():
            try:
                if identity.settings.mail_worker_enabled:
                    while await deliver_pending_mails(identity.uow(), identity.mailer, identity.ports) > 0:
                        pass
                now = time.monotonic()
                if now - last_keys >= KEYS_EVERY:
                    last_keys = now
                    await identity.keys.ensure_keys()
                if now - last_purge >= PURGE_EVERY:
                    last_purge = now
                    await purge_expired(identity.sessions, identity.ports.clock(), identity.ports.policy)
            except Exception:  # noqa: BLE001 - the loop must survive a database or SMTP hiccup
                log.exception("identity background work failed; retrying")
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), identity.settings.mail_poll_seconds)
