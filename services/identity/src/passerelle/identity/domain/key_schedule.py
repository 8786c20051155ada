"""When signing keys are used, published and retired.

A new key is published ahead of use (verifiers learn it before any token carries it); the newest key
whose activation has come signs; a superseded key stays published while tokens it signed may live.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class KeyTimes:
    kid: str
    activates_at: datetime


@dataclass(frozen=True)
class KeySchedule:
    rotation_period: timedelta
    publish_ahead: timedelta
    # How long a superseded key is still needed: the longest access-token lifetime plus clock skew.
    verify_grace: timedelta

    def signing_key(self, keys: list[KeyTimes], now: datetime) -> KeyTimes | None:
        active = [k for k in keys if k.activates_at <= now]
        return max(active, key=lambda k: k.activates_at) if active else None

    def superseded_at(self, key: KeyTimes, keys: list[KeyTimes], now: datetime) -> datetime | None:
        later = [k.activates_at for k in keys if key.activates_at < k.activates_at <= now]
        return min(later) if later else None

    def published(self, keys: list[KeyTimes], now: datetime) -> list[KeyTimes]:
        out = []
        for key in keys:
            ended = self.superseded_at(key, keys, now)
            if ended is None or ended + self.verify_grace > now:
                out.append(key)
        return sorted(out, key=lambda k: k.activates_at, reverse=True)

    def disposable(self, keys: list[KeyTimes], now: datetime) -> list[KeyTimes]:
        published = {k.kid for k in self.published(keys, now)}
        return [k for k in keys if k.kid not in published]

    def next_activation(self, keys: list[KeyTimes], now: datetime) -> datetime | None:
        """When the next key must start signing, if it is time to create it now; else None."""
        current = self.signing_key(keys, now)
        if current is None:
            upcoming = [k for k in keys if k.activates_at > now]
            return None if upcoming else now
        if any(k.activates_at > now for k in keys):
            return None
        due = current.activates_at + self.rotation_period
        if now >= due - self.publish_ahead:
            return max(due, now + self.publish_ahead)
        return None
