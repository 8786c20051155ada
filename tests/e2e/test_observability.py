"""One transmission seen through the platform's telemetry: its spans form one trace across HTTP, the outbox
relay and Kafka; the services' /metrics count it; their log lines carry its ids and none of the apprentice's
personal data.

contracts and documents run for real (processes, or containers on the container stack) and export their spans
over OTLP/HTTP to a receiver this test runs, which decodes them with the OpenTelemetry protobuf definitions.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from passerelle.contracts.testing.samples import DEMO_CFA_UAI, DEMO_EMPLOYER_SIRET, complete_apprenticeship_form
from passerelle.libs.testing.containers import containers_enabled
from passerelle.libs.testing.database import fresh_service_database
from passerelle.libs.testing.identity import serve_identity
from passerelle.libs.testing.kafka import start_group_at_end
from passerelle.libs.testing.processes import ServiceProcess
from passerelle.libs.testing.stack import REPO
from passerelle.libs.testing.tokens import TokenFactory
from passerelle.notifier.entrypoints.consumers import HANDLERS as NOTIFIER_HANDLERS
from passerelle.opco_processing.entrypoints.consumers import HANDLERS as OPCO_HANDLERS
from tests.e2e.test_contract_drafting import EMPLOYER, Api, poll, tab
from tests.e2e.test_documents_flow import bucket, training_agreement  # noqa: F401 - `bucket` is a fixture

pytestmark = pytest.mark.e2e
CLIENTS = {"pcl_opcoep": ("pcs_opcoep_secret", "OPCOEP")}  # opco-processing's machine identity (its checks)
SPAN_KINDS = {1: "internal", 2: "server", 3: "client", 4: "producer", 5: "consumer"}
# PASSERELLE_OBSERVABILITY_SAMPLE=docs/observability-sample.md: the test also writes the trace and the metrics it saw.
SAMPLE_VAR = "PASSERELLE_OBSERVABILITY_SAMPLE"


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
                                "kind": SPAN_KINDS.get(span.kind, str(span.kind)),
                                "start": span.start_time_unix_nano,
                                "end": span.end_time_unix_nano,
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


def span_tree(spans: list[dict[str, Any]]) -> list[str]:
    """One line per span, children under their parent, in start order: service, kind, name, start, duration."""
    if not spans:
        return []
    origin = min(s["start"] for s in spans)
    ids = {s["span_id"] for s in spans}
    children: dict[str | None, list[dict[str, Any]]] = {}
    for span in sorted(spans, key=lambda s: s["start"]):
        children.setdefault(span["parent_span_id"] if span["parent_span_id"] in ids else None, []).append(span)
    lines: list[str] = []

    def walk(parent: str | None, depth: int) -> None:
        for span in children.get(parent, []):
            start_ms, took_ms = (span["start"] - origin) / 1e6, (span["end"] - span["start"]) / 1e6
            label = f"{'  ' * depth}{span['name']}"
            lines.append(f"{label:<58} {span['service']:<16} {span['kind']:<9} +{start_ms:8.1f} ms {took_ms:8.1f} ms")
            walk(span["span_id"], depth + 1)

    walk(None, 0)
    return lines


async def test_a_transmission_is_one_trace_with_its_metrics_and_clean_logs(stack, log_dir, bucket):  # noqa: F811
    tokens = TokenFactory()
    run = uuid.uuid4().hex[:8]
    bootstrap = stack["PASSERELLE_KAFKA_BOOTSTRAP"]
    with SpanReceiver() as receiver, serve_identity(tokens, CLIENTS) as (jwks_url, token_url):
        telemetry = {"OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint, "OTEL_BSP_SCHEDULE_DELAY": "100"}

        def group_of(service: str) -> str:  # prefixed by the service's Kafka principal: its ACLs grant those
            return f"{service.replace('-', '_')}-trace-{run}"

        def traced(service: str, **env: str) -> ServiceProcess:
            module, prefix = service.replace("-", "_"), service.replace("-", "_").upper()
            group = group_of(service)
            database = fresh_service_database(REPO / "services" / service, f"e2e_trace_{module}")
            settings = {
                f"{prefix}_DATABASE_URL": database,
                f"{prefix}_JWKS_URL": jwks_url,
                f"{prefix}_CONSUMER_GROUP": group,
                **env,
            }
            app = f"passerelle.{module}.main:app"
            return ServiceProcess.uvicorn(f"{service}-traced", app, {**telemetry, **settings}, log_dir)

        contracts = traced("contracts")
        documents = traced("documents", DOCUMENTS_S3_BUCKET=bucket)
        # Deployed now, from the end of their topics: the shared test broker's history is not theirs to replay.
        for service, handlers in (("opco-processing", OPCO_HANDLERS), ("notifier", NOTIFIER_HANDLERS)):
            await start_group_at_end(bootstrap, group_of(service), sorted({e.topic for e in handlers}))
        # Generous: on a shared 2-core machine a service may take minutes to join its consumer group.
        contracts.start(ready_timeout=300)
        documents.start(ready_timeout=300)
        opco = traced(
            "opco-processing",
            OPCO_PROCESSING_TOKEN_URL=token_url,
            OPCO_PROCESSING_CONTRACTS_URL=contracts.url,
            OPCO_PROCESSING_DOCUMENTS_URL=documents.url,
            OPCO_PROCESSING_MACHINE_CLIENTS=json.dumps(
                {code: {"client_id": cid, "client_secret": secret} for cid, (secret, code) in CLIENTS.items()}
            ),
        )
        notifier = traced("notifier", NOTIFIER_PORTAL_URL="http://portail.e2e")
        opco.start(ready_timeout=300)
        notifier.start(ready_timeout=300)
        processes = (contracts, documents, opco, notifier)
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

            # The transmission: contracts' request -> the relay's publish -> every consumer of the event, one trace.
            request = await receiver.wait_for("contracts", "POST /contracts/{contract_id}/transmit")
            publish = await receiver.wait_for(
                "contracts", "publish contract.transmitted", **{"messaging.kafka.message.key": contract_id}
            )
            consumed = {
                service: await receiver.wait_in_trace(publish["trace_id"], service, "process contract.transmitted")
                for service in ("documents", "opco_processing", "notifier")  # service.name: the settings' name
            }
            assert request["parent_span_id"] is None
            assert publish["trace_id"] == request["trace_id"]
            assert publish["parent_span_id"] == request["span_id"]
            for service, consume in consumed.items():
                assert consume["parent_span_id"] == publish["span_id"], service
            chain = " -> ".join(f"{s['service']}: {s['name']}" for s in (request, publish, consumed["documents"]))
            print(f"\ntrace {request['trace_id']}: {chain} (and opco-processing, notifier)")

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
            others = {
                "opco-processing": await wait_for_metric(
                    opco.url, "passerelle_consumer_events_total", topic="contract.transmitted", outcome="applied"
                ),
                "notifier": await wait_for_metric(
                    notifier.url, "passerelle_consumer_events_total", topic="contract.transmitted"
                ),
            }
            metrics = {"contracts": contracts_metrics, "documents": documents_metrics, **others}
            figures = [
                f"{service}: {line}"
                for service, text in metrics.items()
                for line in text.splitlines()
                if not line.startswith("#") and ("contract.transmitted" in line or transmit_route in line)
            ]
            print("\n".join(figures))
            if path := os.environ.get(SAMPLE_VAR):
                await asyncio.sleep(1)  # the last spans of the trace (opco's checks) are exported in batches
                write_sample(REPO / path, receiver.trace(request["trace_id"]), figures, contract_id)
        except BaseException:
            for process in processes:
                print(f"--- {process.name}\n{process.tail(60)}")
            raise
        finally:
            for process in reversed(processes):
                process.stop()

    # Logs: JSON lines with the trace, correlation and contract ids; no name, NIR or e-mail of the apprentice.
    # The sample form's apprentice (Lucas Durand, NIR 108037511102447) and tutor (Sophie Durand).
    personal = {"108037511102447", "Lucas", "Durand", "Sophie", "lucas.durand@example.fr", "sophie.durand@example.fr"}
    assert "108037511102447" in json.dumps(form)  # the data the services handled holds them
    about_it: set[str] = set()
    for process in processes:
        text = process.log_path.read_text(errors="replace")
        lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
        assert lines, f"no JSON log line from {process.name}"
        assert all({"trace_id", "correlation_id", "contract_id"} <= line.keys() for line in lines), process.name
        leaked = sorted(p for p in personal if p in text)
        assert not leaked, f"{process.name} logged personal data: {leaked}"
        if any(line.get("contract_id") == contract_id for line in lines if line.get("trace_id")):
            about_it.add(process.name)
    assert "documents-traced" in about_it  # the lines of its handling of the upload and transmission name it


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


def write_sample(path: Path, spans: list[dict[str, Any]], figures: list[str], contract_id: str) -> None:
    """docs/observability-sample.md: the trace and the metric lines this run saw, as they were exported."""
    services = sorted({s["service"] for s in spans})
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    where = (
        "as containers of their images (Testcontainers)" if containers_enabled() else "as processes on the test stack"
    )
    text = (
        "# One transmission, as the platform's telemetry shows it\n\n"
        f"Written by `tests/e2e/test_observability.py` ({SAMPLE_VAR}) on {when}, not by hand: contracts, documents,\n"
        f"opco-processing and the notifier run for real {where} and export their spans over OTLP/HTTP to\n"
        "the test's receiver; the metric lines are scraped from each service's `/metrics` afterwards.\n"
        f"Contract `{contract_id}`; trace `{spans[0]['trace_id'] if spans else '-'}`: {len(spans)} spans from "
        f"{', '.join(services)}.\n\n"
        "## The trace (span tree: name, service, kind, start after the first span, duration)\n\n```\n"
        + "\n".join(span_tree(spans))
        + "\n```\n\n## The metrics of the transmission (lines naming contract.transmitted or the transmit route)\n\n```\n"
        + "\n".join(figures)
        + "\n```\n"
    )
    path.write_text(text)
