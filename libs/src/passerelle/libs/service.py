"""What every service's bootstrap wires in the same way: database, consumers, relay, health, errors, docs.

A service's bootstrap builds one `Service` and exposes `service.app()` (the ASGI app) and
`service.asyncapi()` (its AsyncAPI document, generated from the same subscribers and publishers).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from faststream.kafka import KafkaBroker
from faststream.specification import AsyncAPI
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from passerelle.libs.auth import TokenVerifier
from passerelle.libs.consumer import ConsumerGroup, DeadLetters, subscribe
from passerelle.libs.db import create_engine, session_factory
from passerelle.libs.errors import install_error_handlers
from passerelle.libs.headers import SecurityHeaders
from passerelle.libs.health import Check, database_check, health_router, kafka_check
from passerelle.libs.inputs import InputGuard
from passerelle.libs.logging import configure_logging, get_logger
from passerelle.libs.outbox import RelayWaker, install_waker
from passerelle.libs.relay import OutboxRelay, make_producer
from passerelle.libs.settings import ServiceSettings
from passerelle.schemas import Event

log = get_logger(__name__)
Hook = Callable[["Service"], Awaitable[None]]


class Service:
    def __init__(
        self,
        settings: ServiceSettings,
        *,
        title: str,
        description: str = "",
        routers: Sequence[APIRouter] = (),
        consumers: Callable[[Service], ConsumerGroup] | None = None,
        publishes: Sequence[type[Event]] = (),
        checks: dict[str, Check] | None = None,
        on_startup: Sequence[Hook] = (),
        on_shutdown: Sequence[Hook] = (),
    ) -> None:
        self.settings = settings
        self.name = settings.service_name
        self.title = title
        self.description = description
        self.routers = list(routers)
        self.publishes = list(publishes)
        self.engine: AsyncEngine | None = (
            create_engine(settings.database_url, settings.database_pool_size) if settings.database_url else None
        )
        self.sessions: async_sessionmaker[AsyncSession] | None = session_factory(self.engine) if self.engine else None
        self.consumer_group = consumers(self) if consumers else None
        self.extra_checks = checks or {}
        self.on_startup = list(on_startup)
        self.on_shutdown = list(on_shutdown)
        self.state: dict[str, Any] = {}
        self._broker: KafkaBroker | None = None

    # --- Kafka -----------------------------------------------------------------------------------
    def broker(self) -> KafkaBroker:
        if self._broker is None:
            broker = KafkaBroker(self.settings.kafka_bootstrap, client_id=self.name, description=self.description)
            if self.consumer_group is not None:
                self.consumer_group.max_attempts = self.settings.consumer_max_attempts
                self.consumer_group.backoff_seconds = self.settings.consumer_backoff_seconds
                subscribe(broker, self.consumer_group)
            for event in self.publishes:
                # Documentation only: events leave through the outbox relay, never from a handler.
                broker.publisher(
                    event.topic,
                    schema=event,
                    title=f"{event.topic}:{self.name}",
                    description=(event.__doc__ or "").strip() or f"Published by {self.name}.",
                )
            self._broker = broker
        return self._broker

    def asyncapi(self) -> str:
        spec = AsyncAPI(
            self.broker(),
            title=f"Passerelle {self.name}",
            version="0.1.0",
            description=self.description,
            schema_version="3.0.0",
        )
        return spec.to_specification().to_json()

    # --- HTTP ------------------------------------------------------------------------------------
    def checks(self) -> dict[str, Check]:
        checks: dict[str, Check] = {}
        if self.engine is not None:
            checks["database"] = database_check(self.engine)
        checks["kafka"] = kafka_check(self.settings.kafka_bootstrap)
        checks.update(self.extra_checks)
        return checks

    def app(self) -> FastAPI:
        app = FastAPI(title=self.title, description=self.description, version="0.1.0", lifespan=self._lifespan)
        app.state.service = self
        install_error_handlers(app)
        # Outermost last: the headers go on every answer, the guard's own refusals included.
        app.add_middleware(InputGuard)
        app.add_middleware(SecurityHeaders)
        app.include_router(health_router(self.checks()))
        for router in self.routers:
            app.include_router(router)
        return app

    @asynccontextmanager
    async def _lifespan(self, app: FastAPI) -> AsyncIterator[None]:
        s = self.settings
        configure_logging(self.name, s.log_level, s.log_json)
        app.state.token_verifier = TokenVerifier(s.jwks_url or "", s.token_issuer, s.token_audience)
        async with contextlib.AsyncExitStack() as stack:
            for hook in self.on_startup:
                await hook(self)
            stack.push_async_callback(self._run_shutdown_hooks)
            if self.consumer_group is not None and s.consumers_enabled:
                producer = make_producer(s.kafka_bootstrap)
                await producer.start()
                stack.push_async_callback(producer.stop)
                self.consumer_group.dead_letters = DeadLetters(producer)
                broker = self.broker()
                await broker.start()
                stack.push_async_callback(broker.stop)
                if self.consumer_group.committer is not None:
                    stack.push_async_callback(self.consumer_group.committer.flush)
            if self.engine is not None and s.relay_in_process:
                relay = OutboxRelay(s.database_url or "", s.kafka_bootstrap)
                task = asyncio.create_task(relay.run(), name=f"{self.name}-outbox-relay")
                self.state["relay"] = relay

                async def stop_relay() -> None:
                    relay.stop()
                    with contextlib.suppress(asyncio.CancelledError):
                        await asyncio.wait_for(task, 10)

                stack.push_async_callback(stop_relay)
            if self.engine is not None:
                waker = RelayWaker(s.database_url or "")
                await waker.start()
                install_waker(waker)
                stack.push_async_callback(waker.stop)
                stack.push_async_callback(self.engine.dispose)
            log.info("service started", service=self.name)
            yield
        log.info("service stopped", service=self.name)

    async def _run_shutdown_hooks(self) -> None:
        for hook in self.on_shutdown:
            await hook(self)
