"""One transmission seen through the platform's telemetry: its spans form one trace across HTTP, the outbox
relay and Kafka; the services' /metrics count it; their log lines carry its ids and none of the apprentice's
personal data.

contracts and documents run for real (processes, or containers on the container stack) and export their spans
over OTLP/HTTP to a receiver this test runs, which decodes them with the OpenTelemetry protobuf definitions.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from passerelle.contracts.testing.samples import DEMO_CFA_UAI, DEMO_EMPLOYER_SIRET, complete_apprenticeship_form
from passerelle.libs.testing.database import fresh_service_database
from passerelle.libs.testing.processes import ServiceProcess
from passerelle.libs.testing.stack import REPO
from passerelle.libs.testing.tokens import TokenFactory
from tests.e2e.test_contract_drafting import EMPLOYER, Api, poll, tab
from tests.e2e.test_documents_flow import bucket, training_agreement  # noqa: F401 - `bucket` is a fixture

pytestmark = pytest.mark.e2e


class SpanReceiver:
    """An OTLP/HTTP trace endpoint (POST /v1/traces, protobuf) keeping every span it is sent."""

    def __init__(self) -> None:
        self.spans: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                request = ExportTraceServiceRequest()
                request.ParseFromString(body)
                receiver.add(request)
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def add(self, request: ExportTraceServiceRequest) -> None:
        with self.lock:
            for resource_spans in request.resource_spans:
                attrs = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
                for scope_spans in resource_spans.scope_spans:
                    for span in scope_spans.spans:
                        self.spans.append(
                            {
                                "service": attrs.get("service.name"),
                                "name": span.name,
                                "trace_id": span.trace_id.hex(),
                                "span_id": span.span_id.hex(),
                                "parent_span_id": span.parent_span_id.hex() or None,
                                "attributes": {a.key: a.value.string_value for a in span.attributes},
                            }
                        )

    def find(self, service: str, name: str, **attributes: str) -> list[dict[str, Any]]:
        with self.lock:
            return [
                s
                for s in self.spans
                if s["service"] == service
                and s["name"] == name
                and all(s["attributes"].get(k) == v for k, v in attributes.items())
            ]

    async def wait_for(self, service: str, name: str, timeout: float = 60, **attributes: str) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.find(service, name, **attributes)
            if found:
                return found[-1]
            await asyncio.sleep(0.2)
        with self.lock:
            seen = sorted({(s["service"], s["name"]) for s in self.spans})
        raise AssertionError(f"no span {name!r} from {service} (seen: {seen})")

    async def wait_in_trace(self, trace_id: str, service: str, name: str, timeout: float = 60) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for span in self.find(service, name):
                if span["trace_id"] == trace_id:
                    return span
            await asyncio.sleep(0.2)
        found = [(s["trace_id"], s["parent_span_id"]) for s in self.find(service, name)]
        raise AssertionError(f"no span {name!r} from {service} in trace {trace_id} (same name elsewhere: {found})")

    def trace(self, trace_id: str) -> list[dict[str, Any]]:
        with self.lock:
            return [s for s in self.spans if s["trace_id"] == trace_id]

    def __enter__(self) -> SpanReceiver:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.shutdown()


def metric_value(text: str, name: str, **labels: str) -> float:
    """The value of one sample of a Prometheus text exposition (0 when absent)."""
    for line in text.splitlines():
        if not line.startswith(name + "{"):
            continue
        sample_labels = dict(
            # The labels end at the last brace: route templates hold braces of their own.
            part.split("=", 1)
            for part in line[len(name) + 1 : line.rindex("}")].replace('"', "").split(",")
        )
        if all(sample_labels.get(k) == v for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def test_a_transmission_is_one_trace_with_its_metrics_and_clean_logs(stack, log_dir, bucket):  # noqa: F811
    tokens = TokenFactory()
    run = uuid.uuid4().hex[:8]
    with SpanReceiver() as receiver, tokens.serve_jwks() as jwks_url:
        telemetry = {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint, "OTEL_BSP_SCHEDULE_DELAY": "100"}
        contracts = ServiceProcess.uvicorn(
            "contracts-traced",
            "passerelle.contracts.main:app",
            {
                **telemetry,
                "CONTRACTS_DATABASE_URL": fresh_service_database(
                    REPO / "services" / "contracts", "e2e_trace_contracts"
                ),
                "CONTRACTS_JWKS_URL": jwks_url,
                "CONTRACTS_CONSUMER_GROUP": f"contracts-trace-{run}",
            },
            log_dir,
        )
        documents = ServiceProcess.uvicorn(
            "documents-traced",
            "passerelle.documents.main:app",
            {
                **telemetry,
                "DOCUMENTS_DATABASE_URL": fresh_service_database(
                    REPO / "services" / "documents", "e2e_trace_documents"
                ),
                "DOCUMENTS_JWKS_URL": jwks_url,
                "DOCUMENTS_S3_BUCKET": bucket,
                "DOCUMENTS_CONSUMER_GROUP": f"documents-trace-{run}",
            },
            log_dir,
        )
        # Generous: on a shared 2-core machine a service may take minutes to join its consumer group.
        contracts.start(ready_timeout=300)
        documents.start(ready_timeout=300)
        try:
            employer = Api(contracts.url, tokens, EMPLOYER)
            uploads = Api(documents.url, tokens, EMPLOYER)
            uploads.subject = employer.subject
            form = complete_apprenticeship_form().model_dump(mode="json", exclude_none=True)
            created = employer.post(
                "/contracts",
                json={
                    "contract_type": "apprentissage",
                    "employer_siret": DEMO_EMPLOYER_SIRET,
                    "training_uai": DEMO_CFA_UAI,
                },
            )
            assert created.status_code == 201, created.text
            contract_id = created.json()["id"]
            for name in ("introduction", "employeur", "salarie", "tuteur", "contrat", "formation", "synthese"):
                assert employer.put(f"/contracts/{contract_id}/tabs/{name}", json=tab(form, name)).status_code == 200
            deadline = time.monotonic() + 60
            while uploads.get(f"/contracts/{contract_id}/documents").status_code == 404:
                assert time.monotonic() < deadline, "contract.drafted never reached the documents service"
                await asyncio.sleep(0.2)
            stored = uploads.post(
                f"/contracts/{contract_id}/documents",
                data={"document_type": "convention_formation"},
                files={"file": ("Convention signée.pdf", training_agreement(1), "application/pdf")},
            )
            assert stored.status_code == 201, stored.text
            await poll(employer, contract_id, lambda c: len(c["documents"]) == 1)
            sent = employer.post(f"/contracts/{contract_id}/transmit")
            assert sent.status_code == 200, sent.text

            # The transmission: contracts' request -> the relay's publish -> documents' consumer, one trace.
            request = await receiver.wait_for("contracts", "POST /contracts/{contract_id}/transmit")
            publish = await receiver.wait_for(
                "contracts", "publish contract.transmitted", **{"messaging.kafka.message.key": contract_id}
            )
            consume = await receiver.wait_in_trace(publish["trace_id"], "documents", "process contract.transmitted")
            assert request["parent_span_id"] is None
            assert publish["trace_id"] == request["trace_id"] == consume["trace_id"]
            assert publish["parent_span_id"] == request["span_id"]
            assert consume["parent_span_id"] == publish["span_id"]
            chain = " -> ".join(f"{s['service']}: {s['name']}" for s in (request, publish, consume))
            print(f"\ntrace {request['trace_id']}: {chain}")

            # The upload: documents' request -> its relay -> contracts' consumer, the other way round.
            upload = await receiver.wait_for("documents", "POST /contracts/{contract_id}/documents")
            uploaded = await receiver.wait_for("contracts", "process document.uploaded")
            assert uploaded["trace_id"] == upload["trace_id"]
            assert any(
                s["span_id"] == uploaded["parent_span_id"] and s["parent_span_id"] == upload["span_id"]
                for s in receiver.trace(upload["trace_id"])
            )

            # Metrics of the same flow, as Prometheus scrapes them.
            contracts_metrics = await scrape(contracts.url)
            documents_metrics = await wait_for_metric(
                documents.url, "passerelle_consumer_events_total", topic="contract.transmitted", outcome="applied"
            )
            transmit_route = "/contracts/{contract_id}/transmit"
            assert (
                metric_value(contracts_metrics, "passerelle_http_requests_total", route=transmit_route, status="200")
                == 1
            )
            assert (
                metric_value(contracts_metrics, "passerelle_http_request_duration_seconds_count", route=transmit_route)
                == 1
            )
            assert (
                metric_value(contracts_metrics, "passerelle_outbox_published_total", topic="contract.transmitted") == 1
            )
            assert "passerelle_outbox_backlog{" in contracts_metrics
            assert "passerelle_outbox_oldest_age_seconds{" in contracts_metrics
            assert (
                metric_value(documents_metrics, "passerelle_consumer_events_total", topic="contract.transmitted") >= 1
            )
            assert "passerelle_consumer_lag{" in documents_metrics
            assert "passerelle_consumer_processing_seconds_count{" in documents_metrics
            figures = [
                line
                for line in (contracts_metrics + documents_metrics).splitlines()
                if "contract.transmitted" in line or transmit_route in line
            ]
            print("\n".join(figures))
        except BaseException:
            print(contracts.tail(60), documents.tail(60))
            raise
        finally:
            documents.stop()
            contracts.stop()

    # Logs: JSON lines with the trace, correlation and contract ids; no name, NIR or e-mail of the apprentice.
    # The sample form's apprentice (Lucas Durand, NIR 108037511102447) and tutor (Sophie Durand).
    personal = {"108037511102447", "Lucas", "Durand", "Sophie", "lucas.durand@example.fr", "sophie.durand@example.fr"}
    assert "108037511102447" in json.dumps(form)  # the data the services handled holds them
    for process in (contracts, documents):
        text = process.log_path.read_text(errors="replace")
        lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
        assert lines, f"no JSON log line from {process.name}"
        assert all({"trace_id", "correlation_id", "contract_id"} <= line.keys() for line in lines), process.name
        leaked = sorted(p for p in personal if p in text)
        assert not leaked, f"{process.name} logged personal data: {leaked}"
    assert any(line.get("contract_id") == contract_id for line in lines if line.get("trace_id"))


async def wait_for_metric(url: str, name: str, timeout: float = 30, **labels: str) -> str:
    deadline = time.monotonic() + timeout
    while True:
        text = await scrape(url)
        if metric_value(text, name, **labels) > 0 or time.monotonic() > deadline:
            return text
        await asyncio.sleep(0.2)


async def scrape(url: str) -> str:
    async with httpx.AsyncClient(timeout=5) as client:
        return (await client.get(f"{url}/metrics")).text
