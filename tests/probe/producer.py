"""The probe producer: writes state changes and their events through the outbox, one transaction each."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from passerelle.libs.unit_of_work import SqlUnitOfWork
from passerelle.schemas.events.platform import ProbeRecorded
from tests.probe.model import probe_change


async def write_change(
    sessions: async_sessionmaker[AsyncSession], run_id: str, sequence: int | range, padding: str = ""
) -> None:
    """One transaction: the change(s) and their event(s)."""
    sequences = sequence if isinstance(sequence, range) else range(sequence, sequence + 1)
    async with SqlUnitOfWork(sessions, producer="probe") as uow:
        now = datetime.now(UTC)
        rows = [{"run_id": run_id, "sequence": s, "recorded_at": now} for s in sequences]
        await uow.session.execute(sa.insert(probe_change), rows)
        for s in sequences:
            uow.publish(ProbeRecorded(key=f"k{s % 64}", sequence=s, run_id=run_id, padding=padding, recorded_at=now))
        await uow.commit()


async def write_changes(
    sessions: async_sessionmaker[AsyncSession],
    run_id: str,
    sequences: range,
    rate_per_second: float | None = None,
    concurrency: int = 4,
    padding: str = "",
) -> None:
    """Writes each sequence once, optionally paced; `concurrency` writers share the range."""
    start = time.perf_counter()
    queue: asyncio.Queue[int] = asyncio.Queue()
    for s in sequences:
        queue.put_nowait(s)

    async def worker() -> None:
        while not queue.empty():
            s = queue.get_nowait()
            if rate_per_second:
                due = start + (s - sequences.start) / rate_per_second
                delay = due - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
            await _write_with_retry(sessions, run_id, s, padding)

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def _write_with_retry(
    sessions: async_sessionmaker[AsyncSession], run_id: str, sequence: int, padding: str
) -> None:
    for attempt in range(50):
        try:
            await write_change(sessions, run_id, sequence, padding)
            return
        except (sa.exc.OperationalError, sa.exc.InterfaceError):
            await asyncio.sleep(0.1 * (attempt + 1))
    raise RuntimeError(f"could not write change {sequence}")
