"""Traces through the outbox and Kafka headers, metrics per route template, log lines with their context and
without personal data. In-process, with an in-memory span exporter (the e2e trace test uses real OTLP export)."""

import json
import uuid

import httpx
import pytest
import structlog
from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from passerelle.libs.logging import configure_logging, get_logger
from passerelle.libs.observability import logcontext, metrics
from passerelle.libs.observability.http import FASTAPI_TELEMETRY, TelemetryMiddleware
from passerelle.libs.observability.tracing import TRACEPARENT, consume_span, publish_span, tracer
from passerelle.libs.outbox import outbox_row
from passerelle.schemas import Envelope

EXPORTER = InMemorySpanExporter()


@pytest.fixture(scope="module", autouse=True)
def provider():
    current = trace.get_tracer_provider()
    if not isinstance(current, TracerProvider):
        current = TracerProvider()
        trace.set_tracer_provider(current)
    current.add_span_processor(SimpleSpanProcessor(EXPORTER))
    yield
    EXPORTER.clear()


def test_one_trace_from_the_request_through_the_outbox_relay_and_consumer():
    EXPORTER.clear()
    envelope = Envelope(type="contract.transmitted", schema_version=1, producer="contracts", subject="c-1")
    with tracer().start_as_current_span("POST /contracts/{contract_id}/transmit"):
        row = outbox_row(envelope, {"contract_id": "c-1"})
    stored = [(k, v.encode()) for k, v in row["headers"]]
    assert any(k == TRACEPARENT for k, _ in stored)

    # The relay runs later, in another task: its span continues the trace stored in the row.
    with publish_span("contract.transmitted", stored, "c-1") as record_headers:
        pass
    assert [k for k, _ in record_headers].count(TRACEPARENT) == 1
    with consume_span("contract.transmitted", record_headers, "opco-processing", str(envelope.id)):
        pass

    request, publish, consume = sorted(EXPORTER.get_finished_spans(), key=lambda s: s.start_time)
    assert request.name.startswith("POST") and publish.name == "publish contract.transmitted"
    assert consume.name == "process contract.transmitted"
    assert len({s.context.trace_id for s in (request, publish, consume)}) == 1
    assert publish.parent.span_id == request.context.span_id
    assert consume.parent.span_id == publish.context.span_id
    assert request.parent is None


def test_a_record_without_trace_context_starts_a_trace_of_its_own():
    EXPORTER.clear()
    with consume_span("contract.drafted", [("ce_id", b"x")], "documents", "x"):
        pass
    (span,) = EXPORTER.get_finished_spans()
    assert span.parent is None


async def test_requests_counted_per_route_template_and_traced_from_the_callers_traceparent():
    EXPORTER.clear()
    metrics.set_service("unit")
    app = FastAPI(telemetry=FASTAPI_TELEMETRY)
    app.add_middleware(TelemetryMiddleware)

    @app.get("/contracts/{contract_id}")
    async def read(contract_id: str) -> dict[str, str]:
        return {"id": contract_id}

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("boom")

    caller_trace = "0af7651916cd43dd8448eb211c80319c"
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://unit") as client:
        for _ in range(3):
            response = await client.get(
                f"/contracts/{uuid.uuid4()}", headers={"traceparent": f"00-{caller_trace}-b7ad6b7169203331-01"}
            )
            assert response.status_code == 200
            assert response.headers["x-correlation-id"]
        assert (await client.get("/boom")).status_code == 500

    route = "/contracts/{contract_id}"
    assert metrics.HTTP_REQUESTS.labels("unit", "GET", route, "200")._value.get() == 3
    assert metrics.HTTP_ERRORS.labels("unit", "GET", "/boom")._value.get() == 1
    body = metrics.exposition()[0].decode()
    assert (
        'passerelle_http_request_duration_seconds_count{method="GET",route="/contracts/{contract_id}",service="unit"} 3.0'
        in body
    )
    spans = [s for s in EXPORTER.get_finished_spans() if s.name == f"GET {route}"]  # FastAPI's own server span
    assert len(spans) == 3 and all(f"{s.context.trace_id:032x}" == caller_trace for s in spans)


def test_log_lines_carry_their_context_and_no_personal_data(capsys):
    configure_logging("unit", json=True)
    log = get_logger("unit")
    contract_id = str(uuid.uuid4())
    nir = "1 99 05 75 123 456 78"
    with tracer().start_as_current_span("request") as span:
        logcontext.bind(correlation_id="corr-1", contract_id=contract_id)
        log.info(
            "apprentice saved",
            apprentice_last_name="Dupont",
            first_name="Léa",
            nir=nir,
            details={"email": "lea.dupont@example.org", "birth_date": "2007-05-02", "siret": "81208328500013"},
        )
        log.warning(f"could not reach lea.dupont@example.org about NIR {nir.replace(' ', '')}")
        logcontext.unbind()
    log.info("no context here")
    import logging

    logging.getLogger("uvicorn.error").warning("mail to jean.martin@example.org failed")
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    assert len(lines) == 4
    text = json.dumps(lines, ensure_ascii=False)
    for personal in ("Dupont", "Léa", "lea.dupont@example.org", "2007-05-02", "199057512345678", nir, "jean.martin"):
        assert personal not in text, personal
    assert lines[0]["details"]["siret"] == "81208328500013"  # an establishment's id is not personal data
    trace_id = f"{span.get_span_context().trace_id:032x}"
    assert lines[0]["trace_id"] == lines[1]["trace_id"] == trace_id
    assert lines[0]["correlation_id"] == "corr-1" and lines[0]["contract_id"] == contract_id
    assert all({"trace_id", "correlation_id", "contract_id"} <= line.keys() for line in lines)
    assert lines[2]["trace_id"] is None and lines[2]["contract_id"] is None
    structlog.reset_defaults()
