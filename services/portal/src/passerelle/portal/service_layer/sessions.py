"""Sessions seen from the pages: log in, find the access token of a request, log out (here or everywhere)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from passerelle.portal.adapters.api import ApiError
from passerelle.portal.adapters.identity import Me
from passerelle.portal.adapters.sessions import SessionEntry
from passerelle.portal.service_layer.context import PortalContext

ME_CACHE_SECONDS = 15.0


@dataclass
class ActiveSession:
    entry: SessionEntry
    rotated: bool  # the browser must be given the new refresh token

    @property
    def token(self) -> str:
        return self.entry.access_token

    @property
    def refresh_token(self) -> str:
        return self.entry.refresh_token


async def log_in(ctx: PortalContext, email: str, password: str, user_agent: str | None) -> SessionEntry:
    pair = await ctx.identity.log_in(email, password, user_agent)
    return ctx.sessions.put(pair.refresh_token, pair.access_token, pair.expires_in, pair.refresh_expires_in)


async def current_session(ctx: PortalContext, refresh_token: str | None) -> ActiveSession | None:
    """The session behind a browser's cookie, its access token renewed when needed; None when it is over."""
    if not refresh_token:
        return None
    entry = ctx.sessions.get(refresh_token)
    if entry is not None and entry.fresh(time.monotonic()):
        return ActiveSession(entry, rotated=entry.refresh_token != refresh_token)
    current = entry.refresh_token if entry is not None else refresh_token
    try:
        pair = await ctx.identity.refresh(current)
    except ApiError as error:
        if error.status in (400, 401, 403, 404, 410, 422):
            ctx.sessions.drop(refresh_token)
            return None
        raise
    renewed = ctx.sessions.put(pair.refresh_token, pair.access_token, pair.expires_in, pair.refresh_expires_in)
    ctx.sessions.rotate(current, renewed)
    if current != refresh_token:
        ctx.sessions.rotate(refresh_token, renewed)
    return ActiveSession(renewed, rotated=True)


async def who_am_i(ctx: PortalContext, session: ActiveSession, fresh: bool = False) -> Me:
    entry = session.entry
    now = time.monotonic()
    if fresh or "me" not in entry.cached or now - entry.cached_at > ME_CACHE_SECONDS:
        entry.cached["me"] = await ctx.identity.me(entry.access_token)
        entry.cached_at = now
    me = entry.cached["me"]
    assert isinstance(me, Me)
    return me


async def who_logged_in(ctx: PortalContext, entry: SessionEntry) -> Me:
    """The person of a session just opened (kept for the page that follows)."""
    return await who_am_i(ctx, ActiveSession(entry, rotated=False))


def forget_memberships(session: ActiveSession) -> None:
    """After a change to the person's organisations: the next access token must carry them."""
    session.entry.access_expires_at = 0.0
    session.entry.cached.clear()


async def log_out(ctx: PortalContext, refresh_token: str | None, everywhere: bool = False) -> None:
    if not refresh_token:
        return
    session = await current_session(ctx, refresh_token) if everywhere else None
    entry = ctx.sessions.get(refresh_token)
    try:
        if everywhere and session is not None:
            await ctx.identity.log_out_everywhere(session.token)
            me = session.entry.cached.get("me")
            if me is not None:
                ctx.sessions.drop_account(str(me.id))
        else:
            await ctx.identity.log_out(entry.refresh_token if entry else refresh_token)
    except ApiError as error:
        if error.status >= 500:
            raise
    finally:
        ctx.sessions.drop(refresh_token)


UNREAD_CACHE_SECONDS = 10.0


async def unread_count(ctx: PortalContext, session: ActiveSession) -> int | None:
    """The header's unread count; None when the notifier does not answer (the page renders without it)."""
    entry = session.entry
    now = time.monotonic()
    cached = entry.cached.get("unread")
    if cached is not None and now - cached[1] < UNREAD_CACHE_SECONDS:
        return int(cached[0])
    try:
        count = await ctx.notifier.count(entry.access_token)
    except ApiError:
        return None
    entry.cached["unread"] = (count, now)
    return count


def forget_unread(session: ActiveSession) -> None:
    session.entry.cached.pop("unread", None)
