"""Database engine and sessions (SQLAlchemy async over psycopg 3)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import event, exc
from sqlalchemy.engine import Engine
from sqlalchemy.engine.default import DefaultExecutionContext
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
            # The ping began a transaction: end it, so the connection is handed out as the pool keeps it (a
            # read-only unit of work switches it to autocommit next, which psycopg refuses inside a transaction).
            dbapi_connection.rollback()
        except Exception as error:  # noqa: BLE001 - any failure means: not this connection, take another
            # The pool discards this connection and checks out another (SQLAlchemy's documented contract).
            raise exc.DisconnectionError() from error


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


class WriteInReadOnlyWork(RuntimeError):
    """An INSERT, UPDATE or DELETE reached the read-only engine: a programming error, refused before it runs."""


def read_only_engine(engine: AsyncEngine) -> AsyncEngine:
    """The same pool, each statement on its own (autocommit): no BEGIN before a read, no ROLLBACK after it.

    A read-only unit of work made one round trip per statement plus two (BEGIN, then the ROLLBACK that ends any
    unit of work not committed); psycopg also forgets its prepared statements at every ROLLBACK, so a read path
    never kept one. Writes are refused here, since nothing would roll them back: every INSERT, UPDATE and DELETE
    SQLAlchemy compiles (the repositories' statements); raw `text()` SQL is not inspected.
    """
    reads = engine.execution_options(isolation_level="AUTOCOMMIT")

    @event.listens_for(reads.sync_engine, "before_cursor_execute")
    def refuse_writes(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: DefaultExecutionContext | None, many: bool
    ) -> None:
        if context is not None and (context.isinsert or context.isupdate or context.isdelete):
            raise WriteInReadOnlyWork(f"a read-only unit of work may not write: {statement[:80]}")

    return reads


def libpq_dsn(url: str) -> str:
    """The plain libpq URL of an SQLAlchemy URL (for psycopg connections outside SQLAlchemy)."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1).replace("postgresql+asyncpg://", "postgresql://", 1)


class Database:
    """A service's engine and session factory; `unit_of_work(Cls, producer)` gives the context's factory,
    `read_only(Cls, producer)` the factory of units of work that only read."""

    def __init__(self, url: str, pool_size: int = 10, ping_idle_seconds: float = PING_IDLE_SECONDS) -> None:
        self.url = url
        self.engine = create_engine(url, pool_size, ping_idle_seconds)
        self.sessions = session_factory(self.engine)
        self.read_sessions = session_factory(read_only_engine(self.engine))

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

    def read_only(
        self, factory: Callable[[async_sessionmaker[AsyncSession], str], U], producer: str
    ) -> Callable[[], U]:
        """The factory of read-only units of work (the context's `reads_factory`): the same repositories, each
        statement on its own, no commit, no event (see `read_only_engine`)."""
        sessions = self.read_sessions

        def make() -> U:
            uow = factory(sessions, producer)
            uow.read_only = True  # type: ignore[attr-defined]
            return uow

        return make

    async def dispose(self) -> None:
        await self.engine.dispose()
