"""A machine identity: access tokens from identity's OAuth2 client-credentials endpoint, kept until near expiry.

One API client per OPCO (the letters are that OPCO's, and the documents service checks it); any of them
serves the calls that need no OPCO in particular (the contracts validation).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import httpx


@dataclass(frozen=True)
class ClientCredentials:
    client_id: str
    client_secret: str


class MachineTokens:
    def __init__(self, token_url: str, clients: dict[str, ClientCredentials], timeout: float = 5.0) -> None:
        self._url = token_url
        self._clients = clients
        self._timeout = timeout
        self._cache: dict[str, tuple[str, float]] = {}
        self._lock = asyncio.Lock()

    def opcos(self) -> list[str]:
        return sorted(self._clients)

    async def token(self, opco_code: str | None = None) -> str:
        code = opco_code or (self.opcos()[0] if self._clients else "")
        credentials = self._clients.get(code)
        if credentials is None:
            raise LookupError(f"no machine client configured for OPCO {code!r}")
        cached = self._cache.get(code)
        if cached and cached[1] > time.monotonic():
            return cached[0]
        async with self._lock:
            async with httpx.AsyncClient(timeout=self._timeout) as client:
                response = await client.post(
                    self._url,
                    data={
                        "grant_type": "client_credentials",
                        "client_id": credentials.client_id,
                        "client_secret": credentials.client_secret,
                    },
                )
                response.raise_for_status()
                body = response.json()
            token = body["access_token"]
            self._cache[code] = (token, time.monotonic() + max(5.0, float(body.get("expires_in", 60)) - 30))
            return token

    def forget(self, opco_code: str) -> None:
        self._cache.pop(opco_code, None)
