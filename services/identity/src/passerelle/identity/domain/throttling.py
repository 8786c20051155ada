"""Login throttling: a sliding window of recent failures per key (an account's e-mail, a client address)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Limit:
    key: str
    max_failures: int


def retry_after(failures: list[datetime], now: datetime, window: timedelta, max_failures: int) -> int | None:
    """Seconds to wait before the next attempt, or None if one is allowed now.

    With `max_failures` failures or more in the last `window`, the next attempt is allowed once enough
    of them have left the window that fewer than `max_failures` remain.
    """
    recent = sorted(f for f in failures if f > now - window)
    if len(recent) < max_failures:
        return None
    # The failure whose leaving brings the count under the limit.
    pivot = recent[len(recent) - max_failures]
    wait = (pivot + window - now).total_seconds()
    return max(1, math.ceil(wait))


def growing_delay(
    failures: list[datetime], now: datetime, window: timedelta, free: int, base_seconds: int, max_seconds: int
) -> int | None:
    """Seconds to wait after the last failure, doubling with each failure past `free` in the window.

    Used per account *and* address: the person guessing waits longer and longer, while the account's owner,
    from another address, is not locked out by someone else's failures.
    """
    recent = sorted(f for f in failures if f > now - window)
    if len(recent) < free:
        return None
    delay = min(max_seconds, base_seconds * 2 ** min(len(recent) - free, 20))
    wait = (recent[-1] + timedelta(seconds=delay) - now).total_seconds()
    return max(1, math.ceil(wait)) if wait > 0 else None
