"""PostgreSQL LISTEN, shared by one process: wakes whoever waits on a channel's payload (no extra broker)."""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict

import psycopg

from passerelle.libs.db import libpq_dsn
from passerelle.libs.logging import get_logger

log = get_logger(__name__)
ANY = "*"


class Listener:
    """One connection LISTENing on a channel; `subscribe(key)` gives an event set on each NOTIFY for `key`.

    After a lost connection every waiter is woken: they re-read the database, so nothing is missed.
    """

    def __init__(self, database_url: str, channel: str, on_connect: str | None = None) -> None:
        self._dsn = libpq_dsn(database_url)
        self._channel = channel
        self._on_connect = on_connect  # a statement run on each (re)connection first, e.g. taking a session lock
        self._waiters: dict[str, set[asyncio.Event]] = defaultdict(set)
        self._task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()

    def subscribe(self, key: str = ANY) -> asyncio.Event:
        event = asyncio.Event()
        self._waiters[key].add(event)
        return event

    def unsubscribe(self, key: str, event: asyncio.Event) -> None:
        waiters = self._waiters.get(key)
        if waiters is not None:
            waiters.discard(event)
            if not waiters:
                self._waiters.pop(key, None)

    def _wake(self, key: str | None) -> None:
        targets = self._waiters.values() if key is None else (self._waiters.get(key, ()), self._waiters.get(ANY, ()))
        for waiters in list(targets):
            for event in list(waiters):
                event.set()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"listen-{self._channel}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(self._dsn, autocommit=True) as conn:
                    if self._on_connect:
                        await conn.execute(self._on_connect)  # type: ignore[arg-type]  # our own constant SQL
                    await conn.execute(f"LISTEN {self._channel}")
                    self.connected.set()
                    self._wake(None)
                    async for notify in conn.notifies():
                        self._wake(notify.payload)
            except (psycopg.Error, OSError) as exc:
                self.connected.clear()
                log.warning("listener disconnected, retrying", channel=self._channel, error=repr(exc))
                self._wake(None)
                await asyncio.sleep(1.0)
