"""A client of the contracts API that sends, on every write, the version it last read (If-Match is required)."""

from __future__ import annotations

import re
from typing import Any

import httpx

_CONTRACT = re.compile(r"^/contracts/([0-9a-f-]{36})(/|$)")


class VersionedAsyncClient(httpx.AsyncClient):
    """Reads the contract's ETag before a write that does not name its version, as a person's page would."""

    async def request(self, method: str, url: Any, *args: Any, **kwargs: Any) -> httpx.Response:
        headers = dict(kwargs.pop("headers", None) or {})
        match = _CONTRACT.match(str(url))
        if method in ("PUT", "POST", "DELETE") and match and "If-Match" not in headers:
            current = await super().request("GET", f"/contracts/{match.group(1)}", headers=headers)
            if "etag" in current.headers:
                headers["If-Match"] = current.headers["etag"]
        return await super().request(method, url, *args, headers=headers, **kwargs)
