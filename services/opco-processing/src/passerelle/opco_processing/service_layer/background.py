"""The background steps: checks, letters and deposits (often, each row locked by its worker) and the clocks."""

from __future__ import annotations

from . import checking, deposits, letters
from .context import Context


async def work(ctx: Context) -> int:
    done = await checking.check_pending(ctx)
    done += await letters.deliver_pending(ctx)
    return done


async def deposit(ctx: Context) -> int:
    return await deposits.deposit_pending(ctx)
