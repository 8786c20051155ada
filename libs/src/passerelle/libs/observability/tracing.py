"""OpenTelemetry traces across HTTP and Kafka.

The W3C trace context travels in each CloudEvent as the distributed-tracing extension's attributes, which the
Kafka binding turns into the `ce_traceparent` (and `ce_tracestate`) headers. A request's span is current when its
use case queues an event, so the outbox row keeps the request's context; the relay publishes the row in a span of
that trace and writes its own context into the record; the consumer's span is that one's child, and whatever it
publishes carries the consumer's context on. One transmission is one trace:
    POST /contracts/{id}/transmit (contracts) -> publish contract.transmitted (relay) -> process (opco-processing) ...

Export: OTLP over HTTP when OTEL_EXPORTER_OTLP_ENDPOINT (or ..._TRACES_ENDPOINT) is set, with the SDK's own
variables (OTEL_TRACES_SAMPLER, OTEL_BSP_SCHEDULE_DELAY...). Without it spans are still made, so the context
still propagates through a service that exports nothing.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Sequence

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Span, SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

TRACEPARENT, TRACESTATE = "ce_traceparent", "ce_tracestate"
TRACE_HEADERS = (TRACEPARENT, TRACESTATE)
_propagator = TraceContextTextMapPropagator()
_configured: str | None = None


def configure_tracing(service: str) -> None:
    """Once per process: a provider named after the service, exporting over OTLP if an endpoint is set."""
    global _configured
    if _configured is not None:
        return
    provider = TracerProvider(
        resource=Resource.create(
            {"service.name": os.environ.get("OTEL_SERVICE_NAME", service), "service.namespace": "passerelle"}
        )
    )
    if os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"):
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    _configured = service


def shutdown_tracing() -> None:
    """Flushes the spans still buffered (a process stopping must not lose its last trace)."""
    provider = trace.get_tracer_provider()
    if isinstance(provider, TracerProvider):
        provider.force_flush(5000)


_tracer: tuple[trace.TracerProvider, trace.Tracer] | None = None


def tracer() -> trace.Tracer:
    """The platform's tracer, made once per provider: the SDK's `get_tracer` builds a new one on every call and
    re-registers a warnings filter each time (which also empties the warnings cache), about a third of what a
    consumed event cost the kit (issue #17)."""
    global _tracer
    provider = trace.get_tracer_provider()
    if _tracer is None or _tracer[0] is not provider:
        _tracer = (provider, provider.get_tracer("passerelle"))
    return _tracer[1]


def context_headers() -> list[tuple[str, bytes]]:
    """The current span's context as CloudEvents headers (nothing when no span is recording)."""
    carrier: dict[str, str] = {}
    _propagator.inject(carrier)
    return [(f"ce_{k}", v.encode()) for k, v in carrier.items() if f"ce_{k}" in TRACE_HEADERS]


def context_from_headers(headers: Sequence[tuple[str, bytes | str]] | None) -> otel_context.Context:
    carrier = {}
    for key, value in headers or ():
        if key in TRACE_HEADERS:
            carrier[key.removeprefix("ce_")] = value.decode() if isinstance(value, bytes) else value
    return _propagator.extract(carrier)


def without_trace_headers(headers: Sequence[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    return [(k, v) for k, v in headers if k not in TRACE_HEADERS]


@contextlib.contextmanager
def publish_span(
    topic: str, headers: Sequence[tuple[str, bytes]], key: str | None
) -> Iterator[list[tuple[str, bytes]]]:
    """The relay's span for one record, child of the context the row was written in; yields the record's headers
    with this span's context in place of the stored one."""
    parent = context_from_headers(headers)
    with tracer().start_as_current_span(
        f"publish {topic}",
        context=parent,
        kind=SpanKind.PRODUCER,
        attributes={
            "messaging.system": "kafka",
            "messaging.destination.name": topic,
            "messaging.operation.type": "send",
            **({"messaging.kafka.message.key": key} if key else {}),
        },
    ):
        yield [*without_trace_headers(headers), *context_headers()]


@contextlib.contextmanager
def consume_span(topic: str, headers: Sequence[tuple[str, bytes]], group: str, event_id: str) -> Iterator[Span]:
    """A consumer's span for one event, child of the span that published it."""
    with tracer().start_as_current_span(
        f"process {topic}",
        context=context_from_headers(headers),
        kind=SpanKind.CONSUMER,
        attributes={
            "messaging.system": "kafka",
            "messaging.destination.name": topic,
            "messaging.consumer.group.name": group,
            "messaging.message.id": event_id,
            "messaging.operation.type": "process",
        },
    ) as span:
        yield span


def current_ids() -> tuple[str | None, str | None]:
    """(trace id, span id) of the current span, as hex, for log lines."""
    ctx = trace.get_current_span().get_span_context()
    if not ctx.is_valid:
        return None, None
    return f"{ctx.trace_id:032x}", f"{ctx.span_id:016x}"


def inject_http_headers(headers: dict[str, str]) -> dict[str, str]:
    """W3C `traceparent` for an outgoing HTTP call (httpx event hook: see `httpx_hooks`)."""
    _propagator.inject(headers)
    return headers


def httpx_hooks() -> dict[str, list]:
    """`httpx.AsyncClient(event_hooks=httpx_hooks())`: every call carries the caller's trace context."""

    async def inject(request) -> None:  # noqa: ANN001 - httpx.Request
        carrier: dict[str, str] = {}
        _propagator.inject(carrier)
        request.headers.update(carrier)

    return {"request": [inject]}
