"""A Server-Sent Events client for tests and benchmarks (over real HTTP, with httpx)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass(frozen=True)
class SseEvent:
    id: str | None
    event: str
    data: str

    def json(self) -> Any:
        return json.loads(self.data)


async def parse(lines: AsyncIterator[str]) -> AsyncIterator[SseEvent]:
    """Events as the SSE specification frames them (comments and `retry:` are skipped)."""
    event_id: str | None = None
    name, data = "message", list[str]()
    async for line in lines:
        if line == "":
            if data:
                yield SseEvent(event_id, name, "\n".join(data))
            name, data = "message", list[str]()
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "id":
            event_id = value
        elif field == "event":
            name = value
        elif field == "data":
            data.append(value)


class SseStream:
    """An open stream whose events are collected in the background; `last_id` is what a reconnect sends."""

    def __init__(self, url: str, headers: dict[str, str], last_event_id: str | None = None) -> None:
        self.url, self.headers = url, dict(headers)
        if last_event_id is not None:
            self.headers["Last-Event-ID"] = last_event_id
        self.events: list[SseEvent] = []
        self.received_at: list[float] = []  # time.time() of each event's arrival (benchmarks)
        self.status_code: int | None = None
        self._arrived = asyncio.Condition()
        self._task: asyncio.Task[None] | None = None
        self._opened = asyncio.Event()

    @property
    def last_id(self) -> str | None:
        ids = [e.id for e in self.events if e.id is not None]
        return ids[-1] if ids else None

    async def __aenter__(self) -> SseStream:
        self._task = asyncio.create_task(self._run())
        await asyncio.wait_for(self._opened.wait(), 30)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, httpx.HTTPError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        timeout = httpx.Timeout(10.0, read=None)
        try:
            async with (
                httpx.AsyncClient(timeout=timeout) as client,
                client.stream("GET", self.url, headers=self.headers) as response,
            ):
                self.status_code = response.status_code
                self._opened.set()
                if response.status_code != 200:
                    return
                async for event in parse(response.aiter_lines()):
                    async with self._arrived:
                        self.received_at.append(time.time())
                        self.events.append(event)
                        self._arrived.notify_all()
        finally:
            self._opened.set()

    async def wait_for(self, predicate: Any, timeout: float = 30.0) -> SseEvent:
        """The first event (already received or to come) for which `predicate(event)` is true."""

        async def first() -> SseEvent:
            async with self._arrived:
                while True:
                    for event in self.events:
                        if predicate(event):
                            return event
                    await self._arrived.wait()

        return await asyncio.wait_for(first(), timeout)
