"""Forgets what no longer matters: old attempts, ended sessions' tokens, used links, delivered mails."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from passerelle.identity.adapters import tables
from passerelle.identity.service_layer.ports import Policy

KEEP = timedelta(days=7)


async def purge_expired(sessions: async_sessionmaker[AsyncSession], now: datetime, policy: Policy) -> None:
    t = tables
    async with sessions() as session, session.begin():
        await session.execute(sa.delete(t.attempts).where(t.attempts.c.attempted_at < now - policy.login_window))
        ended = sa.select(t.login_sessions.c.id).where(
            sa.or_(t.login_sessions.c.expires_at < now - KEEP, t.login_sessions.c.revoked_at < now - KEEP)
        )
        await session.execute(sa.delete(t.refresh_tokens).where(t.refresh_tokens.c.session_id.in_(ended)))
        await session.execute(sa.delete(t.action_tokens).where(t.action_tokens.c.expires_at < now - KEEP))
        await session.execute(sa.delete(t.mail_outbox).where(t.mail_outbox.c.sent_at < now - KEEP))
