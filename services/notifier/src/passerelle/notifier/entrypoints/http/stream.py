"""Server-Sent Events per person: authenticated, resumable with Last-Event-ID, woken by LISTEN/NOTIFY."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse

from passerelle.libs.auth import Principal, TokenVerifier
from passerelle.libs.errors import Unauthorized
from passerelle.notifier.entrypoints.http.deps import Context
from passerelle.notifier.service_layer import stream
from passerelle.notifier.service_layer.context import NotifierContext

router = APIRouter(tags=["notifications"])
RETRY_MS = 3000


def _frame(event: stream.StreamEvent) -> bytes:
    data = json.dumps(event.data, ensure_ascii=False, separators=(",", ":"))
    return f"id: {event.id}\nevent: {event.event}\ndata: {data}\n\n".encode()


async def _principal(request: Request, authorization: str | None, access_token: str | None) -> tuple[Principal, float]:
    token = None
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            token = value.strip()
    token = token or access_token
    if not token:
        raise Unauthorized()
    verifier: TokenVerifier = request.app.state.token_verifier
    principal = await verifier.verify(token)
    import jwt  # the expiry only: the signature was just checked

    expires = float(jwt.decode(token, options={"verify_signature": False}).get("exp", time.time() + 300))
    return principal, expires


def _last_id(header: str | None, query: int | None) -> int | None:
    for value in (header, query):
        if value is None:
            continue
        try:
            return max(int(value), 0)
        except (TypeError, ValueError):
            continue
    return None


async def _events(
    request: Request, context: NotifierContext, principal: Principal, expires: float, last_id: int | None
) -> AsyncIterator[bytes]:
    account = principal.subject
    wake = context.feed.subscribe(str(account))
    keepalive = context.policy.stream_keepalive_seconds
    try:
        yield f"retry: {RETRY_MS}\n\n".encode()
        if last_id is None:
            async with context.reads() as uow:
                start = await stream.position(uow, account)
            last_id = start.id
            yield _frame(start)
        while time.time() < expires:
            wake.clear()  # before the read: a change committed after it sets it again
            async with context.reads() as uow:
                events, more = await stream.changes_after(uow, account, last_id)
            for event in events:
                last_id = event.id
                yield _frame(event)
            if more:
                continue  # a full page: the rest at once; else nothing new until woken (no read for nothing)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout=min(keepalive, max(expires - time.time(), 0.1)))
                continue
            if await request.is_disconnected():
                return
            yield b": keep-alive\n\n"
    finally:
        context.feed.unsubscribe(str(account), wake)


@router.get(
    "/notifications/stream",
    summary="Flux en direct de mes notifications (Server-Sent Events)",
    description=(
        "Authentification par l'en-tête Authorization (ou le paramètre access_token). Chaque événement porte un "
        "identifiant : renvoyez-le dans Last-Event-ID à la reconnexion pour recevoir tout ce qui a été manqué."
    ),
    response_class=StreamingResponse,
)
async def notification_stream(
    request: Request,
    context: Context,
    authorization: Annotated[str | None, Header()] = None,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
    access_token: Annotated[str | None, Query()] = None,
    last_event_id_query: Annotated[int | None, Query(alias="last_event_id")] = None,
) -> StreamingResponse:
    principal, expires = await _principal(request, authorization, access_token)
    return StreamingResponse(
        _events(request, context, principal, expires, _last_id(last_event_id, last_event_id_query)),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
