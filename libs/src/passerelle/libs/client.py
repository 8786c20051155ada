"""Calling another service over HTTP with the service's machine identity (OAuth2 client credentials).

    token = MachineToken(settings.identity_url, client_id, client_secret)
    documents = ServiceClient(settings.documents_url, token)
    response = await documents.post("/contracts/{id}/documents", files=..., correlation_id=envelope.correlation_id)

`MachineToken` asks identity's `/oauth/token` for an access token and keeps it until shortly before it
expires (one request for many calls; concurrent callers share one fetch). `ServiceClient` adds the bearer
token and the correlation id, retries once with a new token on a 401, and turns a transport failure or a
5xx answer into `Unavailable` (so a consumer retries the event with backoff, and a route answers 503).
A 4xx other than 401 is returned to the caller, who knows what it means.
"""

from __future__ import annotations

import asyncio
import functools
import ssl
import time
from typing import Any
from uuid import UUID

import httpx

from passerelle.libs.errors import Unavailable

# How long a client keeps an idle connection, and how long a service keeps one open (the `--timeout-keep-alive`
# its launchers give uvicorn: deploy/images/service-entrypoint.sh, the native stack, testing.processes). A
# request sent on a connection the server is closing at that moment fails (`Server disconnected without sending
# a response`, `ReadError`): with both at uvicorn's 5 s, a call after 5 s of quiet sometimes did (issue #17, the
# national benchmark). So the client lets go well before any server does, even one left at uvicorn's default;
# the service waits longer than the 60 s of the reverse proxies usually put in front of it (ingress-nginx's
# upstream keep-alive, load balancers), so that they, not it, close an idle connection.
IDLE_CONNECTION_SECONDS = 2.0
SERVER_KEEP_ALIVE_SECONDS = 75


def pool_limits(max_connections: int = 100, max_keepalive_connections: int = 20) -> httpx.Limits:
    """httpx's pool limits, idle connections dropped after IDLE_CONNECTION_SECONDS: every client of another
    service (the kit's, the portal's, the benchmarks') uses them."""
    return httpx.Limits(
        max_connections=max_connections,
        max_keepalive_connections=max_keepalive_connections,
        keepalive_expiry=IDLE_CONNECTION_SECONDS,
    )


@functools.cache
def shared_ssl_context() -> ssl.SSLContext:
    """One TLS context for every HTTP client of the process (`httpx.AsyncClient(verify=shared_ssl_context())`).

    httpx builds a context for each client it makes, even one that only ever calls http:// URLs, and loading
    the CA bundle costs about 45 ms of CPU: a process that made a client per machine identity and per token
    fetch spent seconds on it (issue #17). The same verification as httpx's default (certifi's bundle, or
    SSL_CERT_FILE / SSL_CERT_DIR)."""
    return httpx.create_ssl_context()


class MachineToken:
    def __init__(
        self,
        identity_url: str,
        client_id: str,
        client_secret: str,
        *,
        margin_seconds: float = 30.0,
        timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._url = identity_url.rstrip("/") + "/oauth/token"
        self._client_id = client_id
        self._client_secret = client_secret
        self._margin = margin_seconds
        self._timeout = timeout
        self._transport = transport
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()

    def forget(self) -> None:
        self._token = None

    async def get(self) -> str:
        if self._token is not None and time.monotonic() < self._expires_at:
            return self._token
        async with self._lock:
            if self._token is not None and time.monotonic() < self._expires_at:
                return self._token
            try:
                async with httpx.AsyncClient(
                    timeout=self._timeout, transport=self._transport, verify=shared_ssl_context()
                ) as client:
                    response = await client.post(
                        self._url,
                        data={
                            "grant_type": "client_credentials",
                            "client_id": self._client_id,
                            "client_secret": self._client_secret,
                        },
                    )
            except httpx.HTTPError as exc:
                raise Unavailable("Le service d'identité est injoignable.", "identity_unavailable") from exc
            if response.status_code != 200:
                raise Unavailable(
                    f"Le service d'identité a refusé le jeton machine ({response.status_code}).",
                    "machine_token_refused",
                )
            body = response.json()
            self._token = str(body["access_token"])
            lifetime = float(body.get("expires_in", 300))
            self._expires_at = time.monotonic() + max(lifetime - self._margin, lifetime / 2)
            return self._token


class ServiceClient:
    def __init__(
        self,
        base_url: str,
        token: MachineToken | None = None,
        *,
        timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._client = httpx.AsyncClient(
            base_url=self.base_url,
            timeout=timeout,
            transport=transport,
            verify=shared_ssl_context(),
            limits=pool_limits(),
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def request(
        self, method: str, path: str, *, correlation_id: UUID | None = None, **kwargs: Any
    ) -> httpx.Response:
        headers: dict[str, str] = dict(kwargs.pop("headers", None) or {})
        if correlation_id is not None:
            headers["X-Correlation-Id"] = str(correlation_id)
        for attempt in (1, 2):
            if self._token is not None:
                headers["Authorization"] = f"Bearer {await self._token.get()}"
            try:
                response = await self._client.request(method, path, headers=headers, **kwargs)
            except httpx.HTTPError as exc:
                raise Unavailable(
                    f"Le service {self.base_url} est injoignable.", "service_unavailable", details={"path": path}
                ) from exc
            if response.status_code == 401 and self._token is not None and attempt == 1:
                self._token.forget()  # revoked or rotated: one more try with a new token
                continue
            if response.status_code >= 500:
                raise Unavailable(
                    f"Le service {self.base_url} a répondu {response.status_code}.",
                    "service_unavailable",
                    details={"path": path, "status": response.status_code},
                )
            return response
        raise AssertionError("unreachable")

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("GET", path, **kwargs)

    async def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("POST", path, **kwargs)

    async def put(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("PUT", path, **kwargs)

    async def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("DELETE", path, **kwargs)
