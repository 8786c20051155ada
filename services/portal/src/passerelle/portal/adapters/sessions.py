"""Access tokens kept on the portal's side: the browser holds only the refresh token (an HttpOnly cookie).

An entry is found by the refresh token's SHA-256, never by the token itself. When identity rotates the refresh
token, the old one keeps pointing at the new entry for a short grace period, so the pages a browser loads in
parallel with the old cookie do not present a spent token (which identity would treat as a replay).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from typing import Any

ROTATION_GRACE_SECONDS = 30.0
# An access token is renewed this long before it expires, so a call never starts with a token about to die.
EXPIRY_MARGIN_SECONDS = 20.0
MAX_ENTRIES = 50_000


def digest(refresh_token: str) -> str:
    return hashlib.sha256(refresh_token.encode()).hexdigest()


@dataclass
class SessionEntry:
    refresh_token: str
    access_token: str
    access_expires_at: float
    refresh_expires_in: int
    cached: dict[str, Any] = field(default_factory=dict)
    cached_at: float = 0.0

    def fresh(self, now: float) -> bool:
        return now < self.access_expires_at - EXPIRY_MARGIN_SECONDS


@dataclass
class _Alias:
    entry: SessionEntry
    until: float


class SessionStore:
    def __init__(self, clock: Any = time.monotonic) -> None:
        self.clock = clock
        self._entries: dict[str, SessionEntry | _Alias] = {}

    def put(self, refresh_token: str, access_token: str, expires_in: int, refresh_expires_in: int) -> SessionEntry:
        entry = SessionEntry(refresh_token, access_token, self.clock() + expires_in, refresh_expires_in)
        if len(self._entries) >= MAX_ENTRIES:
            self._evict()
        self._entries[digest(refresh_token)] = entry
        return entry

    def rotate(self, old_refresh: str, entry: SessionEntry) -> None:
        """The old refresh token now leads to the new entry, for a little while."""
        self._entries[digest(old_refresh)] = _Alias(entry, self.clock() + ROTATION_GRACE_SECONDS)

    def get(self, refresh_token: str) -> SessionEntry | None:
        found = self._entries.get(digest(refresh_token))
        if isinstance(found, _Alias):
            if found.until < self.clock():
                del self._entries[digest(refresh_token)]
                return None
            return found.entry
        return found

    def drop(self, refresh_token: str) -> None:
        found = self._entries.pop(digest(refresh_token), None)
        if isinstance(found, _Alias):
            self._entries.pop(digest(found.entry.refresh_token), None)
        elif found is not None:
            for key, value in list(self._entries.items()):
                if isinstance(value, _Alias) and value.entry is found:
                    del self._entries[key]

    def drop_account(self, account_id: str) -> int:
        """Forget every session of one person in this portal (after "log out everywhere" or a password change),
        so that no access token kept here outlives them."""
        doomed = [
            key
            for key, value in self._entries.items()
            if str(getattr((value.entry if isinstance(value, _Alias) else value).cached.get("me"), "id", ""))
            == account_id
        ]
        for key in doomed:
            del self._entries[key]
        return len(doomed)

    def _evict(self) -> None:
        now = self.clock()
        for key, value in list(self._entries.items()):
            stale = value.until < now if isinstance(value, _Alias) else not value.fresh(now)
            if stale:
                del self._entries[key]
