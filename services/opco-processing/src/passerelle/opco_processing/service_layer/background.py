"""The background steps of the service: checks, letters, deposits (often) and the clocks (periodically)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from passerelle.libs.logging import get_logger

from . import checking, clocks, deposits, letters
from .context import Context

log = get_logger(__name__)


class Background:
    def __init__(self, ctx: Context, work_interval: float, clock_interval: float, deposit: bool = True) -> None:
        self.ctx = ctx
        self.work_interval = work_interval
        self.clock_interval = clock_interval
        self.deposit = deposit
        self._tasks: list[asyncio.Task[None]] = []
        self._stop = asyncio.Event()

    async def work_once(self) -> int:
        done = await checking.check_pending(self.ctx)
        done += await letters.deliver_pending(self.ctx)
        if self.deposit:
            done += await deposits.deposit_pending(self.ctx)
        return done

    async def _loop(self, name: str, step: Callable[[], Awaitable[object]], interval: float) -> None:
        while not self._stop.is_set():
            busy = False
            try:
                result = await step()
                busy = bool(result) if isinstance(result, int) else False
            except Exception as exc:  # noqa: BLE001 - the loop outlives a failing pass (database restart...)
                log.warning("background step failed", step=name, error=repr(exc))
            if not busy:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), interval)

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._loop("work", self.work_once, self.work_interval), name="opco-work"),
            asyncio.create_task(self._loop("clocks", lambda: clocks.tick(self.ctx), self.clock_interval),
                                name="opco-clocks"),
        ]

    async def stop(self) -> None:
        self._stop.set()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(task, 10)
