"""HTTP telemetry of every service.

FastAPI (0.16x) makes the server span of each request itself, continuing the caller's W3C `traceparent`, from the
global tracer provider that `tracing.configure_tracing` sets up: `FASTAPI_TELEMETRY` turns on that span only.
`TelemetryMiddleware` adds what FastAPI does not: Prometheus metrics per route template, the correlation id
(X-Correlation-Id, made up when the caller sends none, and sent back) and the contract id in the log context.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import MutableMapping
from typing import Any

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from passerelle.libs.observability import logcontext, metrics

log = structlog.get_logger("passerelle.http")

CONTRACT_IN_PATH = re.compile(r"/contracts/([0-9a-fA-F-]{36})(?:/|$)")
CORRELATION_HEADER = b"x-correlation-id"
UNTRACED = frozenset({"/health", "/ready", "/metrics"})


def untraced(scope: MutableMapping[str, Any]) -> bool:
    return scope.get("path") in UNTRACED


FASTAPI_TELEMETRY: dict[str, Any] = {
    "tracing": True,
    "operation_spans": False,
    "metrics": False,
    "logs": False,
    "auto_configure": False,
    "exclude": untraced,
}


def route_of(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "unmatched"


class TelemetryMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or untraced(scope):
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        sent = dict(scope.get("headers", [])).get(CORRELATION_HEADER)
        correlation = sent.decode("latin-1") if sent else str(uuid.uuid4())
        found = CONTRACT_IN_PATH.search(scope["path"])
        status = {"code": 500}

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message["headers"] = [*message.get("headers", []), (CORRELATION_HEADER, correlation.encode())]
            await send(message)

        started = time.perf_counter()
        logcontext.bind(correlation_id=correlation, contract_id=found.group(1) if found else None)
        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route, code = route_of(scope), status["code"]
            elapsed = time.perf_counter() - started
            # The access line: the route template, never the raw path or query string (they may hold personal data).
            log.info("request", method=method, route=route, status=code, duration_ms=round(elapsed * 1000, 1))
            if code >= 500:
                metrics.HTTP_ERRORS.labels(metrics.service(), method, route).inc()
            metrics.HTTP_REQUESTS.labels(metrics.service(), method, route, str(code)).inc()
            metrics.HTTP_LATENCY.labels(metrics.service(), method, route).observe(elapsed)
            logcontext.unbind()
