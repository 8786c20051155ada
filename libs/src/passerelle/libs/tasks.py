"""Background work inside a service process: periodic tasks, one instance at a time across replicas.

    PeriodicTask("reconcile-orphans", every=600, run=reconcile_orphans)

`run(context)` is awaited every `every` seconds (the first run after `first_delay`). With `exclusive`
(the default) each run first takes a PostgreSQL advisory lock named after the service and the task, on a
connection of its own, and skips that round when another replica holds it: several processes may run the
service, the work runs once. A failing run is logged and retried at the next round (with backoff when it
keeps failing); stopping the service waits for the current run to end.

`wake()` starts the next round now instead of at the end of the wait (work that arrived: a consumer that just
committed a case to check); a wake during a round makes the next round start as soon as it ends, so nothing
that arrived meanwhile waits a whole period. The period stays the fallback.
"""

from __future__ import annotations

import asyncio
import contextlib
import zlib
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from passerelle.libs.logging import get_logger

log = get_logger(__name__)


class Skipped:
    """What `PeriodicTask.run_once` returns when another process held the task's lock."""

    def __repr__(self) -> str:
        return "SKIPPED"


SKIPPED = Skipped()


class BackgroundTask(Protocol):
    name: str

    async def start(self, context: Any, engine: AsyncEngine | None, service_name: str) -> None: ...

    async def stop(self) -> None: ...


def advisory_key(service_name: str, task_name: str) -> int:
    """A stable signed 64-bit key for pg_advisory locks."""
    high = zlib.crc32(service_name.encode())
    low = zlib.crc32(task_name.encode())
    key = (high << 32) | low
    return key - (1 << 64) if key >= 1 << 63 else key


class PeriodicTask:
    def __init__(
        self,
        name: str,
        *,
        every: float,
        run: Callable[[Any], Awaitable[object]],
        exclusive: bool = True,
        first_delay: float = 0.0,
        enabled: bool = True,
        stop_timeout: float = 15.0,
    ) -> None:
        self.name = name
        self.every = every
        self.run = run
        self.exclusive = exclusive
        self.first_delay = first_delay
        self.enabled = enabled
        self.stop_timeout = stop_timeout
        self.runs = 0
        self.skipped = 0
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()
        self._woken = asyncio.Event()

    def wake(self) -> None:
        """Run the next round now (or right after the current one)."""
        self._woken.set()

    async def start(self, context: Any, engine: AsyncEngine | None, service_name: str) -> None:
        if not self.enabled:
            return
        if self.exclusive and engine is None:
            raise RuntimeError(f"task {self.name!r} is exclusive but the service has no database")
        self._stopping = asyncio.Event()
        self._task = asyncio.create_task(self._loop(context, engine, service_name), name=f"{service_name}-{self.name}")

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError, asyncio.TimeoutError):
                await asyncio.wait_for(self._task, self.stop_timeout)
            self._task = None

    async def run_once(self, context: Any, engine: AsyncEngine | None, service_name: str) -> object:
        """One round: what `run` returned, or SKIPPED when another process held the lock."""
        if not self.exclusive or engine is None:
            result = await self.run(context)
            self.runs += 1
            return result
        key = advisory_key(service_name, self.name)
        async with engine.connect() as connection:
            locked = (await connection.execute(sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": key})).scalar()
            await connection.commit()
            if not locked:
                self.skipped += 1
                return SKIPPED
            try:
                result = await self.run(context)
                self.runs += 1
            finally:
                await connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                await connection.commit()
        return result

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    async def _pause(self, seconds: float) -> None:
        """Until the period is over, the service stops, or someone wakes the task."""
        if self._woken.is_set():
            self._woken.clear()
            return
        stop = asyncio.ensure_future(self._stopping.wait())
        woken = asyncio.ensure_future(self._woken.wait())
        try:
            await asyncio.wait({stop, woken}, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in (stop, woken):
                waiter.cancel()
        self._woken.clear()

    async def _loop(self, context: Any, engine: AsyncEngine | None, service_name: str) -> None:
        failures = 0
        if self.first_delay:
            await self._sleep(self.first_delay)
        while not self._stopping.is_set():
            try:
                await self.run_once(context, engine, service_name)
                failures = 0
            except Exception:  # noqa: BLE001 - the loop must survive a database or network hiccup
                failures += 1
                log.exception("background task failed; retrying", task=self.name, failures=failures)
            if failures:
                await self._sleep(min(self.every * 2 ** min(failures, 6), max(self.every, 300.0)))
            else:
                await self._pause(self.every)
