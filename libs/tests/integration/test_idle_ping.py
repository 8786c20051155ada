"""The pool pings only connections that sat idle: one the database dropped meanwhile is replaced, not handed out."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa

from passerelle.libs.db import create_engine
from passerelle.libs.testing.stack import database_admin_url, ensure_stack

pytestmark = pytest.mark.integration


async def backend_pid(engine) -> int:
    async with engine.connect() as conn:
        return (await conn.execute(sa.text("SELECT pg_backend_pid()"))).scalar_one()


async def terminate(pid: int) -> None:
    admin = create_engine(f"{database_admin_url()}/postgres", pool_size=1)
    try:
        async with admin.connect() as conn:
            assert (await conn.execute(sa.text("SELECT pg_terminate_backend(:p)"), {"p": pid})).scalar_one()
            await conn.commit()
    finally:
        await admin.dispose()


async def test_an_idle_connection_dropped_by_the_database_is_replaced_on_checkout():
    ensure_stack()
    engine = create_engine(f"{database_admin_url()}/postgres", pool_size=1, ping_idle_seconds=0.05)
    try:
        first = await backend_pid(engine)
        await terminate(first)
        await asyncio.sleep(0.1)  # idle long enough to be pinged
        assert await backend_pid(engine) != first
    finally:
        await engine.dispose()


async def test_a_recently_used_connection_is_not_pinged():
    # The other side of the trade: within the idle window a dropped connection is handed out as is
    # (its failure then invalidates the pool, like any disconnect in use).
    ensure_stack()
    engine = create_engine(f"{database_admin_url()}/postgres", pool_size=1, ping_idle_seconds=3600)
    try:
        first = await backend_pid(engine)
        await terminate(first)
        with pytest.raises(sa.exc.DBAPIError) as failed:
            await backend_pid(engine)
        assert failed.value.connection_invalidated
        assert await backend_pid(engine) != first  # the pool was renewed
    finally:
        await engine.dispose()
