"""The HTTP dependencies every service's routes use, as `Annotated` aliases, and the request body limits.

    ContextDep[DocumentsContext]        the service's typed context
    UnitOfWorkDep[DocumentsUnitOfWork]  an open unit of work, committed when the route returns (the one
                                        commit of a request), rolled back when it raises
    CorrelationId                       the X-Correlation-Id a caller passed (UUID), or None
    ExpectedVersion                     the If-Match version (optimistic concurrency), or None

A route that must do slow I/O between transactions (an S3 PUT) takes `ContextDep` and opens its own units
of work instead of `UnitOfWorkDep`.

Request bodies: every body that is not multipart is limited to `settings.max_body_bytes` (1 MiB by
default), enforced while it arrives, before any parsing (a 413 in the usual JSON shape); a route allows
more (or less) with the `@body_limit(bytes)` decorator under its route decorator. Multipart uploads are
streamed and limited by the service itself.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Request
from fastapi.routing import APIRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from passerelle.libs.errors import FieldError, InvalidInput, TooLarge

C = TypeVar("C")
U = TypeVar("U")
F = TypeVar("F", bound=Callable[..., Any])


async def current_context(request: Request) -> Any:
    # Async on purpose: FastAPI runs a plain `def` dependency in a worker thread, a hop per request for nothing.
    return request.app.state.service.context


async def open_unit_of_work(request: Request) -> AsyncIterator[Any]:
    """The request boundary's one transaction: commit after the route returned, before the response."""
    context = request.app.state.service.context
    async with context.uow_factory() as uow:
        yield uow
        await uow.commit()


async def open_reads(request: Request) -> AsyncIterator[Any]:
    """A read-only route's unit of work (`ServiceContext.reads`): its statements run without BEGIN, COMMIT or
    ROLLBACK around them, and it refuses to write."""
    async with request.app.state.service.context.reads() as uow:
        yield uow


async def correlation_id(request: Request) -> UUID | None:
    """A caller may pass the id of the flow its request belongs to; the events then carry it."""
    value = request.headers.get("x-correlation-id")
    try:
        return UUID(value) if value else None
    except ValueError:
        return None


_VERSION = re.compile(r"[0-9]{1,9}")


async def expected_version(
    if_match: Annotated[
        str | None,
        Header(description="The version as last read (its ETag): refused with 409 if it changed since"),
    ] = None,
) -> int | None:
    if if_match is None or if_match.strip() == "*":
        return None
    value = if_match.strip().removeprefix("W/").strip('"')
    # ASCII digits only, and few of them: str.isdigit() takes "²" and "١", which int() then refuses,
    # and a version past 32 bits would only reach PostgreSQL to fail there (issue #10, item 6).
    if not _VERSION.fullmatch(value):
        raise InvalidInput([FieldError("If-Match", "invalid", "La version attendue doit être un nombre entier.")])
    return int(value)


ContextDep = Annotated[C, Depends(current_context)]
# scope="function": the commit runs when the route returns, so a failed commit is the response (never a 200).
UnitOfWorkDep = Annotated[U, Depends(open_unit_of_work, scope="function")]
ReadsDep = Annotated[U, Depends(open_reads, scope="function")]
CorrelationId = Annotated[UUID | None, Depends(correlation_id)]
ExpectedVersion = Annotated[int | None, Depends(expected_version)]

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
# A refused body is read and dropped up to this much, so the client gets the 413 (beyond: the connection closes).
DRAIN_MAX_BYTES = 64 * 1024 * 1024
_LIMIT_ATTRIBUTE = "__passerelle_body_limit__"


def body_limit(max_bytes: int | None) -> Callable[[F], F]:
    """This route's body limit in bytes (None: no limit, for a route that streams and checks itself)."""

    def mark(endpoint: F) -> F:
        setattr(endpoint, _LIMIT_ATTRIBUTE, max_bytes)
        return endpoint

    return mark


class BodyTooLarge(TooLarge):
    code = "body_too_large"

    def __init__(self, limit: int) -> None:
        size = f"{limit // 1024} Kio" if limit < 1024 * 1024 else f"{limit / (1024 * 1024):g} Mio"
        super().__init__(f"Le corps de la requête dépasse la taille autorisée ({size}).")


@dataclass(frozen=True)
class RouteLimit:
    path_regex: re.Pattern[str]
    methods: frozenset[str]
    max_bytes: int | None


def route_limits(routers: Iterable[APIRouter]) -> list[RouteLimit]:
    """The routes whose endpoint carries `@body_limit`, with their path pattern."""
    limits: list[RouteLimit] = []
    for router in routers:
        for route in router.routes:
            endpoint = getattr(route, "endpoint", None)
            if isinstance(route, APIRoute) and endpoint is not None and hasattr(endpoint, _LIMIT_ATTRIBUTE):
                limits.append(
                    RouteLimit(route.path_regex, frozenset(route.methods or ()), getattr(endpoint, _LIMIT_ATTRIBUTE))
                )
    return limits


class BodyLimitMiddleware:
    """Refuses a body over its route's limit as it arrives (Content-Length first, then the bytes counted)."""

    def __init__(
        self, app: ASGIApp, default_max_bytes: int = DEFAULT_MAX_BODY_BYTES, routes: Sequence[RouteLimit] = ()
    ) -> None:
        self.app = app
        self.default_max_bytes = default_max_bytes
        self.routes = list(routes)

    def _route_limit(self, scope: Scope) -> RouteLimit | None:
        path = scope.get("path", "")
        for limit in self.routes:
            if scope["method"] in limit.methods and limit.path_regex.match(path):
                return limit
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or ())
        content_type = headers.get(b"content-type", b"").decode("latin-1").lower()
        route = self._route_limit(scope)
        if route is None and content_type.startswith("multipart/"):
            # Uploads are streamed and limited by the service as they arrive.
            await self.app(scope, receive, send)
            return
        limit = route.max_bytes if route is not None else self.default_max_bytes
        if limit is None:
            await self.app(scope, receive, send)
            return
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send, limit)
            return
        # The body is read here, counted as it arrives, and replayed to the app (which reads it whole anyway).
        chunks: list[bytes] = []
        received = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > limit:
                await self._refuse(scope, receive, send, limit, drained=not message.get("more_body", False))
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, limit: int, drained: bool = False) -> None:
        """413 in the usual JSON shape. The rest of the body is read and dropped first (never parsed, at most
        DRAIN_MAX_BYTES), so that the client, still sending, reads the answer instead of a reset connection."""
        from fastapi.responses import JSONResponse

        left = DRAIN_MAX_BYTES
        while not drained and left > 0:
            message = await receive()
            if message["type"] != "http.request":
                break
            left -= len(message.get("body", b""))
            drained = not message.get("more_body", False)
        error = BodyTooLarge(limit)
        headers = {} if drained else {"Connection": "close"}
        response = JSONResponse(error.as_dict(), status_code=error.status_code, headers=headers)
        await response(scope, receive, send)
