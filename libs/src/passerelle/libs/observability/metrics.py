"""Prometheus metrics every service exposes on /metrics (one process is one service: `service` labels it).

HTTP: request count and latency per route template (never the raw path: ids would explode the series), errors.
Kafka consumers: events applied or parked per topic, batch processing time per topic, lag per partition.
Outbox: rows waiting and the age of the oldest one (sampled by the service every few seconds).
Dead letters: records parked per group and original topic.
Legal clocks: how many cases are close to a legal deadline, set by the service that owns the clock.
Mails: those sent again because their sender was killed during the attempt (at most one per sender).
"""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

HTTP_REQUESTS = Counter("passerelle_http_requests", "HTTP requests served", ["service", "method", "route", "status"])
HTTP_ERRORS = Counter(
    "passerelle_http_request_errors", "HTTP requests answered with a server error (5xx)", ["service", "method", "route"]
)
HTTP_LATENCY = Histogram(
    "passerelle_http_request_duration_seconds",
    "HTTP request latency",
    ["service", "method", "route"],
    buckets=LATENCY_BUCKETS,
)
CONSUMED = Counter(
    "passerelle_consumer_events",
    "Events handled by a consumer group, by outcome (applied, duplicate, parked)",
    ["service", "group", "topic", "outcome"],
)
PROCESSING = Histogram(
    "passerelle_consumer_processing_seconds",
    "Time to apply one batch of a topic (decode, effect, commit)",
    ["service", "group", "topic"],
    buckets=LATENCY_BUCKETS,
)
LAG = Gauge(
    "passerelle_consumer_lag",
    "Records behind the partition's end after the last batch",
    ["service", "group", "topic", "partition"],
)
OUTBOX_BACKLOG = Gauge("passerelle_outbox_backlog", "Outbox rows not yet published", ["service"])
OUTBOX_OLDEST = Gauge(
    "passerelle_outbox_oldest_age_seconds", "Age of the oldest outbox row not yet published (0 when none)", ["service"]
)
DEAD_LETTERS = Counter(
    "passerelle_dead_letters", "Records parked on a dead-letter topic", ["service", "group", "topic"]
)
LEGAL_CLOCKS = Gauge(
    "passerelle_legal_deadlines_due",
    "Cases whose legal deadline falls within the horizon",
    ["service", "clock", "horizon"],
)
PUBLISHED = Counter("passerelle_outbox_published", "Outbox rows published by the relay", ["service", "topic"])
MAILS_RESENT_IN_DOUBT = Counter(
    "passerelle_mails_resent_in_doubt",
    "Mails sent again because their sender stopped during the attempt (the server may have accepted them)",
    ["service"],
)

_service = "service"


def set_service(name: str) -> None:
    global _service
    _service = name


def service() -> str:
    return _service


def exposition() -> tuple[bytes, str]:
    return generate_latest(), CONTENT_TYPE_LATEST
