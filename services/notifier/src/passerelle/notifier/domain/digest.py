"""The daily digest: when it runs (a local hour in the platform's time zone) and what it gathers."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


def next_run(now: datetime, hour: int, timezone: str) -> datetime:
    """The next occurrence of `hour`:00 local time strictly after `now` (an aware datetime)."""
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    candidate = datetime.combine(local.date(), time(hour=hour), tzinfo=zone)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), time(hour=hour), tzinfo=zone)
    return candidate


def is_due(last_run: datetime | None, now: datetime, hour: int, timezone: str) -> bool:
    """Due once per local day, from `hour` on: after a missed day it runs at the first chance."""
    if last_run is None:
        return now.astimezone(ZoneInfo(timezone)).hour >= hour
    return next_run(last_run, hour, timezone) <= now
