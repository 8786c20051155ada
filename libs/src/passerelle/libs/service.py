"""What every service's bootstrap wires in the same way: database, consumers, relay, health, errors, docs.

A service's bootstrap builds its typed context and one `Service` (see docs/service-kit.md):

    database = Database(settings.database_url, settings.database_pool_size)
    context = DocumentsContext(uow_factory=database.unit_of_work(DocumentsUnitOfWork, "documents"), ...)
    return Service(settings, context, database=database, title=..., routers=[router],
                   handlers=HANDLERS, publishes=[DocumentUploaded], tasks=[PeriodicTask(...)])

and exposes `service.app()` (the ASGI app) and `service.asyncapi()` (its AsyncAPI document, generated
from the same subscribers and publishers). The consumer group opens each unit of work from the context
and calls `handler(context, uow, envelope, event)`; routes get `ContextDep` / `UnitOfWorkDep`.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any, Generic, TypeVar

from fastapi import APIRouter, FastAPI, Response
from faststream.kafka import KafkaBroker
from faststream.specification import AsyncAPI
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from passerelle.libs.auth import TokenVerifier
from passerelle.libs.consumer import BatchHandlerTable, ConsumerGroup, DeadLetters, HandlerTable, subscribe
from passerelle.libs.db import Database
from passerelle.libs.errors import install_error_handlers
from passerelle.libs.headers import API_CSP, SecurityHeaders
from passerelle.libs.health import Check, database_check, health_router, kafka_check
from passerelle.libs.http import BodyLimitMiddleware, route_limits
from passerelle.libs.inputs import InputGuard
from passerelle.libs.logging import configure_logging, get_logger
from passerelle.libs.observability import metrics
from passerelle.libs.observability.http import FASTAPI_TELEMETRY, TelemetryMiddleware
from passerelle.libs.observability.tracing import configure_tracing, shutdown_tracing
from passerelle.libs.openapi import install_error_responses
from passerelle.libs.outbox import RelayWaker, install_waker, sample_backlog
from passerelle.libs.relay import OutboxRelay, make_producer
from passerelle.libs.revocation import RevocationFeed, RevocationList
from passerelle.libs.settings import ServiceSettings
from passerelle.libs.tasks import BackgroundTask
from passerelle.schemas import Event

log = get_logger(__name__)
Hook = Callable[["Service[Any]"], Awaitable[None]]
C = TypeVar("C")


class Service(Generic[C]):
    """One service process: its context, routes, consumers (a handler table), background tasks and relay.

    `context` is what every entry point is handed (`service.context`); `handlers` is the table
    `{EventType: use_case}` the consumer group applies. `consumers=` (a builder of a `ConsumerGroup`),
    `state` and the hooks are the former API, kept while services move to the context.
    """

    # An API lets nothing load; a service that serves web pages (the portal) sets PAGE_CSP.
    content_security_policy: bytes = API_CSP

    def __init__(
        self,
        settings: ServiceSettings,
        context: C | None = None,
        *,
        title: str,
        description: str = "",
        database: Database | None = None,
        routers: Sequence[APIRouter] = (),
        handlers: HandlerTable | None = None,
        batch_handlers: BatchHandlerTable | None = None,
        tasks: Sequence[BackgroundTask] = (),
        consumers: Callable[[Service[Any]], ConsumerGroup] | None = None,
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
        if database is None and settings.database_url:
            database = Database(settings.database_url, settings.database_pool_size)
        self.database = database
        self.engine: AsyncEngine | None = database.engine if database else None
        self.sessions: async_sessionmaker[AsyncSession] | None = database.sessions if database else None
        self._context = context
        self.tasks = list(tasks)
        if handlers or batch_handlers:
            if context is None:
                raise ValueError("a handler table needs the service's context")
            self.consumer_group: ConsumerGroup | None = ConsumerGroup.from_table(
                settings.consumer_group or self.name, context, handlers or {}, batch_handlers
            )
        else:
            self.consumer_group = consumers(self) if consumers else None
        self.extra_checks = checks or {}
        self.on_startup = list(on_startup)
        self.on_shutdown = list(on_shutdown)
        self.state: dict[str, Any] = {}
        self._broker: KafkaBroker | None = None

    @property
    def context(self) -> C:
        if self._context is None:
            raise RuntimeError(f"the {self.name} service was built without a context")
        return self._context

    @context.setter
    def context(self, value: C) -> None:
        self._context = value

    # --- Kafka -----------------------------------------------------------------------------------
    def broker(self) -> KafkaBroker:
        if self._broker is None:
            broker = KafkaBroker(
                self.settings.kafka_bootstrap,
                security=self.settings.kafka_auth().faststream_security(),
                client_id=self.name,
                description=self.description,
                logger=logging.getLogger("passerelle.faststream"),
            )
            if self.consumer_group is not None:
                self.consumer_group.max_attempts = self.settings.consumer_max_attempts
                self.consumer_group.backoff_seconds = self.settings.consumer_backoff_seconds
                self.consumer_group.not_yet_patience_seconds = self.settings.consumer_not_yet_patience_seconds
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
        checks["kafka"] = kafka_check(self.settings.kafka_bootstrap, self.settings.kafka_auth())
        checks.update(self.extra_checks)
        return checks

    def app(self) -> FastAPI:
        app = FastAPI(
            title=self.title,
            description=self.description,
            version="0.1.0",
            lifespan=self._lifespan,
            telemetry=FASTAPI_TELEMETRY,  # type: ignore[arg-type]
        )
        app.state.service = self
        install_error_handlers(app)
        install_error_responses(app)
        app.add_middleware(TelemetryMiddleware)
        app.include_router(health_router(self.checks()))
        app.add_api_route("/metrics", self._metrics, methods=["GET"], include_in_schema=False)
        for router in self.routers:
            app.include_router(router)
        # The last added is the outermost: the security headers go on every answer (the refusals below
        # included), the body limit applies while the body arrives, then the input guard reads it.
        app.add_middleware(InputGuard)
        app.add_middleware(
            BodyLimitMiddleware, default_max_bytes=self.settings.max_body_bytes, routes=route_limits(self.routers)
        )
        app.add_middleware(SecurityHeaders, csp=self.content_security_policy)
        return app

    async def _metrics(self) -> Response:
        body, content_type = metrics.exposition()
        return Response(body, media_type=content_type)

    async def _sample_outbox(self) -> None:
        """Outbox backlog and the age of its oldest row, every few seconds (a cheap indexed query)."""
        assert self.engine is not None
        while True:
            with contextlib.suppress(Exception):  # a database away for a moment: the next sample says so
                await sample_backlog(self.engine, self.name)
            await asyncio.sleep(5)

    @asynccontextmanager
    async def _lifespan(self, app: FastAPI) -> AsyncIterator[None]:
        s = self.settings
        kafka_auth = s.kafka_auth()  # this service's own principal (SASL/SCRAM): it may write only its topics
        configure_logging(self.name, s.log_level, s.log_json)
        configure_tracing(self.name)
        metrics.set_service(self.name)
        app.state.token_verifier = TokenVerifier(s.jwks_url or "", s.token_issuer, s.token_audience)
        async with contextlib.AsyncExitStack() as stack:
            if s.revocation_feed_enabled:
                # Ended sessions and changed memberships, from identity's events (issue #10, item 7).
                revocations = RevocationList(s.revocation_horizon_seconds)
                app.state.token_verifier.revocations = revocations
                self.state["revocations"] = revocations
                feed = RevocationFeed(
                    s.kafka_bootstrap, revocations, client_id=f"{self.name}-revocations", auth=kafka_auth
                )
                await feed.start()
                self.state["revocation_feed"] = feed
                stack.push_async_callback(feed.stop)
            for hook in self.on_startup:
                await hook(self)
            stack.push_async_callback(self._run_shutdown_hooks)
            if self.consumer_group is not None and s.consumers_enabled:
                producer = make_producer(s.kafka_bootstrap, kafka_auth)
                await producer.start()
                stack.push_async_callback(producer.stop)
                self.consumer_group.dead_letters = DeadLetters(producer)
                broker = self.broker()
                await broker.start()
                stack.push_async_callback(broker.stop)
                if self.consumer_group.committer is not None:
                    stack.push_async_callback(self.consumer_group.committer.flush)
            if self.engine is not None and s.relay_in_process:
                relay = OutboxRelay(s.database_url or "", s.kafka_bootstrap, auth=kafka_auth)
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
                sampler = asyncio.create_task(self._sample_outbox(), name=f"{self.name}-outbox-metrics")

                async def stop_sampler() -> None:
                    sampler.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await sampler

                stack.push_async_callback(stop_sampler)
            for background in self.tasks:
                await background.start(self._context, self.engine, self.name)
                stack.push_async_callback(background.stop)
            stack.callback(shutdown_tracing)
            freeze_startup_heap()
            log.info("service started", service=self.name)
            yield
        log.info("service stopped", service=self.name)

    async def _run_shutdown_hooks(self) -> None:
        for hook in self.on_shutdown:
            await hook(self)


def freeze_startup_heap() -> None:
    """Puts what the process built to start (modules, models, the app and its tables: most of its heap) out of the
    collector's reach, once started.

    Python's full collection walks every object that can hold references; with all of that in reach, each one
    stopped the event loop for 120 to 260 ms under load (about every 10 s in the contracts service, every 20 s in
    the notifier's consumer), and every request, event or mail in flight waited as long (gc.callbacks in the
    notifier bench, issue #13: 8 to 23 ms once frozen). Frozen objects are still freed when nothing refers to them
    any more; only a reference cycle among them is never collected (the startup's objects live as long as the
    process anyway)."""
    gc.collect()
    gc.freeze()
