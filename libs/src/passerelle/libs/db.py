"""Database engine and sessions (SQLAlchemy async over psycopg 3)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import event, exc
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

U = TypeVar("U")

# A connection used this recently is taken as alive; one idle for longer is pinged before it is handed out.
PING_IDLE_SECONDS = 5.0


def create_engine(url: str, pool_size: int = 10, ping_idle_seconds: float = PING_IDLE_SECONDS) -> AsyncEngine:
    engine = create_async_engine(url, pool_size=pool_size, max_overflow=pool_size)
    ping_when_idle(engine.sync_engine, ping_idle_seconds)
    return engine


def ping_when_idle(engine: Engine, idle_seconds: float) -> None:
    """SQLAlchemy's pool_pre_ping pings on every checkout: a round trip and about 1 ms per transaction.

    Pinging only connections that sat idle keeps what pre-ping is for (a pool left over from before a
    database restart is renewed, not handed out dead) without paying it on a busy pool. A connection
    that fails while in use still invalidates the pool, as SQLAlchemy always does on a disconnect.
    """

    @event.listens_for(engine, "checkin")
    def returned(dbapi_connection: Any, record: Any) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def ping_if_idle(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        returned_at = record.info.get("returned_at")
        if returned_at is None or time.monotonic() - returned_at < idle_seconds:
            return
        try:
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute("SELECT 1")
            finally:
                cursor.close()
        except Exception as error:  # noqa: BLE001 - any failure means: not this connection, take another
            # The pool discards this connection and checks out another (SQLAlchemy's documented contract).
            raise exc.DisconnectionError() from error


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def libpq_dsn(url: str) -> str:
    """The plain libpq URL of an SQLAlchemy URL (for psycopg connections outside SQLAlchemy)."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1).replace("postgresql+asyncpg://", "postgresql://", 1)


class Database:
    """A service's engine and session factory; `unit_of_work(Cls, producer)` gives the context's factory."""

    def __init__(self, url: str, pool_size: int = 10) -> None:
        self.url = url
        self.engine = create_engine(url, pool_size)
        self.sessions = session_factory(self.engine)

    @classmethod
    def of(cls, settings: Any) -> Database:
        """The database of a service's settings (`database_url`, `database_pool_size`); error if none."""
        if not settings.database_url:
            raise RuntimeError(f"the {settings.service_name} service needs a database (its DATABASE_URL)")
        return cls(settings.database_url, settings.database_pool_size)

    def unit_of_work(
        self, factory: Callable[[async_sessionmaker[AsyncSession], str], U], producer: str
    ) -> Callable[[], U]:
        sessions = self.sessions
        return lambda: factory(sessions, producer)

    async def dispose(self) -> None:
        await self.engine.dispose()
